// Chunked attempts run by the control plane: split (which goes on with the audio) → chunks →
// stitch as separate units in the scheduler's slots, against a real SQLite store and the FakeExecutor (named so: the test
// plays the workers, reporting and exiting as `live2vod worker` would).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExitCode } from '../../src/errors/index.ts';
import type { Job } from '../../src/jobs/job.ts';
import type { TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { chunkGroupKey, unitKey, unitName } from '../../src/jobs/work-unit.ts';
import { FakeGroupExecutor, rig, type Rig } from '../helpers/scheduler-rig.ts';
import { waitFor } from '../helpers/serve.ts';

const plan = 'f'.repeat(64);
const ranges = (count: number, seconds = 60) => Array.from({ length: count }, (_, i) => ({ startSeconds: i * seconds, endSeconds: (i + 1) * seconds }));

/**
 * The split of `job` reports its chunks, as a worker does; then (`exit`) its audio is done and it
 * exits, or it goes on running (the test ends it later with `endSplit`).
 */
async function splitInto(r: Rig, job: Job, count: number, options: { finished?: number[]; exit?: boolean } = {}): Promise<void> {
  const split = await launched(r, `${job.id}/split`);
  assert.equal(split.stage, 'split');
  const layout = { count, seconds: 60, plan, ranges: ranges(count), finished: options.finished ?? [] };
  await r.scheduler.onWorkerReport(job.id, { type: 'chunks', ...layout }, 'split');
  if (options.exit ?? true) await endSplit(r, job, count);
}

async function endSplit(r: Rig, job: Job, count: number): Promise<void> {
  await r.scheduler.onWorkerReport(job.id, { type: 'done', chunks: { count, seconds: 60, plan, ranges: ranges(count), finished: [] } }, 'split');
  r.executor.exit(`${job.id}/split`, 0);
}

/** Waits for the unit to be running and returns its task. */
async function launched(r: Rig, key: string): Promise<TranscodeTask> {
  return waitFor(`${key} to be launched`, () => (r.executor.running().includes(key) ? [...r.executor.launches].reverse().find((t) => unitKey(t) === key) : undefined), { timeoutMs: 5000, intervalMs: 5 });
}

function launchesOf(r: Rig, jobId: string): string[] {
  return r.executor.launches.filter((t) => t.jobId === jobId).map((t) => unitName(t));
}

function chunkEvents(r: Rig, jobId: string): { index: number; state: string }[] {
  return r.changes.filter((c) => c.type === 'job.chunk' && c.job.id === jobId).map((c) => ({ index: Number(c.data?.index), state: String(c.data?.state) }));
}

describe('Scheduler: chunked attempts across workers', () => {
  it('runs the split, the chunks in the free slots as soon as it has laid them out, then the stitch; progress is the sum over chunks', async (t) => {
    const r = await rig(t, { capacity: 2, chunkAcrossWorkers: () => ({ parallelism: 2 }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    // The split goes on with the audio: chunk 0 takes the other slot meanwhile.
    await splitInto(r, job, 3, { exit: false });
    const chunk0 = await launched(r, `${job.id}/chunk-0`);
    assert.equal(r.executor.running().length, 2, 'never more than the slots');
    assert.ok(chunk0.stage === 'chunk' && chunk0.plan === plan && chunk0.chunk.count === 3 && chunk0.chunk.startSeconds === 0 && chunk0.chunk.endSeconds === 60);

    await r.scheduler.onWorkerReport(job.id, { type: 'progress', percent: 50, outTime: 30 }, 'chunk-0');
    assert.ok(Math.abs((await r.store.getJob(job.id))!.progress - 0.95 * (30 / 180)) < 1e-9, 'half of one chunk of three');
    // The split's own progress (its audio) is not the job's.
    await r.scheduler.onWorkerReport(job.id, { type: 'progress', percent: 90, outTime: 90 }, 'split');
    assert.ok(Math.abs((await r.store.getJob(job.id))!.progress - 0.95 * (30 / 180)) < 1e-9);

    r.executor.exit(`${job.id}/chunk-0`, 0);
    await launched(r, `${job.id}/chunk-1`);
    await endSplit(r, job, 3);
    await launched(r, `${job.id}/chunk-2`);
    r.executor.exit(`${job.id}/chunk-1`, 0);
    r.executor.exit(`${job.id}/chunk-2`, 0);
    const stitch = await launched(r, `${job.id}/stitch`);
    assert.ok(stitch.stage === 'stitch' && stitch.plan === plan);
    assert.equal((await r.store.getJob(job.id))?.state, 'running', 'not done before the stitch');
    r.executor.exit(`${job.id}/stitch`, 0);
    const done = await r.waitForState(job.id, 'succeeded');
    assert.equal(done.attempts, 1);
    assert.deepEqual(launchesOf(r, job.id), ['split', 'chunk-0', 'chunk-1', 'chunk-2', 'stitch']);
    const events = chunkEvents(r, job.id);
    for (const index of [0, 1, 2]) assert.deepEqual(events.filter((e) => e.index === index).map((e) => e.state), ['running', 'done'], `chunk ${index} on the job's timeline`);
  });

  it('the stitch waits for the split (its audio) even when every chunk is done', async (t) => {
    const r = await rig(t, { capacity: 3, chunkAcrossWorkers: () => ({ parallelism: 2 }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await splitInto(r, job, 2, { exit: false });
    await launched(r, `${job.id}/chunk-0`);
    await launched(r, `${job.id}/chunk-1`);
    r.executor.exit(`${job.id}/chunk-0`, 0);
    r.executor.exit(`${job.id}/chunk-1`, 0);
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.ok(!launchesOf(r, job.id).includes('stitch'), 'no stitch while the split still encodes the audio');
    await endSplit(r, job, 2);
    await launched(r, `${job.id}/stitch`);
  });

  it('a chunk failing for a retryable reason is tried again alone; the job keeps its attempt', async (t) => {
    const r = await rig(t, { capacity: 1, chunkAcrossWorkers: () => ({ parallelism: 4 }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await splitInto(r, job, 2);
    await launched(r, `${job.id}/chunk-0`);
    await r.scheduler.onWorkerReport(job.id, { type: 'failed', message: 'ffmpeg was killed', exitCode: 1, retryable: true }, 'chunk-0');
    r.executor.exit(`${job.id}/chunk-0`, 1);
    // Tried again before the next chunk: the order of the waiting units is kept.
    await waitFor('chunk 0 again', () => launchesOf(r, job.id).filter((u) => u === 'chunk-0').length === 2, { timeoutMs: 5000, intervalMs: 5 });
    r.executor.exit(`${job.id}/chunk-0`, 0);
    await launched(r, `${job.id}/chunk-1`);
    r.executor.exit(`${job.id}/chunk-1`, 0);
    await launched(r, `${job.id}/stitch`);
    r.executor.exit(`${job.id}/stitch`, 0);
    const done = await r.waitForState(job.id, 'succeeded');
    assert.equal(done.attempts, 1, 'the retry of a chunk is not a retry of the job');
    assert.deepEqual(launchesOf(r, job.id), ['split', 'chunk-0', 'chunk-0', 'chunk-1', 'stitch'], 'chunk 1 ran once');
    assert.deepEqual(chunkEvents(r, job.id).filter((e) => e.index === 0).map((e) => e.state), ['running', 'retrying', 'running', 'done']);
  });

  it('a chunk with bad input fails the job at once and stops the other units', async (t) => {
    const r = await rig(t, { capacity: 3, chunkAcrossWorkers: () => ({ parallelism: 3 }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await splitInto(r, job, 4, { exit: false });
    await launched(r, `${job.id}/chunk-1`);
    await r.scheduler.onWorkerReport(job.id, { type: 'failed', message: 'invalid data found when processing input', exitCode: ExitCode.badInput, retryable: false }, 'chunk-1');
    r.executor.exit(`${job.id}/chunk-1`, ExitCode.badInput);
    const failed = await r.waitForState(job.id, 'failed');
    assert.match(failed.error?.message ?? '', /invalid data/);
    assert.deepEqual(r.executor.stops.map((s) => s.unit).sort(), [`${job.id}/chunk-0`, `${job.id}/split`].sort(), 'the others were stopped (the split with its audio too)');
    assert.deepEqual(r.executor.running(), []);
    assert.ok(!launchesOf(r, job.id).includes('chunk-2'), 'nothing new starts once the attempt has failed');
  });

  it("an urgent job's split and chunks go before a low job's waiting chunks, and preemption takes a low chunk, which runs again later", async (t) => {
    const r = await rig(t, { capacity: 2, chunkAcrossWorkers: () => ({ parallelism: 2 }) });
    const low = await r.add('low');
    await r.scheduler.start({ recoverAll: false });
    await splitInto(r, low, 4);
    await launched(r, `${low.id}/chunk-0`);
    await launched(r, `${low.id}/chunk-1`);

    const urgent = await r.add('urgent');
    r.scheduler.kick();
    await waitFor('the preemption', () => r.executor.stops.length > 0, { timeoutMs: 5000, intervalMs: 5 });
    assert.equal(r.executor.stops.length, 1, 'one slot is enough for the urgent split');
    const victim = r.executor.stops[0]!;
    assert.equal(victim.reason, 'preempt');
    assert.match(victim.unit, new RegExp(`^${low.id}/chunk-[01]$`));
    await splitInto(r, urgent, 2);
    // The urgent chunks take both slots: the second by preempting the other low chunk.
    await launched(r, `${urgent.id}/chunk-0`);
    await launched(r, `${urgent.id}/chunk-1`);
    assert.deepEqual(r.executor.stops.map((s) => s.unit).sort(), [`${low.id}/chunk-0`, `${low.id}/chunk-1`]);
    assert.ok(r.executor.stops.every((s) => s.reason === 'preempt'));
    assert.equal((await r.store.getJob(low.id))?.state, 'running', 'the low job keeps its claim: only chunks were taken');
    r.executor.exit(`${urgent.id}/chunk-0`, 0);
    r.executor.exit(`${urgent.id}/chunk-1`, 0);
    await launched(r, `${urgent.id}/stitch`);
    r.executor.exit(`${urgent.id}/stitch`, 0);
    await r.waitForState(urgent.id, 'succeeded');

    // The low job goes on where it was: the preempted chunks again, without losing its attempt.
    while ((await r.store.getJob(low.id))?.state === 'running') {
      const next = await waitFor('a low unit', async () => r.executor.running().find((u) => u.startsWith(low.id)) ?? ((await r.store.getJob(low.id))?.state === 'running' ? undefined : 'ended'), { timeoutMs: 5000, intervalMs: 5 });
      if (next !== 'ended') r.executor.exit(next, 0);
      await r.scheduler.idle();
    }
    const done = await r.waitForState(low.id, 'succeeded');
    assert.equal(done.attempts, 1);
    assert.deepEqual(launchesOf(r, low.id).filter((u) => u.startsWith('chunk-')).sort(), ['chunk-0', 'chunk-0', 'chunk-1', 'chunk-1', 'chunk-2', 'chunk-3'], 'the preempted chunks ran twice, the others once');
    assert.deepEqual(chunkEvents(r, low.id).filter((e) => e.index === 0).map((e) => e.state), ['running', 'retrying', 'running', 'done']);
  });

  it('cancel stops every running unit of the job at once', async (t) => {
    const r = await rig(t, { capacity: 3, chunkAcrossWorkers: () => ({ parallelism: 3 }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await splitInto(r, job, 5, { exit: false });
    await waitFor('three units running', () => r.executor.running().length === 3, { timeoutMs: 5000, intervalMs: 5 });
    await r.store.requestCancel(job.id, new Date(r.clock.ms));
    await r.scheduler.cancel(job.id);
    await r.waitForState(job.id, 'cancelled');
    assert.equal(r.executor.stops.length, 3);
    assert.ok(r.executor.stops.every((s) => s.reason === 'cancel'));
    assert.deepEqual(r.executor.running(), []);
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.equal(launchesOf(r, job.id).length, 3, 'nothing started after the cancel (the split and two chunks ran)');
  });

  it('cancel settles a job at once when none of its units runs (all preempted or waiting)', async (t) => {
    const r = await rig(t, { capacity: 1, chunkAcrossWorkers: () => ({ parallelism: 2 }) });
    const low = await r.add('low');
    await r.scheduler.start({ recoverAll: false });
    await splitInto(r, low, 2);
    await launched(r, `${low.id}/chunk-0`);
    const urgent = await r.add('urgent');
    r.scheduler.kick();
    await launched(r, `${urgent.id}/split`);
    assert.equal(r.executor.running().filter((u) => u.startsWith(low.id)).length, 0, 'the low job has nothing running');
    await r.store.requestCancel(low.id, new Date(r.clock.ms));
    await r.scheduler.cancel(low.id);
    await r.waitForState(low.id, 'cancelled');
  });

  it('a recording too short to cut is encoded whole after its split', async (t) => {
    const r = await rig(t, { capacity: 2, chunkAcrossWorkers: () => ({ parallelism: 2 }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    const split = await launched(r, `${job.id}/split`);
    await r.scheduler.onWorkerReport(job.id, { type: 'done', chunks: null }, 'split');
    r.executor.exit(unitKey(split), 0);
    const whole = await launched(r, job.id);
    assert.equal(whole.stage, 'full');
    await r.scheduler.onWorkerReport(job.id, { type: 'progress', percent: 40, outTime: 4 });
    assert.equal((await r.store.getJob(job.id))?.progress, 0.4);
    r.executor.exit(job.id, 0);
    await r.waitForState(job.id, 'succeeded');
  });

  it('with wholeHere, a split that finds the recording too short encodes it itself: its progress is the job\'s, no second worker', async (t) => {
    const r = await rig(t, { capacity: 2, chunkAcrossWorkers: () => ({ parallelism: 2, wholeHere: true }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    const split = await launched(r, `${job.id}/split`);
    assert.ok(split.stage === 'split' && split.wholeHere, 'the split task says it may encode whole');
    await r.scheduler.onWorkerReport(job.id, { type: 'plan', renditions: ['180p'], encoder: 'libx264' }, 'split');
    await r.scheduler.onWorkerReport(job.id, { type: 'progress', percent: 40, outTime: 4 }, 'split');
    assert.equal((await r.store.getJob(job.id))?.progress, 0.4);
    await r.scheduler.onWorkerReport(job.id, { type: 'done', manifest: 'manifest.json' }, 'split');
    r.executor.exit(unitKey(split), 0);
    await r.waitForState(job.id, 'succeeded');
    assert.deepEqual(r.executor.launches.map(unitKey), [`${job.id}/split`], 'only the split ran');
  });

  it('a split encoding whole has a full unit\'s rules: its failure ends the attempt, its exit 0 succeeds without its done', async (t) => {
    const r = await rig(t, { capacity: 1, chunkAcrossWorkers: () => ({ parallelism: 2, wholeHere: true }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    const split = await launched(r, `${job.id}/split`);
    await r.scheduler.onWorkerReport(job.id, { type: 'plan', renditions: ['180p'], encoder: 'libx264' }, 'split');
    r.executor.exit(unitKey(split), 1);
    // A split's retryable failure would run it again in this attempt; a whole encode's fails the attempt.
    const requeued = await r.waitForState(job.id, 'queued');
    assert.equal(requeued.attempts, 1);
    assert.deepEqual(launchesOf(r, job.id), ['split']);

    const again = await r.add('normal');
    const second = await launched(r, `${again.id}/split`);
    await r.scheduler.onWorkerReport(again.id, { type: 'plan', renditions: ['180p'], encoder: 'libx264' }, 'split');
    r.executor.exit(unitKey(second), 0);
    await r.waitForState(again.id, 'succeeded');
  });

  it('a split whose report was lost fails its attempt as retryable', async (t) => {
    const r = await rig(t, { capacity: 1, chunkAcrossWorkers: () => ({ parallelism: 2 }) });
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    const split = await launched(r, `${job.id}/split`);
    r.executor.exit(unitKey(split), 0);
    const requeued = await r.waitForState(job.id, 'queued');
    assert.match(requeued.error?.message ?? '', /without reporting its chunks/);
  });

  it('on an executor with indexed groups, all chunks of an attempt are one group beside the split', async (t) => {
    const r = await rig(t, { capacity: 4, groups: true, chunkAcrossWorkers: () => ({ parallelism: 16 }) });
    const executor = r.executor as FakeGroupExecutor;
    const job = await r.add('high');
    await r.scheduler.start({ recoverAll: false });
    await splitInto(r, job, 6, { finished: [2], exit: false });
    await waitFor('the group', () => r.executor.running().includes(chunkGroupKey(job.id)), { timeoutMs: 5000, intervalMs: 5 });
    assert.deepEqual(executor.groups[0]?.map((task) => task.chunk.index), [0, 1, 3, 4, 5], 'the chunk an earlier attempt finished is left out');
    // Each index reports as its own unit: progress sums over them.
    await r.scheduler.onWorkerReport(job.id, { type: 'progress', percent: 100, outTime: 60 }, 'chunk-0');
    await r.scheduler.onWorkerReport(job.id, { type: 'done' }, 'chunk-0');
    assert.ok(Math.abs((await r.store.getJob(job.id))!.progress - 0.95 * (120 / 360)) < 1e-9, 'chunk 2 (kept) and chunk 0');
    await endSplit(r, job, 6);
    r.executor.exit(chunkGroupKey(job.id), 0);
    await launched(r, `${job.id}/stitch`);
    r.executor.exit(`${job.id}/stitch`, 0);
    await r.waitForState(job.id, 'succeeded');
    const events = chunkEvents(r, job.id);
    assert.deepEqual(events.filter((e) => e.index === 0).map((e) => e.state), ['running', 'done'], 'from its own reports');
    for (const index of [1, 2, 3, 4, 5]) assert.deepEqual(events.filter((e) => e.index === index).map((e) => e.state), ['done'], `chunk ${index}: done when the group (or an earlier attempt) finished it`);
  });
});
