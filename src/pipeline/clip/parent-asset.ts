// The finished asset a clip is cut from, read where it lies (a directory or an s3:// prefix): its
// manifest.json, and only the files a clip needs (init segments, the segments around the range).
import { text } from 'node:stream/consumers';
import { z } from 'zod';
import { InputError } from '../../errors/index.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { readObjectBytes } from '../../storage/read-object-bytes.ts';
import type { SourceInfo } from '../../media/types.ts';

/** What a clip reads of the parent's manifest.json (the rest is passed over). */
export const parentManifestSchema = z.object({
  duration: z.number().positive(),
  source: z.custom<SourceInfo>((v) => typeof v === 'object' && v !== null && 'duration' in v, 'the source analysis'),
  encoder: z.object({ name: z.enum(['libx264', 'libx265', 'libsvtav1', 'h264_nvenc']), preset: z.string().nullable() }),
  packaging: z.object({ segmentSeconds: z.number().positive(), gopSeconds: z.number().positive() }),
  renditions: z.array(z.object({ id: z.string(), init: z.string(), segments: z.number().int().positive() })).min(1),
  audioTracks: z.array(z.object({ id: z.string(), playlist: z.string() })),
  files: z.array(z.object({ path: z.string(), bytes: z.number() })),
  /** Null or absent when the parent was made without looking for the event. */
  chapters: z.object({ list: z.array(z.object({ start: z.number().min(0), title: z.string() })) }).nullish(),
});

export type ParentManifest = z.infer<typeof parentManifestSchema>;

export interface ParentAsset {
  manifest: ParentManifest;
  read(rel: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openParentAsset(location: string): Promise<ParentAsset> {
  // Imported here: the S3 SDK it brings costs every worker's start-up ~0.25 s of CPU otherwise.
  const { openObjectStore } = await import('../../storage/open-store.ts');
  const store: ObjectStore & { close(): Promise<void> } = openObjectStore(location);
  try {
    const raw = await text(await store.get('manifest.json')).catch((error: unknown) => {
      throw new InputError(`the parent asset at ${location} has no readable manifest.json (${error instanceof Error ? error.message : String(error)}): it is not a finished asset`);
    });
    const parsed = parentManifestSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) throw new InputError(`the parent asset's manifest.json at ${location} is not one a clip can be cut from: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    return { manifest: parsed.data, read: (rel) => readObjectBytes(store, rel), close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The segment files of a track directory, in number order, from the manifest's file list. */
export function trackSegments(manifest: ParentManifest, dir: string): string[] {
  return manifest.files.map((f) => f.path).filter((p) => p.startsWith(`${dir}/seg-`)).sort();
}
