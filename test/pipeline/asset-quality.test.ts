// manifest.json's quality and cost, from real encodes of a small moving test pattern: a rung with
// bits to spare must measure high SSIM and a starved rung of the same size clearly lower (so a
// comparison of misaligned frames, or of the wrong rendition, fails here), and the cost must be
// there and agree with itself. Whole and chunked assets alike. Loudness normalisation is off (not
// looked at), and the CLI runs in this process (runCliInProcess): the cost is its children's either way.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { makeTempDir, makeTestPattern, writeLadder, type TempDir } from '../helpers/media.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

describe('quality and cost in manifest.json', { timeout: 300_000 }, () => {
  let tmp: TempDir;
  let source: string;
  let ladder: string;
  let oneRung: string;

  before(async () => {
    tmp = await makeTempDir('live2vod-quality-');
    source = await makeTestPattern(tmp.dir, { seconds: 12, width: 640, height: 360, rate: 30, audio: 'sine' });
    ladder = await writeLadder(tmp.dir, 'rich-and-starved', [
      { width: 640, height: 360, bitrateKbps: 60 },
      { width: 640, height: 360, bitrateKbps: 3000 },
      { width: 320, height: 180, bitrateKbps: 600 },
    ]);
    oneRung = await writeLadder(tmp.dir, 'one', [{ width: 320, height: 180, bitrateKbps: 600 }]);
  });
  after(() => tmp.cleanup());

  /** `encoding`: the ladder and preset whose quality is measured, unless a test measures none. */
  async function transcode(name: string, flags: readonly string[], encoding = ['--ladder', ladder, '--preset', 'veryfast']): Promise<AssetManifest> {
    const out = path.join(tmp.dir, name);
    await runCliInProcess(['transcode', source, '--out', out, ...encoding, '--no-thumbnails', '--no-download', '--no-loudnorm', ...flags]);
    return JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as AssetManifest;
  }

  function assertQualityAndCost(manifest: AssetManifest): void {
    const quality = (id: string) => {
      const q = manifest.renditions.find((r) => r.id === id)?.quality;
      assert.ok(q, `${id} has quality figures`);
      return q;
    };
    const [rich, starved, small] = [quality('360p-3000k'), quality('360p-60k'), quality('180p-600k')];
    for (const q of [rich, starved, small]) {
      assert.ok(q.ssim !== null && q.ssim > 0 && q.ssim <= 1, `SSIM in 0..1: ${q.ssim}`);
      assert.ok(q.psnr !== null && q.psnr > 15 && q.psnr < 100, `PSNR plausible: ${q.psnr}`);
      assert.equal(q.vmaf, manifest.quality?.vmaf ? q.vmaf : null);
      assert.ok(q.frames >= 6, `frames compared: ${q.frames}`);
    }
    assert.ok(rich.ssim! > 0.97, `the rung with bits to spare is close to the source: SSIM ${rich.ssim}`);
    assert.ok(small.ssim! > 0.95, `a smaller rung, compared at its own size: SSIM ${small.ssim}`);
    assert.ok(starved.ssim! < rich.ssim! - 0.03, `the starved rung is clearly worse: ${starved.ssim} vs ${rich.ssim}`);
    assert.ok(starved.psnr! < rich.psnr! - 3, `and in PSNR: ${starved.psnr} vs ${rich.psnr}`);
    assert.ok(manifest.quality && manifest.quality.windows.length >= 1, 'the windows are named');

    const cost = manifest.cost;
    assert.ok(cost.cpuSeconds !== null, `cost measured: ${JSON.stringify(cost)}`);
    assert.ok(cost.cpuSeconds > 0.5, `CPU-seconds: ${cost.cpuSeconds}`);
    assert.ok(Math.abs(cost.cpuSecondsPerSourceSecond - cost.cpuSeconds / manifest.source.duration) < 0.01, `per source second: ${cost.cpuSecondsPerSourceSecond}`);
    const stages = Object.values(cost.byStage).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(stages - cost.cpuSeconds) < 0.05 * cost.processes + 0.01, `the stages add up: ${JSON.stringify(cost.byStage)}`);
    assert.ok((cost.byStage.encode ?? 0) > (cost.byStage.measure ?? 0), `encoding costs more than measuring: ${JSON.stringify(cost.byStage)}`);
  }

  test('a whole asset', async () => {
    const manifest = await transcode('whole', ['--chunk-seconds', '0']);
    assertQualityAndCost(manifest);
    assert.ok((manifest.cost.cpuSeconds !== null) && manifest.cost.byStage.probe! > 0, 'ffprobe is counted');
  });

  test('a chunked asset sums its chunks, its audio and its stitch', async () => {
    const manifest = await transcode('chunked', ['--chunk-seconds', '6', '--parallel', '2']);
    assert.equal(manifest.chunks?.count, 2);
    assertQualityAndCost(manifest);
  });

  test('turned off, no figures and still a cost', async () => {
    // Nothing is measured, so one small rung at ultrafast does.
    const manifest = await transcode('off', ['--chunk-seconds', '0', '--no-quality'], ['--ladder', oneRung, '--preset', 'ultrafast']);
    assert.equal(manifest.quality, null);
    assert.ok(manifest.renditions.every((r) => r.quality === null));
    assert.ok(manifest.cost.cpuSeconds !== null && manifest.cost.byStage.measure === undefined);
  });
});
