// `live2vod serve` with `executor.kind: kubernetes`, in process, against the FAKE Kubernetes API:
// a submitted job becomes a worker Job (priority class, intake facts), the worker's report with
// the token from the Job's Secret is accepted at the callback URL in the task, and the Job's
// completion makes the job succeed. Closing the service leaves the Job alone.
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
    service = await startTestService({
      overrides: {
        executor: { kind: 'kubernetes', image: 'live2vod:test', namespace, kubeconfig, concurrency: 2 },
        storage: { output: 's3://assets/vod', publicBaseUrl: 'https://cdn.example.com/vod' },
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
});
