// The worker as a pod: `bin/live2vod worker` started exactly as the Job's container spec says
// (args, env, the token from the Job's Secret, the task inline or as a mounted Secret file), a real
// ffmpeg encode of a generated recording, and a real HTTP callback server. On SIGTERM it must stop
// ffmpeg within seconds, report, and exit with the code the podFailurePolicy ignores (130); bad
// input must exit with a code the policy fails the Job on (3); the termination message says why.
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import { parseSourceLocation } from '../../src/jobs/source-location.ts';
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubernetesExecutorSchema } from '../../src/k8s/executor-config.ts';
import { ExitCode } from '../../src/errors/index.ts';
import { transcodeProfileSchema, type ChunkTask, type TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { WorkArea, type WorkPlan } from '../../src/pipeline/chunked/work-area.ts';
import { failJobExitCodes, ignoredExitCodes, workerPodFailurePolicy } from '../../src/k8s/failure-policy.ts';
import { buildChunkGroupJob } from '../../src/k8s/chunk-group-job.ts';
import { buildWorkerJob } from '../../src/k8s/worker-job.ts';
import { makeTempDir, makeTestPattern, writeRealTimeFfmpeg, type TempDir } from '../helpers/media.ts';
import { descendants, isAlive, killLeftovers, processRef, tinyTranscode, waitFor, type ProcessRef } from '../helpers/serve.ts';
import { CallbackServer } from './callback-server.ts';
import { startPodProcess, workerContainer } from './pod-process.ts';

let temp: TempDir;
let callbacks: CallbackServer;
let longSource: string;
let shortSource: string;
let realTimeFfmpeg: string;
const leftovers: ProcessRef[] = [];
const token = 'pod-test-token-0123456789';

before(async () => {
  temp = await makeTempDir('live2vod-pod-');
  callbacks = await CallbackServer.start();
  [longSource, shortSource, realTimeFfmpeg] = await Promise.all([
    // Encoded at real time (writeRealTimeFfmpeg) when it is to be stopped: 10 s keep it encoding for seconds, at little CPU.
    makeTestPattern(temp.dir, { seconds: 10, width: 640, height: 360, rate: 30, audio: 'sine', name: 'long.mp4' }),
    makeTestPattern(temp.dir, { seconds: 3, width: 320, height: 180, rate: 25, audio: 'sine', name: 'short.mp4' }),
    writeRealTimeFfmpeg(temp.dir),
  ]);
});

after(async () => {
  assert.deepEqual(killLeftovers(leftovers), [], 'no worker or ffmpeg process was left running');
  await callbacks.close();
  await temp.cleanup();
});

function taskFor(jobId: string, source: string, profile: Record<string, unknown> = tinyTranscode): TranscodeTask {
  return {
    version: 2,
    stage: 'full',
    jobId,
    attempt: 1,
    source: parseSourceLocation(source),
    output: path.join(temp.dir, 'out', jobId),
    profile: transcodeProfileSchema.parse(profile),
    sourceFetch: defaultSourceFetch,
    callback: { url: callbacks.url(`/internal/jobs/${jobId}/attempts/1/events`), token },
  };
}

function configFor(task: 'inline' | 'secret') {
  return kubernetesExecutorSchema.parse({ kind: 'kubernetes', image: 'live2vod:test', task });
}

describe('the worker in a pod', () => {
  it('gets an inline task with its token from the Secret, and on SIGTERM stops ffmpeg within seconds, reports, and exits 130', async () => {
    const built = buildWorkerJob({
      task: taskFor('sigterm-job', longSource, { ...tinyTranscode, ladder: [{ width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 30 }, { width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }] }),
      priority: 'normal', facts: {}, config: configFor('inline'),
    });
    const container = workerContainer(built);
    assert.deepEqual(container.args, ['worker'], 'inline: the task comes from the environment');
    const taskEnv = container.env?.find((e) => e.name === 'LIVE2VOD_TASK')?.value ?? '';
    assert.ok(!taskEnv.includes(token), 'the token is not in the Job spec');

    // The image's ffmpeg, its video encode reading at the source's rate (the harness's choice, not the Job's).
    const pod = await startPodProcess(built, path.join(temp.dir, 'pod-sigterm'), { LIVE2VOD_FFMPEG: realTimeFfmpeg });
    // Wait until ffmpeg encodes (progress reached the callback), then terminate as the kubelet does.
    await waitFor('encode progress', () => callbacks.reports.some((r) => r.path.includes('sigterm-job') && r.body.type === 'progress'), { timeoutMs: 60_000, intervalMs: 100 });
    const ffmpegs = descendants(pod.child.pid!).filter((p) => /ffmpeg/.test(p.cmdline));
    const worker = processRef(pod.child.pid!);
    leftovers.push(...ffmpegs, ...(worker ? [worker] : []));
    assert.ok(ffmpegs.length > 0, 'ffmpeg runs under the worker');

    const sent = Date.now();
    pod.child.kill('SIGTERM');
    await waitFor('ffmpeg stopped', () => ffmpegs.every((p) => !isAlive(p)), { timeoutMs: 5000, intervalMs: 50 });
    const ffmpegGoneMs = Date.now() - sent;
    const exit = await Promise.race([pod.exited, sleep(15_000).then(() => undefined)]);
    assert.ok(exit, `the worker exited within 15 s of SIGTERM\n${pod.stderr()}`);
    assert.ok(ffmpegGoneMs < 5000, `ffmpeg stopped ${ffmpegGoneMs} ms after SIGTERM`);
    assert.equal(exit.code, ExitCode.cancelled, pod.stderr());
    assert.ok(ignoredExitCodes.includes(exit.code), 'the exit code is one the podFailurePolicy ignores');
    const ignoreRule = workerPodFailurePolicy().rules.find((r) => r.action === 'Ignore' && r.onExitCodes?.values.includes(exit.code ?? -1));
    assert.ok(ignoreRule, 'the Job spec carries that rule');

    const failed = callbacks.ofType('failed').find((r) => r.path.includes('sigterm-job'));
    assert.ok(failed, 'the failure reached the callback server');
    assert.equal(failed.token, token, 'authenticated with the token from the Secret');
    assert.equal(failed.body['exitCode'], ExitCode.cancelled);
    assert.equal(failed.body['retryable'], true, 'being stopped is not the work\'s fault');
    assert.match(String(failed.body['message']), /stopped/);
    assert.match(await readFile(pod.terminationFile, 'utf8'), /^exit 130: /, 'the termination message says why');
    await assert.rejects(access(path.join(temp.dir, 'out', 'sigterm-job', 'manifest.json')), 'no manifest: the asset is not complete');
  });

  it('reads the whole task from the mounted Secret file and completes a real encode', async () => {
    // No quality sampling: only the manifest's existence is looked at.
    const built = buildWorkerJob({ task: taskFor('secret-job', shortSource, { ...tinyTranscode, quality: false }), priority: 'high', facts: {}, config: configFor('secret') });
    const container = workerContainer(built);
    assert.deepEqual(container.args, ['worker', '--task-file', '/var/run/live2vod/task/task.json']);
    assert.ok(!container.env?.some((e) => e.name === 'LIVE2VOD_TASK'), 'secret mode puts no task in the env');

    const pod = await startPodProcess(built, path.join(temp.dir, 'pod-secret'));
    const exit = await pod.exited;
    assert.equal(exit.code, 0, pod.stderr());
    const done = callbacks.ofType('done').find((r) => r.path.includes('secret-job'));
    assert.ok(done, 'the worker reported done');
    assert.equal(done.token, token);
    await access(path.join(temp.dir, 'out', 'secret-job', 'manifest.json'));
  });

  it('exits 3 on a bad source — a code the failure policy fails the Job on — and says so in the termination message', async () => {
    const built = buildWorkerJob({ task: taskFor('bad-job', path.join(temp.dir, 'missing.mp4')), priority: 'low', facts: {}, config: configFor('inline') });
    const pod = await startPodProcess(built, path.join(temp.dir, 'pod-bad'));
    const exit = await pod.exited;
    assert.equal(exit.code, ExitCode.badInput, pod.stderr());
    assert.ok(failJobExitCodes.includes(ExitCode.badInput));
    const failed = callbacks.ofType('failed').find((r) => r.path.includes('bad-job'));
    assert.equal(failed?.body['exitCode'], ExitCode.badInput);
    assert.equal(failed?.body['retryable'], false);
    assert.match(await readFile(pod.terminationFile, 'utf8'), /^exit 3: /);
  });
});

describe('the worker in a pod of the Indexed chunk Job', () => {
  // 18 s cut in 6 s chunks by a real split pod, then the group's pods: one spec, each picks its chunk by index.
  const profile = { ...tinyTranscode, preset: 'ultrafast', chunkSeconds: 6 };
  let source: string;
  let out: string;
  let plan: WorkPlan;
  let chunkTasks: ChunkTask[];

  before(async () => {
    source = await makeTestPattern(temp.dir, { seconds: 18, width: 320, height: 180, rate: 30, audio: 'sine', name: 'chunked.mp4' });
    out = path.join(temp.dir, 'out', 'indexed-job');
    const base = { ...taskFor('indexed-job', source, profile), output: out };
    const split = buildWorkerJob({ task: { ...base, stage: 'split', parallelism: 3 }, priority: 'normal', facts: {}, config: configFor('inline') });
    const pod = await startPodProcess(split, path.join(temp.dir, 'pod-split'));
    assert.equal((await pod.exited).code, 0, pod.stderr());
    plan = JSON.parse(await readFile(path.join(out, '.live2vod-chunks', 'plan.json'), 'utf8')) as WorkPlan;
    chunkTasks = plan.chunks.chunks.map((c, index) => ({ ...base, stage: 'chunk', plan: plan.fingerprint, chunk: { index, count: plan.chunks.chunks.length, startSeconds: c.startSeconds, endSeconds: c.endSeconds } }));
  });

  for (const mode of ['inline', 'secret'] as const) {
    it(`picks its chunk by JOB_COMPLETION_INDEX from one spec for every index (${mode} task)`, async () => {
      const group = buildChunkGroupJob({ tasks: chunkTasks, priority: 'normal', facts: {}, config: configFor(mode) });
      const index = mode === 'inline' ? 1 : 2;
      const pod = await startPodProcess(group, path.join(temp.dir, `pod-chunk-${mode}`), { JOB_COMPLETION_INDEX: String(index) });
      const exit = await pod.exited;
      assert.equal(exit.code, 0, pod.stderr());
      // Its result in the work area, and no other chunk's, is the proof it encoded its own range.
      const work = new WorkArea(out);
      assert.ok(await work.readChunk(index), `chunk ${index} has its result`);
      if (mode === 'inline') assert.deepEqual([Boolean(await work.readChunk(0)), Boolean(await work.readChunk(2))], [false, false], 'only its own chunk');
      const done = callbacks.ofType('done').filter((r) => r.path.includes('indexed-job'));
      assert.ok(done.length > 0, 'the chunk reported done');
      assert.equal(done.at(-1)?.token, token, 'with the token from the group\'s Secret');
    });
  }

  it('exits 2 with what is wrong when the index is missing or outside the ranges', async () => {
    const group = buildChunkGroupJob({ tasks: chunkTasks, priority: 'normal', facts: {}, config: configFor('inline') });
    const missing = await startPodProcess(group, path.join(temp.dir, 'pod-no-index'));
    assert.equal((await missing.exited).code, ExitCode.usage, missing.stderr());
    assert.match(missing.stderr(), /JOB_COMPLETION_INDEX is not set: LIVE2VOD_CHUNK_RANGES is meant for the pods of an Indexed Job/);
    const outside = await startPodProcess(group, path.join(temp.dir, 'pod-bad-index'), { JOB_COMPLETION_INDEX: '3' });
    assert.equal((await outside.exited).code, ExitCode.usage, outside.stderr());
    assert.match(outside.stderr(), /JOB_COMPLETION_INDEX=3 is not an index of the 3 chunk ranges \(0–2\)/);
    assert.ok(failJobExitCodes.includes(ExitCode.usage), 'a code the group fails its index on at once');
  });
});
