// Where a worker pod may run: spot/preemptible nodes per priority (never, preferred, required) and
// the GPU pool for the priorities configured to encode with NVENC. Pure.
import type { IAffinity } from 'kubernetes-models/v1/Affinity';
import type { INodeSelectorTerm } from 'kubernetes-models/v1/NodeSelectorTerm';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { KubernetesExecutorConfig, TolerationConfig } from './executor-config.ts';
import type { Priority } from '../jobs/job.ts';

export interface Placement {
  nodeSelector: Record<string, string>;
  tolerations: IToleration[];
  affinity?: IAffinity;
}

type PlacementConfig = Pick<KubernetesExecutorConfig, 'spot' | 'gpu' | 'nodeSelector'>;

function toleration(t: TolerationConfig): IToleration {
  const out: IToleration = { operator: t.operator };
  if (t.key !== undefined) out.key = t.key;
  // Exists must not carry a value.
  if (t.value !== undefined && t.operator === 'Equal') out.value = t.value;
  if (t.effect !== undefined) out.effect = t.effect;
  return out;
}

/** Whether Jobs of this priority (and this codec) take the GPU variant. NVENC is H.264 only here. */
export function usesGpu(priority: Priority, codec: string, config: Pick<KubernetesExecutorConfig, 'gpu'>): boolean {
  return codec === 'h264' && config.gpu.priorities.includes(priority);
}

export function workerPlacement(priority: Priority, gpu: boolean, config: PlacementConfig): Placement {
  const { spot } = config;
  const mode = spot.placement[priority];
  const spotTerm: INodeSelectorTerm = { matchExpressions: [{ key: spot.nodeLabel.key, operator: mode === 'never' ? 'NotIn' : 'In', values: [spot.nodeLabel.value] }] };
  const tolerations = [
    ...(mode === 'never' ? [] : spot.tolerations.map(toleration)),
    ...(gpu ? config.gpu.tolerations.map(toleration) : []),
  ];
  const nodeSelector = { ...config.nodeSelector, ...(gpu ? config.gpu.nodeSelector : {}) };
  // `never` is a hard NotIn, so an untainted spot pool cannot take an urgent job either.
  const affinity: IAffinity = mode === 'preferred'
    ? { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: spotTerm }] } }
    : { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [spotTerm] } } };
  return { nodeSelector, tolerations, affinity };
}
