// The Indexed Job of a chunked attempt and the stage Jobs beside it, field by field; every Job built
// here is validated against the upstream schema by the builder, and again here independently.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { kubernetesExecutorSchema, type KubernetesExecutorInput } from '../../src/k8s/executor-config.ts';
import { ExitCode } from '../../src/errors/index.ts';
import type { Priority } from '../../src/jobs/job.ts';
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import { transcodeProfileSchema, type ChunkTask, type TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { buildChunkGroupJob } from '../../src/k8s/chunk-group-job.ts';
import { chunkRangesEnv, taskForCompletionIndex } from '../../src/k8s/chunk-ranges.ts';
import { chunkGroupJobName, maxIndexedJobName, unitJobName } from '../../src/k8s/names.ts';
import { buildWorkerJob } from '../../src/k8s/worker-job.ts';

const jobId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const plan = 'f'.repeat(64);

function base(attempt = 1) {
  return {
    version: 2 as const, jobId, attempt, source: { kind: 's3' as const, bucket: 'rec', key: 'keynote.flv' }, output: 's3://assets/keynote',
    profile: transcodeProfileSchema.parse({}), sourceFetch: defaultSourceFetch,
    callback: { url: 'http://10.0.0.7:8080/internal/jobs/x/attempts/1/events', token: 'secret-token-abcdefghijkl' },
  };
}

function chunks(count: number, seconds = 360): ChunkTask[] {
  return Array.from({ length: count }, (_, index) => ({ ...base(), stage: 'chunk' as const, plan, chunk: { index, count, startSeconds: index * seconds, endSeconds: (index + 1) * seconds } }));
}

function config(overrides: Partial<KubernetesExecutorInput> = {}) {
  return kubernetesExecutorSchema.parse({ kind: 'kubernetes', image: 'registry.example/live2vod:1', ...overrides });
}

function group(options: { count?: number; priority?: Priority; config?: Partial<KubernetesExecutorInput> } = {}) {
  const built = buildChunkGroupJob({ tasks: chunks(options.count ?? 10), priority: options.priority ?? 'normal', facts: { durationSeconds: 3600, bytes: 2.7e9 }, config: config(options.config) });
  const pod = built.job.spec!.template.spec!;
  return { built, spec: built.job.spec!, pod, container: pod.containers[0]! };
}

describe('the Indexed chunk Job', () => {
  it('runs one index per chunk with per-index retries, failing at the first chunk that fails for good', () => {
    const { built, spec } = group({ config: { chunks: { parallelism: 4, backoffLimitPerIndex: 3 } } });
    assert.equal(built.name, `live2vod-${jobId}-a1-chunks`);
    assert.equal(built.unit, `${jobId}/chunks`);
    assert.deepEqual(
      [spec.completionMode, spec.completions, spec.parallelism, spec.backoffLimitPerIndex, spec.maxFailedIndexes, spec.backoffLimit, spec.podReplacementPolicy],
      ['Indexed', 10, 4, 3, 0, undefined, 'Failed'],
    );
    const rules = spec.podFailurePolicy?.rules ?? [];
    assert.deepEqual(rules.map((r) => r.action), ['Ignore', 'FailIndex', 'Ignore']);
    assert.deepEqual(rules[0]?.onPodConditions, [{ type: 'DisruptionTarget', status: 'True' }]);
    assert.deepEqual(rules[1]?.onExitCodes?.values, [ExitCode.usage, ExitCode.badInput, ExitCode.environment]);
    assert.deepEqual(rules[2]?.onExitCodes?.values, [ExitCode.cancelled]);
    assert.doesNotThrow(() => new Job(built.job).validate());
    assert.equal(group({ count: 3 }).spec.parallelism, 3, 'never more pods than chunks');
  });

  it('is sized per chunk: the encoders\' requests, scratch for the source and its share, a deadline for every wave and a retry', () => {
    const { built, container, pod } = group({ config: { chunks: { parallelism: 4, backoffLimitPerIndex: 2 } } });
    assert.deepEqual(container.resources?.requests?.['cpu'], '4');
    // 10 chunks of 360 s on 4 pods: 3 waves, plus 2 retries of one chunk: 600 + 2 × 360 × 5.
    assert.equal(built.sizing.activeDeadlineSeconds, 600 + 2 * 360 * 5);
    assert.equal(built.sizing.scratchBytes, 8 * 1024 ** 3, 'the minimum: 2.7 GB of source + its tenth of 3 × 2.7 GB of output + 2 GiB is less');
    assert.equal(pod.volumes?.find((v) => v.name === 'scratch')?.emptyDir?.sizeLimit, '8Gi');
    const big = buildChunkGroupJob({ tasks: chunks(10), priority: 'normal', facts: { durationSeconds: 3600, bytes: 27e9 }, config: config() });
    assert.equal(big.sizing.scratchBytes, Math.ceil(27e9 * (1 + 3 * 0.1) + 2 * 1024 ** 3), 'the whole source (each pod fetches it) + its share of the outputs + 2 GiB');
  });

  it('carries one task template and the ranges by index: 200 chunks stay small, and each pod finds its own', () => {
    const { container } = group({ count: 200, config: { chunks: { parallelism: 50 } } });
    const ranges = container.env?.find((e) => e.name === chunkRangesEnv)?.value ?? '';
    const taskJson = container.env?.find((e) => e.name === 'LIVE2VOD_TASK')?.value ?? '';
    assert.ok(!taskJson.includes('secret-token'), 'no token in the spec');
    assert.ok(ranges.length + taskJson.length < 8000, `${ranges.length + taskJson.length} bytes for 200 chunks`);
    const template = JSON.parse(taskJson) as TranscodeTask;
    const picked = taskForCompletionIndex({ ...template, callback: base().callback }, { [chunkRangesEnv]: ranges, JOB_COMPLETION_INDEX: '137' });
    assert.deepEqual(picked, chunks(200)[137]);
  });

  it('gets the priority class, spot placement, GPU pool, TTL, Kueue and labels single Jobs get', () => {
    const { built, pod, container } = group({ priority: 'urgent', config: { gpu: { priorities: ['urgent'] }, kueue: { queueName: 'transcode' }, ttlSecondsAfterFinished: 600 } });
    assert.equal(pod.priorityClassName, 'live2vod-urgent');
    assert.equal(container.resources?.limits?.['nvidia.com/gpu'], '1');
    assert.equal(built.task.profile.encoder, 'h264_nvenc');
    assert.equal(built.job.spec?.ttlSecondsAfterFinished, 600);
    assert.equal(built.job.spec?.suspend, true);
    assert.equal(built.job.metadata?.labels?.['kueue.x-k8s.io/queue-name'], 'transcode');
    assert.equal(built.job.metadata?.labels?.['live2vod.io/stage'], 'chunks');
    const low = group({ priority: 'low' });
    assert.equal(low.pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.operator, 'In', 'low: spot only');
  });

  it('refuses tasks that are not chunks 0…n−1 of one attempt', () => {
    const shuffled = chunks(3).reverse();
    assert.throws(() => buildChunkGroupJob({ tasks: shuffled, priority: 'normal', facts: {}, config: config() }), /chunk task 0 is chunk 2 of 3/);
    assert.throws(() => buildChunkGroupJob({ tasks: chunks(1), priority: 'normal', facts: {}, config: config() }), /at least 2 chunk tasks/);
  });
});

describe('the Jobs of a chunked attempt\'s other stages', () => {
  it('have stage names within the limits, the Indexed one with room for its pods\' index', () => {
    const long = 'x'.repeat(80);
    assert.ok(chunkGroupJobName(long, 12).length <= maxIndexedJobName);
    assert.notEqual(chunkGroupJobName(`${long}1`, 1), chunkGroupJobName(`${long}2`, 1));
    const split = { ...base(), stage: 'split' as const, parallelism: 8 };
    assert.equal(unitJobName(split), `live2vod-${jobId}-a1-split`);
    assert.equal(unitJobName({ ...base(), stage: 'stitch', plan }), `live2vod-${jobId}-a1-stitch`);
    assert.equal(unitJobName({ ...base(), stage: 'full' }), `live2vod-${jobId}-a1`, 'a whole-recording Job keeps its name');
    assert.equal(unitJobName(chunks(3)[2]!), `live2vod-${jobId}-a1-chunk2`);
  });

  it('run the split on the GPU pool with the encoders (it picks the encoder there), the stitch small and off it', () => {
    const gpu = config({ gpu: { priorities: ['urgent'] } });
    const facts = { durationSeconds: 3600, bytes: 2.7e9 };
    const split = buildWorkerJob({ task: { ...base(), stage: 'split', parallelism: 8 }, priority: 'urgent', facts, config: gpu });
    const stitch = buildWorkerJob({ task: { ...base(), stage: 'stitch', plan }, priority: 'normal', facts, config: config() });
    const cpuSplit = buildWorkerJob({ task: { ...base(), stage: 'split', parallelism: 8 }, priority: 'normal', facts, config: config() });
    assert.equal(split.gpu, true);
    assert.equal(split.task.profile.encoder, 'h264_nvenc');
    assert.equal(stitch.gpu, false);
    const requests = (b: typeof stitch) => b.job.spec?.template.spec?.containers[0]?.resources?.requests;
    assert.deepEqual([requests(cpuSplit)?.['cpu'], requests(cpuSplit)?.['memory']], ['1', '2Gi']);
    assert.ok(cpuSplit.sizing.scratchBytes >= 2 * 2.7e9, 'the split keeps the download and the remux staged beside it');
    assert.deepEqual([requests(stitch)?.['cpu'], requests(stitch)?.['memory']], ['2', '4Gi']);
    assert.equal(stitch.sizing.activeDeadlineSeconds, 600 + 2 * 0.25 * 3600, 'a quarter of the encode\'s time');
    assert.equal(stitch.sizing.scratchBytes, 8 * 1024 ** 3, 'the source size + 2 GiB, at least the minimum');
    assert.equal(stitch.job.metadata?.annotations?.['live2vod.io/unit'], `${jobId}/stitch`);
  });
});
