// `live2vod serve` with `executor.kind: kubernetes`, in process, against the FAKE Kubernetes API:
// a submitted job becomes a worker Job (priority class, intake facts), the worker's report with
// the token from the Job's Secret is accepted at the callback URL in the task, and the Job's
// completion makes the job succeed. Closing the service leaves the Job alone. A chunked attempt
// goes split Job (which goes on with the audio) ∥ Indexed chunk Job → stitch Job, driven by the same reports.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTemp, startTestService, submitJob, waitFor, waitForJob, type TestService } from '../helpers/serve.ts';
import { FakeKubeApi } from '../k8s/fake-kube-api.ts';

const namespace = 'serve';
let fake: FakeKubeApi;
let dir: string;
let service: TestService | undefined;

before(async () => {
  fake = await FakeKubeApi.start();
  dir = await makeTemp('live2vod-k8s-serve-');
});
after(async () => {
  await service?.dispose();
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

describe('serve with the Kubernetes executor', () => {
  it('runs a job as a Job, takes the pod\'s reports, and settles it from the Job status', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig.json');
    await writeFile(kubeconfig, fake.kubeConfig().exportConfig());
    // In this file's directory: this service is closed, not disposed, and the next test replaces it.
    service = await startTestService({
      dataDir: path.join(dir, 'data-whole'),
      overrides: {
        executor: { kind: 'kubernetes', image: 'live2vod:test', namespace, kubeconfig, concurrency: 2 },
        storage: { output: 's3://assets/vod', publicBaseUrl: 'https://cdn.example.com/vod' },
        // Whole: one Job for the attempt.
        transcode: { chunkSeconds: 0 },
      },
    });
    const job = await submitJob(service.url, { source: 'https://media.example.com/keynote.mp4', priority: 'high', facts: { durationSeconds: 1800 } });
    const name = `live2vod-${job.id}-a1`;
    const created = await waitFor('the worker Job', () => fake.job(namespace, name), { timeoutMs: 10_000, intervalMs: 20 });
    const podSpec = (created.spec?.['template'] as { spec: { priorityClassName: string; containers: { env: { name: string; value?: string }[] }[] } }).spec;
    assert.equal(podSpec.priorityClassName, 'live2vod-high');
    assert.equal(created.spec?.['activeDeadlineSeconds'], 600 + 2 * 1800, 'sized from the facts given at intake');
    const task = JSON.parse(podSpec.containers[0]?.env.find((e) => e.name === 'LIVE2VOD_TASK')?.value ?? '{}') as { output: string; callback: { url: string; token?: string } };
    assert.ok(task.output.startsWith('s3://assets/vod/') && task.output.includes(job.id), `publishes to the storage output: ${task.output}`);
    assert.equal(task.callback.token, undefined, 'no token in the Job');
    assert.ok(task.callback.url.startsWith(service.url), 'workers report to the control plane');

    // The worker's report, authenticated with the token the pod gets from the Secret.
    const secret = await waitFor('the token Secret', () => fake.secret(namespace, name), { timeoutMs: 5000, intervalMs: 20 });
    const token = (secret['stringData'] as Record<string, string>)['callback-token'];
    const report = await fetch(task.callback.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ type: 'progress', percent: 40, outTime: 720 }) });
    assert.equal(report.status, 204);
    await waitForJob(service.url, job.id, (j) => j.progress >= 0.39);

    fake.setJobStatus(namespace, name, { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] });
    const done = await waitForJob(service.url, job.id, 'succeeded');
    assert.equal(done.attempts, 1);

    await service.close();
    assert.ok(fake.job(namespace, name), 'closing the control plane deletes no Job');
  });

  it('runs a chunked attempt as a split Job, one Indexed Job for the chunks started while the split encodes the audio, then a stitch Job', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig-chunked.json');
    await writeFile(kubeconfig, fake.kubeConfig().exportConfig());
    service = await startTestService({
      overrides: {
        executor: { kind: 'kubernetes', image: 'live2vod:test', namespace, kubeconfig, concurrency: 4, chunks: { parallelism: 3 } },
        storage: { output: 's3://assets/vod', publicBaseUrl: 'https://cdn.example.com/vod' },
      },
    });
    const job = await submitJob(service.url, { source: 'https://media.example.com/allhands.mp4', facts: { durationSeconds: 240 } });
    const base = `live2vod-${job.id}-a1`;
    const report = async (jobName: string, unit: string, body: Record<string, unknown>): Promise<void> => {
      const created = await waitFor(`Job ${jobName}`, () => fake.job(namespace, jobName), { timeoutMs: 10_000, intervalMs: 20 });
      const env = (created.spec?.['template'] as { spec: { containers: { env: { name: string; value?: string }[] }[] } }).spec.containers[0]?.env ?? [];
      const task = JSON.parse(env.find((e) => e.name === 'LIVE2VOD_TASK')?.value ?? '{}') as { callback: { url: string } };
      const secret = await waitFor('its token Secret', () => fake.secret(namespace, jobName), { timeoutMs: 5000, intervalMs: 20 });
      const token = (secret['stringData'] as Record<string, string>)['callback-token'];
      const url = new URL(task.callback.url);
      url.searchParams.set('unit', unit);
      const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      assert.equal(answer.status, 204, await answer.text());
    };
    const complete = (jobName: string): void => fake.setJobStatus(namespace, jobName, { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] });

    // The split says: 4 chunks of 60 s.
    const ranges = [0, 1, 2, 3].map((i) => ({ startSeconds: i * 60, endSeconds: (i + 1) * 60 }));
    const layout = { count: 4, seconds: 60, plan: 'p'.repeat(64), ranges, finished: [] };
    await report(`${base}-split`, 'split', { type: 'chunks', ...layout });

    const group = await waitFor('the Indexed chunk Job', () => fake.job(namespace, `${base}-chunks`), { timeoutMs: 10_000, intervalMs: 20 });
    assert.equal(group.spec?.['completionMode'], 'Indexed');
    assert.equal(group.spec?.['completions'], 4);
    assert.equal(group.spec?.['parallelism'], 3, 'chunks.parallelism');

    // Progress is the sum over the chunks' own reports.
    await report(`${base}-chunks`, 'chunk-0', { type: 'progress', percent: 100, outTime: 60 });
    await report(`${base}-chunks`, 'chunk-1', { type: 'progress', percent: 50, outTime: 30 });
    const moving = await waitForJob(service.url, job.id, (j) => j.progress > 0);
    assert.ok(Math.abs(moving.progress - 0.95 * (90 / 240)) < 0.01, `progress ${moving.progress}`);

    complete(`${base}-chunks`);
    // The split's audio: the stitch waits for it.
    await report(`${base}-split`, 'split', { type: 'done', chunks: layout });
    complete(`${base}-split`);
    await waitFor('the stitch Job', () => fake.job(namespace, `${base}-stitch`), { timeoutMs: 10_000, intervalMs: 20 });
    assert.equal((await waitForJob(service.url, job.id, 'running')).state, 'running', 'not done before the stitch');
    complete(`${base}-stitch`);
    const done = await waitForJob(service.url, job.id, 'succeeded');
    assert.equal(done.attempts, 1);
    assert.equal(fake.job(namespace, base), undefined, 'no whole-recording Job was made');
    await service.close();
  });
});
