// The applied trim as the control plane makes it: a succeeded transcode whose request asked for a
// trim gets one clip job of it (the trimmed asset), with the real SQLite store, events and intake
// (the parent's manifest.json is the one thing stood in for: no media here).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { applyRequestedTrims, catchUpRequestedTrims, trimClipKey } from '../../src/jobs/apply-requested-trim.ts';
import type { JobEventSummary } from '../../src/jobs/event-summary.ts';
import { IntakeService } from '../../src/jobs/intake-service.ts';
import { JobEvents } from '../../src/jobs/job-events.ts';
import type { Job } from '../../src/jobs/job.ts';
import { parseSourceLocation } from '../../src/jobs/source-location.ts';
import { SourcePolicy } from '../../src/jobs/source-policy.ts';
import type { TrimRequest } from '../../src/jobs/trim-request.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';

const assetSeconds = 60;
const suggested: JobEventSummary = {
  suggestedTrim: { start: 15.04, end: 50.02, why: ['black picture and silence from the start to 15.04 s', 'still picture and silence from 50.02 s to the end'] },
  chapterCount: 1,
};

describe('applyRequestedTrims', () => {
  let dir: string;
  let store: Store;
  let events: JobEvents;
  let stop: () => void;
  let recording: string;
  let outcomes: { created: Job[]; refused: unknown[] };
  let settled: () => Promise<void>;

  const intakeWith = (defaultTrim?: TrimRequest) => new IntakeService({
    store, events, sources: new SourcePolicy([dir]), maxAttempts: 3, defaultPriority: () => 'normal',
    readAssetManifest: async () => ({ duration: assetSeconds }),
    ...(defaultTrim ? { defaultTrim } : {}),
  });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'live2vod-trim-'));
    recording = path.join(dir, 'talk.mp4');
    await writeFile(recording, 'not media: the worker is not run here');
    store = await openSqliteStore(path.join(dir, 'live2vod.db'));
    events = new JobEvents();
    outcomes = { created: [], refused: [] };
    let pending: (() => void)[] = [];
    const done = () => { for (const resolve of pending) resolve(); pending = []; };
    settled = () => new Promise((resolve) => pending.push(resolve));
    stop = applyRequestedTrims({
      events, intake: intakeWith(),
      onCreated: (_parent, trimmed) => { outcomes.created.push(trimmed); done(); },
      onRefused: (_id, error) => { outcomes.refused.push(error); done(); },
    });
  });

  afterEach(async () => {
    stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A job through the intake, run and succeeded with `event`, and its asset.ready published. */
  async function succeed(trim: TrimRequest | undefined, event: JobEventSummary | undefined, intake = intakeWith(), announce = true): Promise<Job> {
    const [accepted] = await intake.accept('api', [{ source: parseSourceLocation(recording), idempotencyKey: `k-${Math.random()}`, metadata: { title: 'All hands' }, ...(trim ? { trim } : {}) }]);
    assert.ok(accepted);
    // Clip jobs queued by earlier cases come first (FIFO): claimed and left running.
    let running: Job | undefined;
    do running = await store.claimNext({ owner: 'cp', now: new Date(), leaseMs: 30_000 });
    while (running && running.id !== accepted.job.id);
    assert.equal(running?.id, accepted.job.id);
    const finished = await store.finishAttempt(accepted.job.id, 'cp', { state: 'succeeded', ...(event ? { event } : {}) }, new Date());
    assert.equal(finished?.state, 'succeeded');
    if (announce) publish(finished);
    return finished;
  }

  function publish(job: Job): void {
    events.emit({ type: 'asset.ready', job, at: new Date().toISOString() });
  }

  async function clipsOf(parent: Job): Promise<Job[]> {
    return (await store.listJobs({ limit: 10, parentJobId: parent.id })).items;
  }

  it('trim auto with a suggested trim: one clip job of the suggested range', async () => {
    const wait = settled();
    const parent = await succeed('auto', suggested);
    await wait;
    assert.deepEqual(outcomes.refused, []);
    const [clip, ...more] = await clipsOf(parent);
    assert.ok(clip);
    assert.equal(more.length, 0);
    assert.equal(clip.kind, 'clip');
    assert.equal(clip.parentJobId, parent.id);
    assert.equal(clip.state, 'queued');
    assert.equal(clip.idempotencyKey, trimClipKey(parent.id));
    assert.deepEqual(clip.clip, { start: 15.04, end: 50.02, title: 'All hands (trimmed)' });
    assert.deepEqual(clip.metadata, { title: 'All hands (trimmed)', clipOf: parent.id, trimOf: parent.id });
    assert.equal(clip.sourceFacts.durationSeconds?.toFixed(2), '34.98');
    assert.equal('trim' in clip, false);
  });

  it('the same asset.ready again (a repeated event, a restart) still makes one', async () => {
    let wait = settled();
    const parent = await succeed('auto', suggested);
    await wait;
    const queued: string[] = [];
    const unsubscribe = events.subscribe((change) => { if (change.type === 'job.queued') queued.push(change.job.id); });
    wait = settled();
    publish(parent);
    await wait;
    unsubscribe();
    const clips = await clipsOf(parent);
    assert.equal(clips.length, 1);
    assert.deepEqual(outcomes.created.map((j) => j.id), [clips[0]?.id, clips[0]?.id]);
    assert.deepEqual(queued, [], 'the second answer is the existing job, not announced again');
  });

  it('trim none, no trim, or auto with nothing to cut: no clip', async () => {
    const none = await succeed('none', suggested);
    const absent = await succeed(undefined, suggested);
    const wholeRecording = await succeed('auto', { suggestedTrim: { start: 0, end: assetSeconds, why: [] }, chapterCount: 1 });
    const unlooked = await succeed('auto', undefined);
    // A later trim's clip proves the subscriber has seen the four events before it.
    const wait = settled();
    const last = await succeed({ start: 1, end: 2 }, undefined);
    await wait;
    for (const parent of [none, absent, wholeRecording, unlooked]) assert.deepEqual(await clipsOf(parent), [], parent.id);
    assert.equal((await clipsOf(last)).length, 1);
  });

  it('{start, end}: that range; an end past the asset is clamped to its duration', async () => {
    let wait = settled();
    const ranged = await succeed({ start: 12.5, end: 42 }, suggested);
    await wait;
    assert.deepEqual((await clipsOf(ranged))[0]?.clip, { start: 12.5, end: 42, title: 'All hands (trimmed)' });
    wait = settled();
    const long = await succeed({ start: 30, end: 600 }, undefined);
    await wait;
    assert.deepEqual((await clipsOf(long))[0]?.clip, { start: 30, end: assetSeconds, title: 'All hands (trimmed)' });
  });

  it('a range that starts past the asset is refused with the reason, and nothing is made', async () => {
    const wait = settled();
    const parent = await succeed({ start: 70, end: 90 }, undefined);
    await wait;
    assert.deepEqual(await clipsOf(parent), []);
    assert.match(String(outcomes.refused[0]), /start 70 s|end .* must be after start/);
  });

  it('a restart makes the trims of jobs that succeeded unheard (the control plane stopped first), once', async () => {
    const intake = intakeWith();
    // asset.ready never published: the control plane stopped between the success and the clip.
    const unheard = await succeed('auto', suggested, intake, false);
    const ranged = await succeed({ start: 2, end: 9 }, undefined, intake, false);
    const none = await succeed('none', suggested, intake, false);
    const done = await succeed({ start: 1, end: 5 }, undefined, intake, false);
    await intake.acceptClip(done.id, { start: 1, end: 5, title: 'made before the stop' }, { idempotencyKey: 'another key', metadata: { trimOf: done.id } });
    for (const parent of [unheard, ranged, none]) assert.deepEqual(await clipsOf(parent), [], parent.id);
    const options = { events, intake, store, onRefused: (_id: string, error: unknown) => outcomes.refused.push(error) };
    assert.equal(await catchUpRequestedTrims(options), 2);
    assert.deepEqual((await clipsOf(unheard)).map((c) => c.clip), [{ start: 15.04, end: 50.02, title: 'All hands (trimmed)' }]);
    assert.deepEqual((await clipsOf(ranged)).map((c) => c.clip), [{ start: 2, end: 9, title: 'All hands (trimmed)' }]);
    assert.deepEqual(await clipsOf(none), []);
    assert.equal((await clipsOf(done)).length, 1, 'a trim made before the stop is not made again');
    assert.equal(await catchUpRequestedTrims(options), 0, 'a second restart makes nothing');
    assert.equal(await catchUpRequestedTrims({ ...options, now: new Date(Date.now() + 8 * 24 * 3600_000) }), 0, 'jobs older than the window are not looked at');
    assert.deepEqual(outcomes.refused, []);
  });

  it('the catch-up pages past the first hundred jobs', async () => {
    const intake = intakeWith();
    const oldest = await succeed({ start: 3, end: 8 }, undefined, intake, false);
    for (let i = 0; i < 100; i++) await succeed(undefined, undefined, intake, false);
    assert.equal(await catchUpRequestedTrims({ events, intake, store, onRefused: (_id, error) => outcomes.refused.push(error) }), 1);
    assert.deepEqual((await clipsOf(oldest)).map((c) => c.clip), [{ start: 3, end: 8, title: 'All hands (trimmed)' }]);
  });

  it('the service default (jobs.trim auto) applies to a request that does not ask, not to one that asks none', async () => {
    const service = intakeWith('auto');
    let wait = settled();
    const defaulted = await succeed(undefined, suggested, service);
    await wait;
    assert.equal(defaulted.trim, 'auto');
    assert.equal((await clipsOf(defaulted)).length, 1);
    const declined = await succeed('none', suggested, service);
    assert.equal('trim' in declined, false);
    wait = settled();
    await succeed({ start: 1, end: 2 }, undefined, service);
    await wait;
    assert.deepEqual(await clipsOf(declined), []);
  });
});
