// Applies a chapter edit to a finished asset, in a directory or in an object store: the chapter
// documents first, then manifest.json, so a reader never finds a manifest ahead of its chapters.
// Nothing is re-encoded and master.m3u8 stays: it names the file, not its content.
import { readFile, writeFile } from 'node:fs/promises';
import type { AssetManifest } from '../../media/asset-manifest.ts';
import type { ChapterEdit } from '../../media/event/chapter-edit.ts';
import { planChapterRewrite } from '../../media/event/chapter-rewrite.ts';
import { objectHeaders } from '../../storage/content-types.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { readObjectText } from '../../storage/read-object-text.ts';
import { writeAssetManifest } from '../finish-asset.ts';
import { writing } from '../fs-errors.ts';
import { manifestName, type OutputDir } from '../output-dir.ts';

/** The asset in a local directory: the documents written in place, manifest.json renamed into place. */
export async function rewriteChapters(out: OutputDir, edit: ChapterEdit): Promise<AssetManifest> {
  const manifest = JSON.parse(await readFile(out.path(manifestName), 'utf8')) as AssetManifest;
  const rewrite = planChapterRewrite({
    manifest,
    thumbnailsVtt: manifest.thumbnails ? await readFile(out.path(manifest.thumbnails.vtt), 'utf8') : undefined,
    hlsChapters: manifest.chapters ? await readFile(out.path(manifest.chapters.hls), 'utf8') : '[]',
  }, edit);
  await writing('chapters', async () => {
    for (const document of rewrite.documents) await writeFile(out.path(document.path), document.text);
  });
  await writeAssetManifest(out, rewrite.manifest);
  return rewrite.manifest;
}

/** The asset under `prefix` in an object store (S3): the documents put first, manifest.json last. */
export async function rewriteStoredChapters(store: ObjectStore, prefix: string, edit: ChapterEdit): Promise<AssetManifest> {
  const key = (name: string) => `${prefix}/${name}`;
  const manifest = JSON.parse(await readObjectText(store, key(manifestName))) as AssetManifest;
  const rewrite = planChapterRewrite({
    manifest,
    thumbnailsVtt: manifest.thumbnails ? await readObjectText(store, key(manifest.thumbnails.vtt)) : undefined,
    hlsChapters: manifest.chapters ? await readObjectText(store, key(manifest.chapters.hls)) : '[]',
  }, edit);
  for (const document of rewrite.documents) await put(store, key(document.path), document.text);
  await put(store, key(manifestName), `${JSON.stringify(rewrite.manifest, null, 2)}\n`);
  return rewrite.manifest;
}

async function put(store: ObjectStore, key: string, body: string): Promise<void> {
  const headers = objectHeaders(key);
  await store.put(key, body, { contentType: headers.contentType, cacheControl: headers.cacheControl, size: Buffer.byteLength(body) });
}
