// A FAKE Job controller for one Indexed Job on the FAKE API server, driven step by step by a test:
// it reads the Job's own spec (completions, parallelism, backoffLimitPerIndex, maxFailedIndexes,
// podFailurePolicy) and turns each pod outcome the test decides into pods and Job status the way
// the documented controller does — per-index retries, FailIndex, Ignore for a DisruptionTarget,
// status.completedIndexes / failedIndexes as intervals ("1,3-5"), MaxFailedIndexesExceeded — so a
// wrong field in the Job the executor built changes what the test sees. Not the real controller:
// no timing, no pod scheduling, no finalizers; enough to drive the executor.
import type { FakeKubeApi } from './fake-kube-api.ts';

type IndexState = 'pending' | 'running' | 'succeeded' | 'failed';

interface Rule {
  action: string;
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string; status: string }[];
}

interface IndexedSpec {
  completionMode?: string;
  completions?: number;
  parallelism?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  podFailurePolicy?: { rules: Rule[] };
}

export class FakeIndexedJobController {
  readonly #fake: FakeKubeApi;
  readonly #namespace: string;
  readonly #name: string;
  readonly #spec: Required<Omit<IndexedSpec, 'completionMode' | 'maxFailedIndexes' | 'podFailurePolicy'>> & { maxFailedIndexes?: number; rules: Rule[] };
  readonly #state: IndexState[];
  readonly #failures: number[];
  /** The running pod of each index. */
  readonly #pod = new Map<number, string>();
  /** Every pod created, by index: what a test checks "retried alone" against. */
  readonly podsByIndex: string[][];
  #podSeq = 0;
  #failedPods = 0;
  #clock = Date.parse('2026-12-01T00:00:00Z');
  #conditions: Record<string, string>[] = [];

