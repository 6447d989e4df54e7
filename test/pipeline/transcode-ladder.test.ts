// The ladder `live2vod transcode` would make for each kind of source, read from `live2vod probe
// --json` against real (tiny) files: fast, nothing is encoded but the 1-second sources themselves.
// The probe command runs through the CLI's main() in this process (no Node start-up per probe).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AudioRendition, SourceInfo, VideoRendition } from '../../src/media/types.ts';
import {
  make1080p30, make720p60, makeInterlacedSd, makeOddSize, makePortrait, makeRotated, makeTempDir, makeVfr, type TempDir,
} from '../helpers/media.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

interface ProbeOutput {
  source: SourceInfo;
  plan: {
    encoder: string;
    fallback: string | null;
    video: VideoRendition[];
    audio: AudioRendition | null;
    deinterlace: boolean;
    gopSeconds: number;
    segmentSeconds: number;
    download: string | null;
  };
}

/** The fixed preset by name, whatever the default ladder kind: these are its rungs. */
async function probe(file: string, ...flags: string[]): Promise<ProbeOutput> {
  const { stdout } = await runCliInProcess(['probe', file, '--json', '--ladder', 'apple', ...flags]);
  return JSON.parse(stdout) as ProbeOutput;
}

const fps = (r: { num: number; den: number }): number => r.num / r.den;
const summary = (plan: ProbeOutput['plan']) => plan.video.map((r) => ({ id: r.id, size: `${r.width}x${r.height}`, fps: fps(r.frameRate), kbps: r.bitrateKbps }));

/** What holds for every planned ladder: even sizes, never above the source, ids, rate control. */
function assertLadderInvariants(out: ProbeOutput): void {
  const video = out.source.video;
  assert.ok(video, 'the source has video');
  assert.ok(out.plan.video.length > 0, 'at least one rendition');
  const ids = out.plan.video.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length, `rendition ids are unique: ${ids.join(', ')}`);
  for (const r of out.plan.video) {
    assert.equal(r.width % 2, 0, `${r.id}: even width`);
    assert.equal(r.height % 2, 0, `${r.id}: even height`);
    assert.ok(r.width <= video.displayWidth && r.height <= video.displayHeight, `${r.id}: ${r.width}x${r.height} upscales the ${video.displayWidth}x${video.displayHeight} source`);
    assert.equal(r.id, `${Math.min(r.width, r.height)}p-${r.bitrateKbps}k`);
    assert.equal(r.maxrateKbps, r.bitrateKbps, `${r.id}: capped at its bitrate`);
    assert.equal(r.bufsizeKbps, 2 * r.bitrateKbps, `${r.id}: two seconds of buffer`);
    assert.ok(fps(r.frameRate) <= fps(video.frameRate) + 1e-9, `${r.id}: frame rate above the source's`);
  }
  for (let i = 1; i < out.plan.video.length; i++) {
    assert.ok((out.plan.video[i]?.bitrateKbps ?? 0) > (out.plan.video[i - 1]?.bitrateKbps ?? 0), 'renditions ordered by bitrate');
  }
  assert.equal(out.plan.gopSeconds, 2);
  assert.equal(out.plan.segmentSeconds, 6);
  assert.ok(out.plan.download !== null && ids.includes(out.plan.download), 'the download is one of the renditions');
}

