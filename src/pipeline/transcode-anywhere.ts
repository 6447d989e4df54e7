// A transcode whose source or destination may be remote: fetches an S3 or http(s) source into
// scratch, and publishes to an s3:// destination while it runs (segments as they are made,
// manifest.json last). Local to local is `transcode()` unchanged. With the instant remux on, a
// remote source is also opened for ranged reads while it downloads: the probe and the remux read
// it at once (playable in seconds, whatever the recording's size), the encodes read the download.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { SourceFetchPolicy } from '../jobs/source-fetch.ts';
import type { SourceLocation } from '../jobs/source-location.ts';
import type { OpenedStore } from '../storage/open-store.ts';
import { parseStorageUri } from '../storage/uri.ts';
import { AssetPublisher } from './asset-publisher.ts';
import { InstantMirror, mirrorInstantEvents } from './instant-mirror.ts';
import { openSourceInput } from './ranged/source-input.ts';
import type { TranscodeRequest } from './request.ts';
import { makeScratch } from './scratch.ts';
import { Stopwatch } from './stopwatch.ts';
import { transcode, type TranscodeResult } from './transcode.ts';

/** A transcode request whose input is a location rather than a local file. */
export type AnywhereRequest = Omit<TranscodeRequest, 'input'>;

export async function transcodeAnywhere(source: SourceLocation, request: AnywhereRequest, fetch: SourceFetchPolicy): Promise<TranscodeResult> {
  // Refuses a malformed destination before any work.
  const destination = parseStorageUri(request.outDir);
  if (source.kind === 'local' && destination.kind === 'local') return transcode({ ...request, input: source.path });

  const emit = request.onEvent ?? (() => undefined);
  const stopwatch = new Stopwatch(emit);
  const work = await makeScratch(request.scratchRoot, 'live2vod-job-');
  let store: OpenedStore | undefined;
  let publisher: AssetPublisher | undefined;
  let instant: InstantMirror | undefined;
  let closeSource: (() => Promise<void>) | undefined;
  try {
    const opened = await openSourceInput(source, { scratch: work, policy: fetch, ranged: request.instantRemux, emit, stopwatch, ...(request.signal ? { signal: request.signal } : {}) });
    closeSource = () => opened.close();
    const sourced = { ...request, input: opened.input, ...(opened.localInput ? { localInput: opened.localInput } : {}) };
    if (destination.kind === 'local') return await transcode(sourced);

    // Loaded on demand: the AWS SDK costs ~0.5 s of start-up that local transcodes should not pay.
    const { openObjectStore } = await import('../storage/open-store.ts');
    store = openObjectStore(request.outDir);
    const staging = path.join(work, 'asset');
    const activePublisher = new AssetPublisher(store, staging);
    publisher = activePublisher;
    await activePublisher.begin();
    const rel = (absolute: string) => path.relative(staging, absolute).split(path.sep).join('/');
    const mirror = new InstantMirror(activePublisher, staging);
    instant = mirror;
    const events = mirrorInstantEvents(mirror, emit);
    const result = await transcode({
      ...sourced,
      outDir: staging,
      onSegment: async (track, segment, absPath) => {
        // init.mp4 is complete before a track's first segment.
        if (segment.number === 1) await activePublisher.upload(rel(path.join(path.dirname(absPath), 'init.mp4')));
        await activePublisher.upload(rel(absPath));
        await request.onSegment?.(track, segment, absPath);
      },
      onEvent: events.emit,
    });
    await events.settled();
    await stopwatch.step('publish', () => activePublisher.finish(result.manifest.files.map((f) => f.path).concat('manifest.json')));
    return { ...result, outDir: request.outDir };
  } catch (error) {
    instant?.stop();
    await publisher?.abort();
    throw error;
  } finally {
    instant?.stop();
    // Settled before scratch goes: a download stopped by a failure must not write into a removed directory.
    await closeSource?.();
    await store?.close();
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}
