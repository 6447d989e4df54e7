// The files a unit (a chunk, the audio) leaves for the stitch, each under two names: its key in a
// work area kept in an object store, and its place in the asset directory the stitch builds
// (relative to the asset root). In the store a unit's segments sit under the unit's own prefix
// (`.live2vod-chunks/chunk-0003/video/<id>/…`), so nothing appears where players look before the
// stitch publishes the asset; its init segments and pictures are where WorkArea keeps them in
// both. Pure: the unit's result names every file, so the stitch fetches exactly these.
import { scratchNames } from '../../media/plan.ts';
import { audioUnitName, chunkUnitName, resultName, workAreaName, type AudioResult, type ChunkResult } from './work-area.ts';

export interface UnitFile {
  /** In the store, relative to the output's root. */
  key: string;
  /** In the asset directory, relative to its root. */
  rel: string;
}

/** `.live2vod-chunks/chunk-0003`, `.live2vod-chunks/audio`: a unit's prefix in the store, and its WorkArea directory. */
export function unitPrefix(unit: { chunk: number } | 'audio'): string {
  return `${workAreaName}/${unit === 'audio' ? audioUnitName : chunkUnitName(unit.chunk)}`;
}

export function resultKey(unit: { chunk: number } | 'audio'): string {
  return `${unitPrefix(unit)}/${resultName}`;
}

/** A chunk's segments of every rendition, its init segments, sprite pictures and poster candidates. */
export function chunkUnitFiles(result: ChunkResult): UnitFile[] {
  const unit = unitPrefix({ chunk: result.index });
  // encodeChunk writes a rendition's segments to `video/<id>/` of its output, as the whole encode does.
  const segments = result.renditions.flatMap((r) => r.segments.map((s) => `video/${r.id}/${s.file}`)).map((rel) => ({ key: `${unit}/${rel}`, rel }));
  const own = [
    ...result.renditions.map((r) => r.init),
    ...result.thumbnails.map((f) => scratchNames.thumb(f.index)),
    ...result.posters.map((f) => scratchNames.poster(f.index)),
  ].map((name) => ({ key: `${unit}/${name}`, rel: `${unit}/${name}` }));
  return [...segments, ...own];
}

/** Every audio track's init segment and segments. */
export function audioUnitFiles(result: AudioResult): UnitFile[] {
  const unit = unitPrefix('audio');
  return [result.track, ...(result.alternateTracks ?? [])].flatMap(({ dir, initFile, segments }) =>
    [initFile, ...segments.map((s) => s.file)].map((name) => ({ key: `${unit}/${dir}/${name}`, rel: `${dir}/${name}` })));
}
