// How spot/preemptible capacity is marked on common platforms: the node label to select it and
// the taint its pools usually carry. `none` keeps every priority off spot. Pure data.
import type { KubernetesExecutorInput } from './executor-config.ts';

export const spotPresetNames = ['karpenter', 'eks', 'gke', 'aks', 'none'] as const;
export type SpotPreset = (typeof spotPresetNames)[number];

type SpotInput = NonNullable<KubernetesExecutorInput['spot']>;

/** Where the platform does not taint spot nodes itself, operators may taint a spot pool with this. */
const ownTaint = { key: 'live2vod.io/spot', value: 'true' };

function marked(key: string, value: string, taint: { key: string; value: string } = ownTaint): SpotInput {
  return { nodeLabel: { key, value }, tolerations: [{ key: taint.key, operator: 'Equal', value: taint.value, effect: 'NoSchedule' }] };
}

export function spotPreset(preset: SpotPreset): SpotInput {
  switch (preset) {
    case 'karpenter': return marked('karpenter.sh/capacity-type', 'spot');
    case 'eks': return marked('eks.amazonaws.com/capacityType', 'SPOT');
    // GKE and AKS taint their spot pools themselves.
    case 'gke': return marked('cloud.google.com/gke-spot', 'true', { key: 'cloud.google.com/gke-spot', value: 'true' });
    case 'aks': return marked('kubernetes.azure.com/scalesetpriority', 'spot', { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot' });
    case 'none': return { placement: { urgent: 'never', high: 'never', normal: 'never', low: 'never' }, tolerations: [] };
  }
}
