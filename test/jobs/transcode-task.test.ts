// The TranscodeTask contract: a union on stage read on the worker's side, version 1 upgraded, a
// newer version refused, and the handler map that refuses (at compile time) a stage without a handler.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import { parseTranscodeTask, transcodeProfileSchema, type TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { runStage, stageHandlers, type StageContext, type StageHandlers } from '../../src/pipeline/stage-handlers.ts';
import { resolveBinaries } from '../../src/ffmpeg/binaries.ts';

const profile = transcodeProfileSchema.parse({});

function v2(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 2, stage: 'full', jobId: 'job-1', attempt: 1,
    source: { kind: 's3', bucket: 'rec', key: 'live/a b+1.flv' },
    output: 's3://vod/assets/job-1', profile, sourceFetch: { ...defaultSourceFetch, maxBytes: 1000, timeoutMs: 2000, allow: ['minio.internal'] },
    callback: { url: 'http://127.0.0.1:8080/internal/jobs/job-1/attempts/1/events', token: 'token-0123456789abcdef' },
    ...overrides,
  };
}

function v1(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 1, jobId: 'job-1', attempt: 2, source: 's3://rec/live/a b+1.flv', output: '/data/media/assets/job-1',
    profile: {}, stage: 'full', callback: { url: 'http://127.0.0.1:8080/cb', token: 'token-0123456789abcdef' },
    ...overrides,
  };
}

describe('parseTranscodeTask', () => {
  it('reads a version-2 full task as it was written', () => {
    const json = v2();
    assert.deepEqual(parseTranscodeTask(JSON.parse(JSON.stringify(json))), json);
  });

  it('names the field at fault', () => {
    assert.throws(() => parseTranscodeTask(v2({ stage: 'remux' })), /invalid TranscodeTask \(version 2\): stage: /);
    assert.throws(() => parseTranscodeTask(v2({ stage: 'chunk', plan: 'f'.repeat(64) })), /invalid TranscodeTask \(version 2\): chunk: /);
    assert.throws(() => parseTranscodeTask(v2({ source: 's3://rec/a.flv' })), /source: /);
    assert.throws(() => parseTranscodeTask(v2({ source: { kind: 's3', bucket: 'rec', key: 'live/' } })), /source\.key: must name an object/);
    assert.throws(() => parseTranscodeTask(v2({ sourceFetch: undefined })), /sourceFetch: /);
    assert.throws(() => parseTranscodeTask(v2({ extra: 1 })), /Unrecognized key/);
  });

  it('upgrades a version-1 task still in a queue: source parsed, stage full, fetch policy from its environment or the defaults', () => {
    const upgraded = parseTranscodeTask(v1());
    assert.deepEqual(upgraded, {
      version: 2, stage: 'full', jobId: 'job-1', attempt: 2,
      source: { kind: 's3', bucket: 'rec', key: 'live/a b+1.flv' },
      output: '/data/media/assets/job-1', profile, sourceFetch: defaultSourceFetch,
      callback: { url: 'http://127.0.0.1:8080/cb', token: 'token-0123456789abcdef' },
    });
    // Version-1 pods got the policy as LIVE2VOD_SOURCE_*: an old Job's pod keeps it.
    const withEnv = parseTranscodeTask(v1({ source: 'https://media.internal/a.mp4' }), { LIVE2VOD_SOURCE_ALLOW: 'media.internal, 10.0.0.0/8', LIVE2VOD_SOURCE_MAX_BYTES: '5000' });
    assert.deepEqual(withEnv.source, { kind: 'url', url: 'https://media.internal/a.mp4' });
    assert.deepEqual(withEnv.sourceFetch, { ...defaultSourceFetch, maxBytes: 5000, allow: ['media.internal', '10.0.0.0/8'] });
    assert.deepEqual(parseTranscodeTask(v1({ source: '/data/rec/a.flv', callback: undefined })).source, { kind: 'local', path: '/data/rec/a.flv' });
  });

  it('refuses a version-1 task whose source cannot be read, and a task newer than this worker, saying why', () => {
    assert.throws(() => parseTranscodeTask(v1({ source: 'ftp://x/y.flv' })), /scheme "ftp:\/\/" is not supported/);
    assert.throws(() => parseTranscodeTask(v1({ output: '' })), /invalid TranscodeTask \(version 1\): output/);
    assert.throws(() => parseTranscodeTask(v2({ version: 3 })), /version 3 is newer than this worker understands \(1 to 2\): run a worker image as new as the control plane/);
  });
});

describe('the stage handler map', () => {
  const context: StageContext = { signal: new AbortController().signal, binaries: resolveBinaries(), onEvent: () => undefined };

  it('has a handler for every stage of the union', () => {
    assert.deepEqual(Object.keys(stageHandlers).sort(), ['chunk', 'clip', 'full', 'split', 'stitch']);
  });

  it('runs the task with the handler of its stage, which gets its own member', async () => {
    const seen: TranscodeTask[] = [];
    const other = async (): Promise<never> => { throw new Error('the wrong stage ran'); };
    const handlers: StageHandlers = {
      full: async (task) => {
        seen.push(task);
        return { type: 'done', manifest: `${task.output}/manifest.json` };
      },
      split: other, chunk: other, stitch: other, clip: other,
    };
    const task = parseTranscodeTask(v2());
    assert.deepEqual(await runStage(task, context, handlers), { type: 'done', manifest: 's3://vod/assets/job-1/manifest.json' });
    assert.deepEqual(seen, [task]);
  });

  it('does not compile without a handler for a stage (checked by tsc)', () => {
    // @ts-expect-error -- `full` has no handler
    const missing: StageHandlers = {};
    // @ts-expect-error -- a handler must return the stage's done report
    const wrongResult: StageHandlers = { ...stageHandlers, full: async () => 'done' };
    assert.ok(missing && wrongResult);
  });
});