describe('planned ladder per source (probe --json)', () => {
  let tmp: TempDir;
  const src: Record<string, string> = {};

  before(async () => {
    tmp = await makeTempDir('live2vod-ladder-');
    const made = await Promise.all([
      make1080p30(tmp.dir, 1), make720p60(tmp.dir, 1), makePortrait(tmp.dir, 1), makeInterlacedSd(tmp.dir, 1),
      makeOddSize(tmp.dir, 1), makeRotated(tmp.dir, 1), makeVfr(tmp.dir, 2),
    ]);
    [src.landscape, src.hd60, src.portrait, src.sd, src.odd, src.rotated, src.vfr] = made;
  });
  after(() => tmp?.cleanup());

  test('1080p30 → the 7 H.264 rungs from 640x360 @ 365k to 1920x1080 @ 7800k, all at 30 fps', async () => {
    const out = await probe(src.landscape!);
    assertLadderInvariants(out);
    assert.equal(out.plan.encoder, 'libx264');
    assert.equal(out.plan.fallback, null);
    assert.deepEqual(summary(out.plan), [
      { id: '360p-365k', size: '640x360', fps: 30, kbps: 365 },
      { id: '432p-730k', size: '768x432', fps: 30, kbps: 730 },
      { id: '540p-2000k', size: '960x540', fps: 30, kbps: 2000 },
      { id: '720p-3000k', size: '1280x720', fps: 30, kbps: 3000 },
      { id: '720p-4500k', size: '1280x720', fps: 30, kbps: 4500 },
      { id: '1080p-6000k', size: '1920x1080', fps: 30, kbps: 6000 },
      { id: '1080p-7800k', size: '1920x1080', fps: 30, kbps: 7800 },
    ]);
    // Two rungs of one size must not be the same encode: the richer one gets a lower CRF.
    const byId = new Map(out.plan.video.map((r) => [r.id, r]));
    assert.ok(byId.get('720p-4500k')!.crf < byId.get('720p-3000k')!.crf);
    assert.ok(byId.get('1080p-7800k')!.crf < byId.get('1080p-6000k')!.crf);
    assert.equal(out.plan.deinterlace, false);
    assert.equal(out.source.video?.variableFrameRate, false);
    assert.deepEqual(out.plan.audio && { channels: out.plan.audio.channels, sampleRate: out.plan.audio.sampleRate, language: out.plan.audio.language }, { channels: 2, sampleRate: 48000, language: 'en' });
    assert.equal(out.plan.download, '720p-3000k', 'the middle rung is the download');
  });

  test('720p60 → 5 rungs up to 1280x720; 60 fps from 540p up, 30 fps on 360p and 432p', async () => {
    const out = await probe(src.hd60!);
    assertLadderInvariants(out);
    assert.deepEqual(summary(out.plan), [
      { id: '360p-365k', size: '640x360', fps: 30, kbps: 365 },
      { id: '432p-730k', size: '768x432', fps: 30, kbps: 730 },
      { id: '540p-2000k', size: '960x540', fps: 60, kbps: 2000 },
      { id: '720p-3000k', size: '1280x720', fps: 60, kbps: 3000 },
      { id: '720p-4500k', size: '1280x720', fps: 60, kbps: 4500 },
    ]);
  });

  test('portrait 1080x1920 → portrait rungs 360x640 … 1080x1920', async () => {
    const out = await probe(src.portrait!);
    assertLadderInvariants(out);
    assert.deepEqual(out.plan.video.map((r) => `${r.width}x${r.height}`), ['360x640', '432x768', '540x960', '720x1280', '720x1280', '1080x1920', '1080x1920']);
    assert.deepEqual(out.plan.video.map((r) => r.id), ['360p-365k', '432p-730k', '540p-2000k', '720p-3000k', '720p-4500k', '1080p-6000k', '1080p-7800k']);
  });

  test('interlaced 4:3 PAL SD (720x576, SAR 16:15) → square-pixel 4:3 rungs no taller than 576, deinterlaced', async () => {
    const out = await probe(src.sd!);
    assertLadderInvariants(out);
    const video = out.source.video!;
    assert.equal(video.interlaced, true, 'field_order tt is interlaced');
    assert.deepEqual(video.sampleAspectRatio, { num: 16, den: 15 });
    assert.deepEqual([video.displayWidth, video.displayHeight], [768, 576]);
    assert.equal(out.plan.deinterlace, true);
    assert.deepEqual(out.plan.video.map((r) => `${r.width}x${r.height}`), ['480x360', '576x432', '720x540']);
    for (const r of out.plan.video) {
      assert.equal(r.width * 3, r.height * 4, `${r.id}: 4:3`);
      assert.ok(r.height <= 576);
      assert.equal(fps(r.frameRate), 25, `${r.id}: 25 fps (one frame per interlaced frame)`);
    }
    // Narrower than the 16:9 box: proportionally fewer bits.
    assert.ok(out.plan.video[0]!.bitrateKbps < 365);
  });

  test('odd size 853x479 → even sizes no larger than the source', async () => {
    const out = await probe(src.odd!);
    assertLadderInvariants(out);
    assert.deepEqual([out.source.video?.width, out.source.video?.height], [853, 479]);
    assert.deepEqual(out.plan.video.map((r) => `${r.width}x${r.height}`), ['640x360', '768x432']);
  });

  test('phone video coded 1280x720 with rotate=90 → the displayed portrait ladder', async () => {
    const out = await probe(src.rotated!);
    assertLadderInvariants(out);
    const video = out.source.video!;
    assert.deepEqual([video.width, video.height], [1280, 720], 'coded landscape');
    assert.ok(video.rotation === 90 || video.rotation === 270, `rotation ${video.rotation}`);
    assert.deepEqual([video.displayWidth, video.displayHeight], [720, 1280], 'displayed portrait');
    assert.deepEqual(out.plan.video.map((r) => `${r.width}x${r.height}`), ['360x640', '432x768', '540x960', '720x1280', '720x1280']);
  });

  test('variable frame rate (30 fps then 15 fps) → flagged variable, one constant nominal rate for every rung', async () => {
    const out = await probe(src.vfr!);
    assertLadderInvariants(out);
    const video = out.source.video!;
    assert.equal(video.variableFrameRate, true);
    const nominal = fps(video.frameRate);
    assert.ok(Number.isInteger(video.frameRate.num) && Number.isInteger(video.frameRate.den) && video.frameRate.den > 0);
    assert.ok(nominal >= 15 && nominal <= 30, `nominal rate ${nominal} lies within the source's 15–30 fps`);
    for (const r of out.plan.video) assert.deepEqual(r.frameRate, video.frameRate, `${r.id}: the nominal rate`);
  });

  test('--codec hevc plans the HEVC ladder (≈35 % fewer bits) with libx265', async () => {
    const out = await probe(src.landscape!, '--codec', 'hevc');
    assertLadderInvariants(out);
    assert.equal(out.plan.encoder, 'libx265');
    assert.ok(out.plan.video.every((r) => r.codec === 'hevc'));
    assert.deepEqual(out.plan.video.map((r) => r.bitrateKbps), [235, 475, 1300, 1950, 2925, 3900, 5070]);
  });
});
