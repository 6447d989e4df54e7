// The Executor conformance suite against the KubernetesExecutor on the FAKE Kubernetes API
// (test/k8s/fake-kube-api.ts, real HTTP through client-node). The test plays the Job controller:
// a worker that ends is a Job set Complete, or Failed with its pod's exit code. Stop requests are
// counted where they reach the API: DELETEs of the unit's Job.
import { ClientNodeKubeApi } from '../../src/executors/kubernetes/client-node-kube-api.ts';
import { KubernetesExecutor } from '../../src/executors/kubernetes-executor.ts';
import { FakeKubeApi } from '../k8s/fake-kube-api.ts';
import { runExecutorConformance, type ExecutorUnderTest } from './conformance.ts';
import { complete, executorConfig, namespace } from './kubernetes-rig.ts';

const unitAnnotation = 'live2vod.io/unit';

runExecutorConformance('kubernetes', async ({ capacity }): Promise<ExecutorUnderTest> => {
  const fake = await FakeKubeApi.start();
  const executor = new KubernetesExecutor({
    api: new ClientNodeKubeApi(fake.kubeConfig()),
    config: executorConfig({ concurrency: capacity }),
    watch: { backoff: { baseMs: 20, maxMs: 200 }, timeoutSeconds: 30 },
    goneTimeoutMs: 3000,
  });
  await executor.start();

  /** The Job of a unit, found by the annotation the executor writes on it. */
  const jobOf = (unit: string) => {
    const job = fake.jobs(namespace).find((j) => j.metadata.annotations?.[unitAnnotation] === unit);
    if (!job) throw new Error(`fake: no Job annotated ${unitAnnotation}=${unit}; Jobs: ${fake.jobs(namespace).map((j) => j.metadata.name).join(', ')}`);
    return job;
  };
  const deletesOf = new Map<string, string>();

  return {
    executor,
    // A launch resolves once the Job is created: its "worker" runs from then on.
    async started(unit) {
      deletesOf.set(unit, `/apis/batch/v1/namespaces/${namespace}/jobs/${jobOf(unit).metadata.name}`);
    },
    async finish(unit, exitCode) {
      const job = jobOf(unit);
      const name = job.metadata.name;
      if (exitCode === 0) return fake.setJobStatus(namespace, name, complete);
      fake.addPod(namespace, job, {
        name: `${name}-x1`,
        status: { phase: 'Failed', containerStatuses: [{ name: 'worker', ready: false, restartCount: 0, image: 'live2vod:test', imageID: '', state: { terminated: { exitCode, reason: 'Error' } } }] },
      });
      fake.setJobStatus(namespace, name, { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] });
    },
    stopRequests(unit) {
      const path = deletesOf.get(unit);
      return path === undefined ? 0 : fake.requests.filter((r) => r.method === 'DELETE' && r.path === path).length;
    },
    async cleanup() {
      await executor.close();
      await fake.close();
    },
  };
}, { groups: true });
