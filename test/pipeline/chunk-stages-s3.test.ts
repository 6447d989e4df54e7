// Split-and-stitch across worker processes with an S3 output (a real S3 API, s3rver, on loopback):
// the workers share nothing but the bucket, as an Indexed Job's pods do. The work area lives
// under the output's scratch prefix (`<output>/.live2vod-chunks/`); the asset they make is the
// one the same stages make in a local directory; a finished chunk is not encoded again; nothing
// but the work area and the instant remux is at the destination before the stitch, and the
// scratch prefix is gone after it.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import type { WorkPlan } from '../../src/pipeline/chunked/work-area.ts';
import { assertCompleteAsset, loadAsset, type LoadedAsset } from '../helpers/asset-checks.ts';
import { assertEquivalent } from '../helpers/chunk-equivalence.ts';
import { makeTempDir, makeTestPattern, runCli, writeLoggingFfmpeg, type LoggingFfmpeg, type TempDir } from '../helpers/media.ts';
import { getBytes, listAll, s3rverCredentials, startS3, useS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

const prefix = 'assets/talk';

describe('chunk stages with an S3 output: the work area under the output\'s scratch prefix', { timeout: 240_000 }, () => {
  let s3: RunningS3;
  let tmp: TempDir;
  let client: S3Client;
  let source: string;
  let logged: LoggingFfmpeg;
  let env: NodeJS.ProcessEnv;
  let restoreEnv: (() => void) | undefined;
  let tasks = 0;
  /** The asset the stages make in a local directory: what every S3 asset here must equal. */
  let local: LoadedAsset | undefined;

  before(async () => {
    [s3, tmp] = await Promise.all([startS3(['vod']), makeTempDir('live2vod-stages-s3-')]);
    // 4 s in 2 s chunks (of one 2 s segment each): two chunks, one seam.
    source = await makeTestPattern(tmp.dir, { seconds: 4, width: 320, height: 180, rate: 30, audio: 'sine', name: 'rec.mp4' });
    logged = await writeLoggingFfmpeg(tmp.dir);
    // The workers inherit the AWS_* settings for s3rver.
    restoreEnv = useS3rverEnv(s3.endpoint);
    env = { ...process.env, LIVE2VOD_FFMPEG: logged.path };
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
  });
  after(async () => {
    restoreEnv?.();
    client?.destroy();
    await s3?.dispose();
    await tmp?.cleanup();
  });

  const worker = async (output: string, stage: Record<string, unknown>) => {
    const file = path.join(tmp.dir, `task-${tasks++}.json`);
    await writeFile(file, JSON.stringify({
      version: 2, jobId: 'job-stages-s3', attempt: 1, source: { kind: 'local', path: source }, output,
      // No quality sampling: nothing here looks at it (chunk-stages.test.ts checks the stitch's).
      profile: { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], preset: 'ultrafast', loudness: false, quality: false, segmentSeconds: 2, chunkSeconds: 2 },
      sourceFetch: { maxBytes: 1e9, timeoutMs: 60_000, allow: [] },
      ...stage,
    }));
    const result = await runCli(['worker', '--task-file', file], { env });
    assert.equal(result.code, 0, `${String(stage.stage)} stage: ${result.stderr}`);
    return result;
  };
  const chunkTask = (plan: WorkPlan, index: number): Record<string, unknown> => {
    const chunk = plan.chunks.chunks[index]!;
    return { stage: 'chunk', plan: plan.fingerprint, chunk: { index, count: plan.chunks.chunks.length, startSeconds: chunk.startSeconds, endSeconds: chunk.endSeconds } };
  };
  const keys = async (under = '', at = prefix): Promise<string[]> => (await listAll(client, 'vod', `${at}/${under}`)).map((o) => (o.Key ?? '').slice(at.length + 1)).sort();

  /** The asset under a prefix, downloaded into a directory, to check it like a local one. */
  const download = async (dir: string, at = prefix): Promise<LoadedAsset> => {
    for (const key of await keys('', at)) {
      const file = path.join(dir, ...key.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await getBytes(client, 'vod', `${at}/${key}`));
    }
    return loadAsset(dir);
  };

  test('split (with the audio) ∥ chunks → stitch to s3:// makes the local asset; a finished chunk is not redone; the scratch prefix goes', async () => {
    // The reference: the same stages with a local output.
    const localOut = path.join(tmp.dir, 'local-asset');
    await worker(localOut, { stage: 'split', parallelism: 2 });
    const localPlan = JSON.parse(await readFile(path.join(localOut, '.live2vod-chunks', 'plan.json'), 'utf8')) as WorkPlan;
    await Promise.all(localPlan.chunks.chunks.map((_, i) => worker(localOut, chunkTask(localPlan, i))));
    await worker(localOut, { stage: 'stitch', plan: localPlan.fingerprint });
    local = await loadAsset(localOut);
    const encodedLocally = (await logged.encodes()).length;

    const output = `s3://vod/${prefix}`;
    await worker(output, { stage: 'split', parallelism: 2 });
    const plan = JSON.parse((await getBytes(client, 'vod', `${prefix}/.live2vod-chunks/plan.json`)).toString('utf8')) as WorkPlan;
    assert.deepEqual(plan.chunks.chunks.map((c) => c.startSeconds), [0, 2]);

    await Promise.all(plan.chunks.chunks.map((_, i) => worker(output, chunkTask(plan, i))));
    // A retried chunk (its pod preempted after it had kept its result) finds the result and encodes nothing.
    await worker(output, chunkTask(plan, 1));
    assert.deepEqual((await logged.encodes()).slice(encodedLocally).sort(), ['0', '1.000000']);

    // Before the stitch: the work area (each unit's result after its files) and the instant remux, nothing else.
    const before = await keys();
    assert.deepEqual(before.filter((k) => !k.startsWith('.live2vod-chunks/') && !k.startsWith('instant/')), [], 'no asset file before the stitch');
    for (const unit of ['chunk-0000', 'chunk-0001', 'audio']) assert.ok(before.includes(`.live2vod-chunks/${unit}/result.json`), `${unit} kept its result`);
    assert.ok(before.includes('instant/index.m3u8'), 'the split published the instant remux where players look');

    await worker(output, { stage: 'stitch', plan: plan.fingerprint });
    assert.deepEqual(await keys('.live2vod-chunks/'), [], 'the scratch prefix is gone');
    // A stitch retried after it had finished finds the asset complete.
    await worker(output, { stage: 'stitch', plan: plan.fingerprint });

    const remote = await download(path.join(tmp.dir, 's3-asset'));
    await assertCompleteAsset(remote);
    await assertEquivalent(local, remote, tmp.dir, 120);
    assert.deepEqual(remote.manifest.chunks, { count: 2, seconds: 2 });
    assert.deepEqual(remote.manifest.files.map((f) => f.path), local.manifest.files.map((f) => f.path), 'the same files, the instant remux among them');
    assert.deepEqual(remote.manifest.files.map((f) => f.path).sort(), (await keys()).filter((k) => k !== 'manifest.json'), 'manifest.json lists what is at the destination');
  });

  test('the full stage still chunks inside one worker to an s3:// output, and makes the same asset', async (t) => {
    if (!local) return t.skip('needs the local asset of the test before');
    const at = 'assets/full';
    await worker(`s3://vod/${at}`, { stage: 'full', parallelism: 2 });
    const remote = await download(path.join(tmp.dir, 's3-full'), at);
    await assertCompleteAsset(remote);
    assert.deepEqual(remote.manifest.chunks, { count: 2, seconds: 2 });
    await assertEquivalent(local, remote, tmp.dir, 120);
    assert.deepEqual(await keys('.live2vod-chunks/', at), [], 'its work area stayed in the worker\'s scratch');
  });
});
