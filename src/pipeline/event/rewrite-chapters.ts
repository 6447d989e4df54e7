// Applies a chapter edit to a finished asset in a directory: the chapter documents first, then
// manifest.json (to a temporary name and renamed), so a reader never finds a manifest ahead of
// its chapters. Nothing is re-encoded and master.m3u8 stays: it names the file, not its content.
import { readFile, stat } from 'node:fs/promises';
import type { AssetManifest } from '../../media/asset-manifest.ts';
import { applyChapterEdit, ChapterEditError, type ChapterEdit } from '../../media/event/chapter-edit.ts';
import { parseThumbnailCues } from '../../media/event/thumbnail-cues.ts';
import { writeAssetManifest } from '../finish-asset.ts';
import { manifestName, type OutputDir } from '../output-dir.ts';
import { writeChapterDocuments } from './finish-event.ts';

export async function rewriteChapters(out: OutputDir, edit: ChapterEdit): Promise<AssetManifest> {
  const manifest = JSON.parse(await readFile(out.path(manifestName), 'utf8')) as AssetManifest;
  if (!manifest.chapters) throw new ChapterEditError('this asset has no chapters (it was made without event detection)');
  const cues = manifest.thumbnails ? parseThumbnailCues(await readFile(out.path(manifest.thumbnails.vtt), 'utf8')) : [];
  const list = applyChapterEdit(edit, manifest.duration, cues);
  const image = manifest.thumbnails ? await tileSize(out, manifest) : undefined;
  await writeChapterDocuments(out, list, manifest.duration, manifest.audio?.language ?? 'und', image);
  const sizes = new Map<string, number>();
  for (const file of [manifest.chapters.vtt, manifest.chapters.hls]) sizes.set(file, (await stat(out.path(file))).size);
  const updated: AssetManifest = {
    ...manifest,
    chapters: { ...manifest.chapters, list },
    files: manifest.files.map((f) => ({ ...f, bytes: sizes.get(f.path) ?? f.bytes })),
  };
  await writeAssetManifest(out, updated);
  return updated;
}

/** The sprite tile's size, from the first chapter image Apple's document already names. */
async function tileSize(out: OutputDir, manifest: AssetManifest): Promise<{ width: number; height: number } | undefined> {
  if (!manifest.chapters) return undefined;
  const apple = JSON.parse(await readFile(out.path(manifest.chapters.hls), 'utf8')) as { images?: { 'pixel-width': number; 'pixel-height': number }[] }[];
  const image = apple.flatMap((c) => c.images ?? [])[0];
  return image ? { width: image['pixel-width'], height: image['pixel-height'] } : undefined;
}