  constructor(fake: FakeKubeApi, namespace: string, name: string) {
    this.#fake = fake;
    this.#namespace = namespace;
    this.#name = name;
    const spec = fake.job(namespace, name)?.spec as IndexedSpec | undefined;
    if (!spec || spec.completionMode !== 'Indexed') throw new Error(`fake controller: ${namespace}/${name} is not an Indexed Job`);
    const completions = spec.completions ?? 1;
    this.#spec = {
      completions,
      parallelism: spec.parallelism ?? 1,
      backoffLimitPerIndex: spec.backoffLimitPerIndex ?? 6,
      ...(spec.maxFailedIndexes !== undefined ? { maxFailedIndexes: spec.maxFailedIndexes } : {}),
      rules: spec.podFailurePolicy?.rules ?? [],
    };
    this.#state = Array.from({ length: completions }, () => 'pending');
    this.#failures = Array.from({ length: completions }, () => 0);
    this.podsByIndex = Array.from({ length: completions }, () => []);
  }

  /** Starts pods for pending indexes, lowest first, up to parallelism; writes the status. */
  start(): void {
    this.#reconcile();
  }

  running(): number[] {
    return [...this.#pod.keys()].sort((a, b) => a - b);
  }

  succeed(index: number): void {
    const pod = this.#runningPod(index);
    this.#fake.setPodStatus(this.#namespace, pod, { phase: 'Succeeded', containerStatuses: [terminated(0, 'Completed', this.#tick())] });
    this.#pod.delete(index);
    this.#state[index] = 'succeeded';
    this.#reconcile();
  }

  /** The index's pod ends with `exitCode`; with `disruption`, it carries a DisruptionTarget condition (preempted, reclaimed). */
  fail(index: number, exitCode: number, options: { disruption?: string; message?: string } = {}): void {
    const pod = this.#runningPod(index);
    const conditions = options.disruption ? [{ type: 'DisruptionTarget', status: 'True', reason: options.disruption, message: 'fake: the node is going away' }] : [];
    this.#fake.setPodStatus(this.#namespace, pod, { phase: 'Failed', conditions, containerStatuses: [terminated(exitCode, 'Error', this.#tick(), options.message)] });
    this.#pod.delete(index);
    const action = this.#spec.rules.find((rule) => matches(rule, exitCode, conditions))?.action ?? 'Count';
    if (action === 'Ignore') {
      this.#state[index] = 'pending';
    } else if (action === 'FailJob') {
      this.#failedPods++;
      this.#finish('Failed', 'PodFailurePolicy', `Container worker for pod ${this.#namespace}/${pod} failed with exit code ${exitCode} matching FailJob rule`);
    } else {
      this.#failedPods++;
      this.#failures[index]!++;
      this.#state[index] = action === 'FailIndex' || this.#failures[index]! > this.#spec.backoffLimitPerIndex ? 'failed' : 'pending';
    }
    this.#reconcile();
  }

  #reconcile(): void {
    if (!this.#conditions.length) {
      const failed = this.#indexes('failed').length;
      const max = this.#spec.maxFailedIndexes;
      if (max !== undefined && failed > max) {
        this.#finish('Failed', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes');
      } else if (this.#state.every((s) => s === 'succeeded' || s === 'failed')) {
        if (failed) this.#finish('Failed', 'FailedIndexes', 'Job has failed indexes');
        else this.#finish('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
      } else {
        for (let i = 0; i < this.#state.length && this.#pod.size < this.#spec.parallelism; i++) {
          if (this.#state[i] !== 'pending') continue;
          const pod = `${this.#name}-${i}-${(++this.#podSeq).toString(36).padStart(5, 'x')}`;
          const job = this.#fake.job(this.#namespace, this.#name);
          if (!job) throw new Error('fake controller: the Job is gone');
          this.#fake.addPod(this.#namespace, job, { name: pod, labels: { 'batch.kubernetes.io/job-completion-index': String(i) }, status: { phase: 'Running' } });
          this.#pod.set(i, pod);
          this.podsByIndex[i]!.push(pod);
          this.#state[i] = 'running';
        }
      }
    }
    this.#writeStatus();
  }

  /** Ends the Job: the early FailureTarget/SuccessCriteriaMet, then the final condition; running pods are let go. */
  #finish(type: 'Complete' | 'Failed', reason: string, message: string): void {
    this.#conditions = [
      { type: type === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget', status: 'True', reason, message },
      { type, status: 'True', reason, message },
    ];
    this.#pod.clear();
  }

  #writeStatus(): void {
    const failedIndexes = this.#indexes('failed');
    this.#fake.setJobStatus(this.#namespace, this.#name, {
      active: this.#pod.size,
      ready: this.#pod.size,
      succeeded: this.#indexes('succeeded').length,
      failed: this.#failedPods,
      completedIndexes: intervals(this.#indexes('succeeded')),
      ...(this.#spec.backoffLimitPerIndex !== undefined ? { failedIndexes: intervals(failedIndexes) } : {}),
      ...(this.#conditions.length ? { conditions: this.#conditions } : {}),
    });
  }

  #indexes(state: IndexState): number[] {
    return this.#state.flatMap((s, i) => (s === state ? [i] : []));
  }

  #runningPod(index: number): string {
    const pod = this.#pod.get(index);
    if (!pod) throw new Error(`fake controller: index ${index} has no running pod (${this.#state[index] ?? 'no such index'})`);
    return pod;
  }

  #tick(): string {
    this.#clock += 1000;
    return new Date(this.#clock).toISOString();
  }
}

function matches(rule: Rule, exitCode: number, conditions: { type: string; status: string }[]): boolean {
  if (rule.onPodConditions) return rule.onPodConditions.some((want) => conditions.some((c) => c.type === want.type && c.status === want.status));
  if (rule.onExitCodes) {
    const listed = rule.onExitCodes.values.includes(exitCode);
    return rule.onExitCodes.operator === 'In' ? listed : !listed && exitCode !== 0;
  }
  return false;
}

function terminated(exitCode: number, reason: string, finishedAt: string, message?: string) {
  return { name: 'worker', ready: false, restartCount: 0, image: 'live2vod:test', imageID: '', state: { terminated: { exitCode, reason, finishedAt, ...(message ? { message } : {}) } } };
}

/** [0, 1, 2, 4, 6, 7] → "0-2,4,6-7", as the Job controller writes index sets. */
function intervals(indexes: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indexes.length; i++) {
    const from = indexes[i]!;
    while (i + 1 < indexes.length && indexes[i + 1] === indexes[i]! + 1) i++;
    parts.push(from === indexes[i] ? String(from) : `${from}-${indexes[i]}`);
  }
  return parts.join(',');
}
