// How spot/preemptible capacity is marked on common platforms: the node label to select it and
// the taint its pools usually carry. `none` keeps every priority off spot. Pure data.
import type { KubernetesExecutorInput } from '../config/kubernetes-executor.ts';

export const spotPresetNames = ['karpenter', 'eks', 'gke', 'aks', 'none'] as const;
export type SpotPreset = (typeof spotPresetNames)[number];

type SpotInput = NonNullable<KubernetesExecutorInput['spot']>;

function marked(key: string, value: string): SpotInput {
  return { nodeLabel: { key, value }, tolerations: [{ key, operator: 'Equal', value, effect: 'NoSchedule' }] };
}

export function spotPreset(preset: SpotPreset): SpotInput {
  switch (preset) {
    case 'karpenter': return marked('karpenter.sh/capacity-type', 'spot');
    case 'eks': return marked('eks.amazonaws.com/capacityType', 'SPOT');
    case 'gke': return marked('cloud.google.com/gke-spot', 'true');
    case 'aks': return marked('kubernetes.azure.com/scalesetpriority', 'spot');
    case 'none': return { placement: { urgent: 'never', high: 'never', normal: 'never', low: 'never' }, tolerations: [] };
  }
}
