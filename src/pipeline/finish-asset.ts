// The last steps every asset shares, whole or stitched from chunks: the progressive download, the
// list of files and manifest.json, written last and whole.
import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../ffmpeg/run-process.ts';
import type { AssetFile, AssetManifest } from '../media/asset-manifest.ts';
import { buildDownloadCommand } from '../media/download-command.ts';
import type { TranscodePlan } from '../media/plan.ts';
import { writing } from './fs-errors.ts';
import { manifestName, type OutputDir } from './output-dir.ts';
import { downloadSpec } from './prepare.ts';

export interface DownloadResult {
  file: string;
  renditionId?: string;
  bytes: number;
}

/**
 * Remuxes the download rendition and every audio track into download/, from complete fragmented MP4s;
 * `files` maps the scratch names of downloadSpec to the paths where they are.
 */
export async function makeDownload(ffmpeg: string, plan: TranscodePlan, out: OutputDir, files: (scratchName: string) => string, signal: AbortSignal): Promise<DownloadResult | undefined> {
  const spec = downloadSpec(plan);
  if (!spec) return undefined;
  await writing('download/', () => mkdir(out.path('download'), { recursive: true }));
  const inputs = {
    ...(spec.video ? { video: files(spec.video) } : {}),
    ...(spec.audio ? { audio: files(spec.audio) } : {}),
    ...(spec.alternateAudio ? { alternateAudio: spec.alternateAudio.map(files) } : {}),
  };
  await runProcess({ command: buildDownloadCommand(ffmpeg, inputs, out.path(spec.output)), stage: 'package', signal });
  const { size } = await stat(out.path(spec.output));
  return { file: spec.output, ...(plan.downloadRenditionId ? { renditionId: plan.downloadRenditionId } : {}), bytes: size };
}

/** Written beside and renamed: the manifest appears whole or not at all. */
export async function writeAssetManifest(out: OutputDir, manifest: AssetManifest): Promise<void> {
  await writing(manifestName, async () => {
    const temporary = out.path(`${manifestName}.partial`);
    await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(temporary, out.path(manifestName));
  });
}

/** Every file of the asset with its size, paths relative to the root, sorted; dot-files are not the asset's. */
export async function listAssetFiles(root: string): Promise<AssetFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: AssetFile[] = [];
  for (const entry of entries) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(root, full).split(path.sep).join('/');
    if (!entry.isFile() || rel.split('/').some((part) => part.startsWith('.'))) continue;
    files.push({ path: rel, bytes: (await stat(full)).size });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
