// The Job watch's failure handling: an exception while applying an event ends the watch with that
// error (client-node would swallow it) against the FAKE API server, and the reflector's backoff
// follows the failures in a row, not every failure since the start (a stub API).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientNodeKubeApi } from '../../src/executors/kubernetes/client-node-kube-api.ts';
import { JobReflector } from '../../src/executors/kubernetes/job-reflector.ts';
import type { JobList, JobWatch, KubeApi } from '../../src/executors/kubernetes/kube-api.ts';
import { buildWorkerJob } from '../../src/k8s/worker-job.ts';
import { waitFor } from '../helpers/serve.ts';
import { FakeKubeApi } from '../k8s/fake-kube-api.ts';
import { executorConfig, sampleTask } from './kubernetes-rig.ts';

let fake: FakeKubeApi;
before(async () => {
  fake = await FakeKubeApi.start();
});
after(() => fake.close());

describe('the Job watch over client-node', () => {
  it('ends with the error an event handler threw, instead of dropping the event', async () => {
    const ns = 'watch-throws';
    fake.seedJob(ns, buildWorkerJob({ task: sampleTask('thrower'), priority: 'normal', facts: {}, config: executorConfig({ namespace: ns }) }).job);
    const api = new ClientNodeKubeApi(fake.kubeConfig());
    let calls = 0;
    const watch = await api.watchJobs(ns, { labelSelector: '', resourceVersion: '1', timeoutSeconds: 30 }, () => {
      calls++;
      throw new Error('the handler broke');
    });
    await assert.rejects(watch.done, /the handler broke/);
    assert.equal(calls, 1, 'no event is handed on after the failed one');
    await waitFor('the connection closed', () => (fake.openWatches === 0 ? true : undefined), { timeoutMs: 3000, intervalMs: 10 });
  });
});

/** A KubeApi whose lists fail while `listFailures` > 0 and whose watches fail when told to. */
class StubApi implements Pick<KubeApi, 'listJobs' | 'watchJobs'> {
  listFailures = 0;
  lists = 0;
  #failWatch: ((error: Error) => void) | undefined;

  async listJobs(): Promise<JobList> {
    this.lists++;
    if (this.listFailures > 0) {
      this.listFailures--;
      throw new Error('list refused');
    }
    return { items: [], resourceVersion: String(this.lists) };
  }

  async watchJobs(): Promise<JobWatch> {
    let stop!: () => void;
    const done = new Promise<void>((resolve, reject) => {
      stop = resolve;
      this.#failWatch = reject;
    });
    return { done, stop };
  }

  get watching(): boolean {
    return this.#failWatch !== undefined;
  }

  failWatch(): void {
    const fail = this.#failWatch;
    this.#failWatch = undefined;
    fail?.(new Error('connection lost'));
  }
}

describe('the Job reflector', () => {
  it('backs a relist off by the failures in a row, starting over once a watch has worked', async () => {
    const api = new StubApi();
    const errors: string[] = [];
    const reflector = new JobReflector({
      api: api as unknown as KubeApi,
      namespace: 'ns',
      labelSelector: '',
      onChange: () => undefined,
      onError: (message) => errors.push(message),
      backoff: { baseMs: 1, maxMs: 64 },
    });
    await reflector.start();
    try {
      // A long outage: the watch fails and ten lists after it.
      await waitFor('a watch', () => (api.watching ? true : undefined), { timeoutMs: 3000, intervalMs: 5 });
      api.listFailures = 10;
      api.failWatch();
      await waitFor('the recovery', () => (api.listFailures === 0 && api.watching ? true : undefined), { timeoutMs: 5000, intervalMs: 5 });
      const longest = errors.filter((e) => e.startsWith('list of Jobs failed')).at(-1) ?? '';
      assert.match(longest, /\(11 in a row\); trying again in (3[2-9]|[4-6]\d) ms/, 'the outage backed off to the maximum');

      // The watch then works for a while; a blip after that starts the backoff small again.
      await sleep(1100);
      errors.length = 0;
      api.listFailures = 1;
      api.failWatch();
      await waitFor('the second recovery', () => (api.listFailures === 0 && api.watching ? true : undefined), { timeoutMs: 5000, intervalMs: 5 });
      const blip = errors.find((e) => e.startsWith('list of Jobs failed')) ?? '';
      const delay = Number(/trying again in (\d+) ms/.exec(blip)?.[1]);
      assert.ok(delay <= 8, `a short wait after one blip, not the outage's: ${blip}`);
      assert.equal(reflector.restarts, 13, 'the lifetime count is still kept for metrics');
    } finally {
      await reflector.stop();
    }
  });
});
