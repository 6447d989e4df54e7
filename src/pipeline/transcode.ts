// One transcode, start to finish: probe → plan → encode (video ∥ audio) → package → thumbnails →
// download → manifest.json last. On any failure the scratch directory and everything written to
// the output are removed, so a manifest.json always means a complete asset.
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../ffmpeg/run-process.ts';
import { buildAssetManifest, type AssetFile, type AssetManifest } from '../media/asset-manifest.ts';
import { buildDownloadCommand } from '../media/download-command.ts';
import { version } from '../version.ts';
import { encodeAll } from './encode.ts';
import { instantRemux } from './instant-remux.ts';
import type { EventSink } from './events.ts';
import { finishThumbnails } from './finish-thumbnails.ts';
import { writing } from './fs-errors.ts';
import { manifestName, OutputDir } from './output-dir.ts';
import { packageAsset } from './package-asset.ts';
import { downloadSpec, prepareTranscode } from './prepare.ts';
import type { TranscodeRequest } from './request.ts';
import { Stopwatch } from './stopwatch.ts';

export interface TranscodeResult {
  outDir: string;
  manifest: AssetManifest;
}

export async function transcode(request: TranscodeRequest): Promise<TranscodeResult> {
  const emit: EventSink = request.onEvent ?? (() => undefined);
  const stopwatch = new Stopwatch(emit);
  const started = performance.now();
  const out = new OutputDir(request.outDir);
  // One controller for the run: the caller's cancel, or a failure in one encode, stops the rest.
  const abort = new AbortController();
  const onCallerAbort = (): void => abort.abort();
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let scratch: string | undefined;
  try {
    const { plan, fallback } = await stopwatch.step('probe', () => prepareTranscode({ ...request, signal: abort.signal }));
    emit({ type: 'plan', renditions: plan.video.map((r) => r.id).concat(plan.audio ? [plan.audio.id] : []), encoder: plan.encoder, ...(fallback ? { fallback } : {}) });
    if (fallback) emit({ type: 'warning', message: fallback });

    await out.prepare();
    scratch = await writing('the scratch directory', async () => {
      const root = request.scratchRoot ?? os.tmpdir();
      await mkdir(root, { recursive: true });
      return mkdtemp(path.join(root, 'live2vod-'));
    });
    const scratchDir = scratch;

    const remuxed = request.instantRemux ? instantRemux({ ffmpeg: request.binaries.ffmpeg, input: request.input, plan, out, signal: abort.signal, emit, stopwatch }) : Promise.resolve();
    const encoded = await encodeAll({ ffmpeg: request.binaries.ffmpeg, input: request.input, plan, scratch: scratchDir, signal: abort.signal, emit, stopwatch })
      .catch((error: unknown) => { abort.abort(); throw error; });
    await remuxed;
    const packaged = await stopwatch.step('package', () => packageAsset(plan, scratchDir, out));
    const thumbnails = await stopwatch.step('thumbnails', () => finishThumbnails(plan, scratchDir, out, packaged.duration));

    const spec = downloadSpec(plan);
    let download: { file: string; renditionId?: string; bytes: number } | undefined;
    if (request.download && spec) {
      download = await stopwatch.step('download', async () => {
        await writing('download/', () => mkdir(out.path('download'), { recursive: true }));
        const inputs = { ...(spec.video ? { video: path.join(scratchDir, spec.video) } : {}), ...(spec.audio ? { audio: path.join(scratchDir, spec.audio) } : {}) };
        await runProcess({ command: buildDownloadCommand(request.binaries.ffmpeg, inputs, out.path(spec.output)), stage: 'package', signal: abort.signal });
        const { size } = await stat(out.path(spec.output));
        return { file: spec.output, ...(plan.downloadRenditionId ? { renditionId: plan.downloadRenditionId } : {}), bytes: size };
      });
    }

    const manifest = await stopwatch.step('manifest', async () => {
      const files = await listFiles(out.root);
      const timingsMs = { ...stopwatch.timingsMs, total: Math.round(performance.now() - started) };
      const built = buildAssetManifest({
        version, plan, video: packaged.video, files, timingsMs, createdAt: new Date(),
        ...(fallback ? { fallback } : {}),
        ...(packaged.audio ? { audio: packaged.audio } : {}),
        ...(encoded.loudness ? { loudness: encoded.loudness } : {}),
        ...(thumbnails ? { thumbnails } : {}),
        ...(download ? { download } : {}),
      });
      // Written beside and renamed: the manifest appears whole or not at all.
      await writing(manifestName, async () => {
        const temporary = out.path(`${manifestName}.partial`);
        await writeFile(temporary, `${JSON.stringify(built, null, 2)}\n`);
        await rename(temporary, out.path(manifestName));
      });
      return built;
    });
    await out.markComplete();
    return { outDir: out.root, manifest };
  } catch (error) {
    abort.abort();
    await out.discard();
    throw error;
  } finally {
    request.signal?.removeEventListener('abort', onCallerAbort);
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Every file of the asset with its size, paths relative to the root, sorted. */
async function listFiles(root: string): Promise<AssetFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: AssetFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.push({ path: path.relative(root, full).split(path.sep).join('/'), bytes: (await stat(full)).size });
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
