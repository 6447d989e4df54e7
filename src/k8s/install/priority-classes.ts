// PriorityClasses: one per job priority, and one for the control plane. Only urgent may preempt;
// the others wait (preemptionPolicy Never) but still queue ahead of lower ones. Every value is
// ≥ 0, above Cluster Autoscaler's expendable-pods cutoff (-10): pending workers of any priority
// make it add nodes. Cluster-scoped, shared by installations. Pure.
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import type { Priority } from '../../jobs/job.ts';
import { baseLabels } from '../labels.ts';
import { names } from './options.ts';

export const priorityValues: Record<Priority, number> = { low: 1000, normal: 2000, high: 3000, urgent: 10_000 };
/** Above every worker: an urgent worker must never preempt the control plane. */
export const controlPlanePriorityValue = 100_000;

export function priorityClasses(instance: string): IPriorityClass[] {
  const labels = baseLabels(instance, 'worker');
  const jobs = (Object.entries(priorityValues) as [Priority, number][]).map(([priority, value]): IPriorityClass => ({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: `live2vod-${priority}`, labels },
    value,
    globalDefault: false,
    preemptionPolicy: priority === 'urgent' ? 'PreemptLowerPriority' : 'Never',
    description: priority === 'urgent'
      ? 'live2vod urgent transcodes: may preempt lower-priority pods'
      : `live2vod ${priority} transcodes: queue by priority, never preempt`,
  }));
  return [...jobs, {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: names.controlPlanePriorityClass, labels: baseLabels(instance, 'control-plane') },
    value: controlPlanePriorityValue,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
    description: 'live2vod control plane: above its workers, so it always has a place',
  }];
}
