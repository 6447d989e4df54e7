// Identities and least-privilege RBAC in the install namespace. The control plane may manage
// worker Jobs, list their pods (exit codes, disruption conditions) and manage the per-Job token
// Secrets — exactly the calls src/executors/kubernetes/ makes (a test holds the two together),
// nothing else, nowhere else. Workers get a ServiceAccount without any RBAC and
// without a mounted API token; annotate it for IRSA / workload identity to reach storage. Pure.
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { baseLabels } from '../labels.ts';
import { names, type InstallOptions } from './options.ts';

export function serviceAccounts(options: InstallOptions): IServiceAccount[] {
  const annotations = Object.keys(options.serviceAccountAnnotations).length ? { annotations: options.serviceAccountAnnotations } : {};
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: names.controlPlane, namespace: options.namespace, labels: baseLabels(options.instance, 'control-plane'), ...annotations } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: names.worker, namespace: options.namespace, labels: baseLabels(options.instance, 'worker'), ...annotations }, automountServiceAccountToken: false },
  ];
}

export function controlPlaneRole(options: InstallOptions): IRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: names.controlPlane, namespace: options.namespace, labels: baseLabels(options.instance, 'control-plane') },
    rules: [
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      // The Secrets are owned by their Jobs and garbage-collected with them; get and delete are for
      // a Job replaced under the same name, whose old Secret may not be collected yet.
      { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get', 'delete'] },
    ],
  };
}

export function controlPlaneRoleBinding(options: InstallOptions): IRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: names.controlPlane, namespace: options.namespace, labels: baseLabels(options.instance, 'control-plane') },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.controlPlane },
    subjects: [{ kind: 'ServiceAccount', name: names.controlPlane, namespace: options.namespace }],
  };
}
