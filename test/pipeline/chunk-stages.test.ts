// Split-and-stitch across worker processes, through the worker contract alone: `live2vod worker`
// runs a split task (which lays out the chunks, then encodes the audio and the instant remux),
// the chunk tasks side by side (as an Indexed Job's pods would), then the stitch; they share nothing but the work area in the asset directory. A
// finished chunk is not encoded again, and the stages refuse what does not fit the split's plan.
// The same with an S3 output: chunk-stages-s3.test.ts.

import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveBinaries } from '../../src/ffmpeg/binaries.ts';
import { parseTranscodeTask } from '../../src/jobs/transcode-task.ts';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import type { WorkPlan } from '../../src/pipeline/chunked/work-area.ts';
import { runStage } from '../../src/pipeline/stage-handlers.ts';
import { assertAlignedKeyframeSegments, assertCompleteAsset, exists, loadAsset } from '../helpers/asset-checks.ts';
import { makeTempDir, makeTestPattern, runCli, writeLoggingFfmpeg, type LoggingFfmpeg, type TempDir } from '../helpers/media.ts';

describe('chunk stages across worker processes: split (with the audio) ∥ chunks → stitch', () => {
  let tmp: TempDir;
  let source: string;
  let out: string;
  let logged: LoggingFfmpeg;
  let env: NodeJS.ProcessEnv;
  let tasks = 0;

  before(async () => {
    tmp = await makeTempDir('live2vod-stages-');
    source = await makeTestPattern(tmp.dir, { seconds: 18, width: 320, height: 180, rate: 30, audio: 'sine', name: 'rec.mp4' });
    out = path.join(tmp.dir, 'asset');
    // Real ffmpeg, each video encode logged by its -ss, to see what ran.
    logged = await writeLoggingFfmpeg(tmp.dir);
    env = { ...process.env, LIVE2VOD_FFMPEG: logged.path };
  });
  after(() => tmp?.cleanup());

  const task = (stage: Record<string, unknown>): Record<string, unknown> => ({
    version: 2, jobId: 'job-stages', attempt: 1, source: { kind: 'local', path: source }, output: out,
    profile: { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], preset: 'ultrafast', loudness: false, chunkSeconds: 6 },
    sourceFetch: { maxBytes: 1e9, timeoutMs: 60_000, allow: [] },
    ...stage,
  });
  const worker = async (stage: Record<string, unknown>) => {
    const file = path.join(tmp.dir, `task-${tasks++}.json`);
    await writeFile(file, JSON.stringify(task(stage)));
    return runCli(['worker', '--task-file', file], { env });
  };
  // What the control plane gives the chunk and stitch tasks: the split's plan and ranges.
  const chunkTask = (plan: WorkPlan, index: number): Record<string, unknown> => {
    const chunk = plan.chunks.chunks[index]!;
    return { stage: 'chunk', plan: plan.fingerprint, chunk: { index, count: plan.chunks.chunks.length, startSeconds: chunk.startSeconds, endSeconds: chunk.endSeconds } };
  };

  test('each stage in its own process makes a complete asset; a finished chunk is not encoded again', async () => {
    const split = await worker({ stage: 'split', parallelism: 3 });
    assert.equal(split.code, 0, split.stderr);
    const plan = JSON.parse(await readFile(path.join(out, '.live2vod-chunks', 'plan.json'), 'utf8')) as WorkPlan;
    assert.deepEqual(plan.chunks.chunks.map((c) => c.startSeconds), [0, 6, 12]);
    // The layout went out as an event before the audio (the control plane starts the chunks on it).
    const events = split.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { type: string; plan?: string; ranges?: unknown[] });
    const layout = events.findIndex((e) => e.type === 'chunks');
    assert.ok(layout >= 0 && events[layout]?.plan === plan.fingerprint && events[layout]?.ranges?.length === 3, split.stderr);
    assert.ok(events.findIndex((e) => e.type === 'playable') > layout, 'the instant remux came after the layout, in the same worker');

    // Before any chunk: the stitch says what is missing (the split did the audio).
    const early = await worker({ stage: 'stitch', plan: plan.fingerprint });
    assert.equal(early.code, 2);
    assert.match(early.stderr, /unfinished work: chunk 0, chunk 1, chunk 2; run those stages first/);

    const units = await Promise.all(plan.chunks.chunks.map((_, i) => worker(chunkTask(plan, i))));
    for (const unit of units) assert.equal(unit.code, 0, unit.stderr);
    // A retried chunk (its pod preempted after it finished) finds its result and encodes nothing.
    const again = await worker(chunkTask(plan, 1));
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual((await logged.encodes()).sort(), ['0', '11.000000', '5.000000']);

    const stitch = await worker({ stage: 'stitch', plan: plan.fingerprint });
    assert.equal(stitch.code, 0, stitch.stderr);
    // A stitch retried after it had finished finds the asset complete and is done.
    const stitchAgain = await worker({ stage: 'stitch', plan: plan.fingerprint });
    assert.equal(stitchAgain.code, 0, stitchAgain.stderr);
    const asset = await loadAsset(out);
    // Its done report still carries what the encode found of the event, read back from manifest.json.
    const done = await runStage(parseTranscodeTask(task({ stage: 'stitch', plan: plan.fingerprint })), { signal: new AbortController().signal, binaries: resolveBinaries(), onEvent: () => {} });
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as AssetManifest;
    assert.ok(manifest.suggestedTrim);
    assert.deepEqual(done, { type: 'done', manifest: 'manifest.json', event: { suggestedTrim: manifest.suggestedTrim, chapterCount: manifest.chapters?.list.length ?? 0 } });
    await assertCompleteAsset(asset);
    await assertAlignedKeyframeSegments(asset, path.join(tmp.dir), 6, 1 / 30);
    assert.deepEqual(asset.manifest.chunks, { count: 3, seconds: 6 });
    assert.ok(asset.manifest.audio, 'the split made the audio track');
    // The chunks ran in other processes: their encodes reach the cost only through their results.
    const cost = asset.manifest.cost;
    assert.ok(cost.cpuSeconds !== null && (cost.byStage.encode ?? 0) > 0 && cost.processes >= 4, `the units' CPU is summed: ${JSON.stringify(cost)}`);
    assert.ok(asset.manifest.renditions.every((r) => r.quality !== null && r.quality.ssim !== null), 'the stitch sampled quality from the local source');
    assert.ok(await exists(path.join(out, 'instant', 'index.m3u8')), 'the split made the instant remux');
    assert.ok(!(await exists(path.join(out, '.live2vod-chunks'))), 'the work area is gone');
  });

  test('a chunk task that is not one the split planned is refused; so is one without a split or of another split', async () => {
    const fresh = path.join(tmp.dir, 'no-split');
    const file = path.join(tmp.dir, 'orphan.json');
    await writeFile(file, JSON.stringify({ ...task({ stage: 'chunk', plan: 'f'.repeat(64), chunk: { index: 0, count: 3, startSeconds: 0, endSeconds: 6 } }), output: fresh }));
    const orphan = await runCli(['worker', '--task-file', file], { env });
    assert.equal(orphan.code, 2);
    assert.match(orphan.stderr, /no chunk plan in .*: run the split stage of this job first/);

    assert.equal((await worker({ stage: 'split', parallelism: 3 })).code, 0);
    const plan = JSON.parse(await readFile(path.join(out, '.live2vod-chunks', 'plan.json'), 'utf8')) as WorkPlan;
    const wrong = await worker({ stage: 'chunk', plan: plan.fingerprint, chunk: { index: 1, count: 3, startSeconds: 5, endSeconds: 12 } });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /chunk 1 of 3 \(5–12 s\) is not one the split planned \(3 chunks of 6 s\)/);
    // A task of another split (another recording or attempt laid out the work area since).
    const foreign = await worker({ ...chunkTask(plan, 1), plan: 'e'.repeat(64) });
    assert.equal(foreign.code, 2);
    assert.match(foreign.stderr, /was laid out by another split/);
  });
});
