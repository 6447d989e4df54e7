// What an edit of a finished asset's chapters writes: the two chapter documents and manifest.json
// with the new list and the documents' new sizes. Pure: the callers read the inputs from a
// directory or an object store and write the outputs back, documents first, manifest.json last.
import type { AssetManifest } from '../asset-manifest.ts';
import { applyChapterEdit, ChapterEditError, type ChapterEdit } from './chapter-edit.ts';
import { writeChaptersVtt, writeHlsChaptersJson } from './chapters.ts';
import { parseThumbnailCues } from './thumbnail-cues.ts';

export interface ChapterRewriteInputs {
  manifest: AssetManifest;
  /** The asset's thumbnails track (manifest.thumbnails.vtt); undefined when it has none. */
  thumbnailsVtt: string | undefined;
  /** The asset's Apple chapter document as it is: the sprite tile size is read from it. */
  hlsChapters: string;
}

export interface ChapterRewrite {
  /** Relative to the asset, to be written before the manifest. */
  documents: { path: string; text: string }[];
  manifest: AssetManifest;
}

/** Throws ChapterEditError when the asset has no chapters or the edit does not fit it. */
export function planChapterRewrite(inputs: ChapterRewriteInputs, edit: ChapterEdit): ChapterRewrite {
  const { manifest } = inputs;
  if (!manifest.chapters) throw new ChapterEditError('this asset has no chapters (it was made without event detection)');
  const cues = inputs.thumbnailsVtt === undefined ? [] : parseThumbnailCues(inputs.thumbnailsVtt);
  const list = applyChapterEdit(edit, manifest.duration, cues);
  const image = inputs.thumbnailsVtt === undefined ? undefined : tileSize(inputs.hlsChapters);
  const documents = [
    { path: manifest.chapters.vtt, text: writeChaptersVtt(list, manifest.duration) },
    { path: manifest.chapters.hls, text: writeHlsChaptersJson(list, manifest.duration, manifest.audio?.language ?? 'und', image) },
  ];
  const encoder = new TextEncoder();
  const sizes = new Map(documents.map((d) => [d.path, encoder.encode(d.text).length]));
  return {
    documents,
    manifest: {
      ...manifest,
      chapters: { ...manifest.chapters, list },
      files: manifest.files.map((f) => ({ ...f, bytes: sizes.get(f.path) ?? f.bytes })),
    },
  };
}

/** The sprite tile's size, from the first chapter image Apple's document names. */
function tileSize(hlsChapters: string): { width: number; height: number } | undefined {
  const parsed: unknown = JSON.parse(hlsChapters);
  if (!Array.isArray(parsed)) return undefined;
  for (const chapter of parsed as { images?: { 'pixel-width'?: unknown; 'pixel-height'?: unknown }[] }[]) {
    const image = chapter.images?.[0];
    if (typeof image?.['pixel-width'] === 'number' && typeof image['pixel-height'] === 'number') return { width: image['pixel-width'], height: image['pixel-height'] };
  }
  return undefined;
}
