// A bench for "transcode this awkward source and check the asset" tests: a temp dir, a one-rung
// ladder, a scratch folder for ffprobe inputs, and the structural checks every asset must pass.
// Transcodes run the CLI in the test's own process (cli-in-process.ts).

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  assertCompleteAsset, assertMpdMatchesHls, assertVariantBandwidths, assertVariantsMatchStreams, concatTrack, loadAsset,
  trackFiles, videoVariants, type LoadedAsset,
} from './asset-checks.ts';
import { runCliInProcess } from './cli-in-process.ts';
import { ffprobeJson, makeTempDir, writeLadder, type ProbeResult } from './media.ts';

export interface SourceBench {
  dir: string;
  scratch: string;
  /** One rung, 320x180 @ 300 kb/s (swapped to 180x320 for portrait sources). */
  smallLadder: string;
  /** The default transcode flags: x264 ultrafast with smallLadder; tests add --no-* for stages they do not look at. */
  oneRung: readonly string[];
  /**
   * Transcodes with the one-rung ladder (x264 ultrafast unless `flags` say otherwise) and runs the
   * structural checks. `bandwidths: false` leaves out the RFC 8216 peak check, for sources whose
   * last segment is very short (see the todo test in transcode-video-sources.test.ts).
   */
  transcode(source: string, flags?: readonly string[], options?: { bandwidths?: boolean }): Promise<LoadedAsset>;
  /** ffprobe of a rendition's init + all segments; `file` is that concatenation. */
  probeRendition(asset: LoadedAsset, playlistUri: string, args?: readonly string[]): Promise<{ file: string; probe: ProbeResult }>;
  /** The (first) video rendition lasts as long as the source's video, within `tolerance` seconds. */
  assertVideoDuration(asset: LoadedAsset, source: string, tolerance: number): Promise<void>;
  cleanup(): Promise<void>;
}

export async function createSourceBench(prefix: string): Promise<SourceBench> {
  const tmp = await makeTempDir(prefix);
  const scratch = path.join(tmp.dir, 'scratch');
  await mkdir(scratch);
  const smallLadder = await writeLadder(tmp.dir, 'small', [{ width: 320, height: 180, bitrateKbps: 300 }]);
  const oneRung = ['--preset', 'ultrafast', '--ladder', smallLadder];
  let n = 0;

  const bench: SourceBench = {
    dir: tmp.dir,
    scratch,
    smallLadder,
    oneRung,
    async transcode(source, flags = oneRung, options = {}) {
      const out = path.join(tmp.dir, `asset-${n++}-${path.basename(source).replace(/\W+/g, '-')}`);
      await runCliInProcess(['transcode', source, '--out', out, '--scratch', path.join(tmp.dir, 'live2vod-scratch'), ...flags]);
      const asset = await loadAsset(out);
      await assertCompleteAsset(asset);
      assertMpdMatchesHls(asset);
      await assertVariantsMatchStreams(asset, scratch);
      if (options.bandwidths !== false) await assertVariantBandwidths(asset);
      return asset;
    },
    async probeRendition(asset, playlistUri, args = ['-show_streams', '-show_format']) {
      const file = await concatTrack(await trackFiles(asset, playlistUri), scratch, `probe-${n++}.mp4`);
      return { file, probe: await ffprobeJson(file, args) };
    },
    async assertVideoDuration(asset, source, tolerance) {
      const sourceVideo = (await ffprobeJson(source, ['-select_streams', 'v:0', '-show_streams', '-count_packets'])).streams?.[0];
      const [num = 0, den = 1] = (sourceVideo?.avg_frame_rate ?? '0/1').split('/').map(Number);
      const expected = Number(sourceVideo?.nb_read_packets) / (num / den);
      const [variant] = videoVariants(asset);
      assert.ok(variant, 'a video variant');
      const { probe } = await bench.probeRendition(asset, variant.uri, ['-show_format']);
      const duration = Number(probe.format?.duration);
      assert.ok(Math.abs(duration - expected) <= tolerance + 1e-6, `rendition lasts ${duration} s, the source's video ${expected} s`);
    },
    cleanup: tmp.cleanup,
  };
  return bench;
}
