// NetworkPolicies: workers accept no connections at all (they only call out: storage, sources,
// their control plane); the control plane accepts HTTP on its port only. Egress stays open —
// storage endpoints and sources are arbitrary addresses. Pure.
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { baseLabels } from '../labels.ts';
import { httpPort, names, type InstallOptions } from './options.ts';

export function networkPolicies(options: InstallOptions): INetworkPolicy[] {
  return [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: names.worker, namespace: options.namespace, labels: baseLabels(options.instance, 'worker') },
      spec: { podSelector: { matchLabels: baseLabels(options.instance, 'worker') }, policyTypes: ['Ingress'], ingress: [] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: names.controlPlane, namespace: options.namespace, labels: baseLabels(options.instance, 'control-plane') },
      spec: {
        podSelector: { matchLabels: baseLabels(options.instance, 'control-plane') },
        policyTypes: ['Ingress'],
        // Webhooks, API clients and worker reports all come to the one HTTP port.
        ingress: [{ ports: [{ protocol: 'TCP', port: httpPort }] }],
      },
    },
  ];
}
