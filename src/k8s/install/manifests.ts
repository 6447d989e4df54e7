// Everything that installs live2vod in a cluster, in apply order, each object validated against
// the upstream schema: namespace (restricted Pod Security), PriorityClasses, ServiceAccounts and
// RBAC, configuration, Secrets asked for, the control plane, its Service, PodDisruptionBudget and
// volume, NetworkPolicies. Pure apart from the random key of a generated callback Secret.
import { randomBytes } from 'node:crypto';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import { baseLabels } from '../labels.ts';
import { validated, type KubeObject } from '../validate.ts';
import { configMap } from './config-map.ts';
import { callbackSecret, controlPlaneDeployment, controlPlaneDisruptionBudget, controlPlaneService, databaseSecret, sqliteVolumeClaim } from './control-plane.ts';
import { networkPolicies } from './network.ts';
import { usesPostgres, type InstallOptions } from './options.ts';
import { priorityClasses } from './priority-classes.ts';
import { controlPlaneRole, controlPlaneRoleBinding, serviceAccounts } from './rbac.ts';

function namespace(options: InstallOptions): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: options.namespace,
      labels: {
        ...baseLabels(options.instance, 'control-plane'),
        // Everything live2vod runs meets the restricted standard; enforce it.
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  };
}

export function installManifests(options: InstallOptions): KubeObject[] {
  const objects: KubeObject[] = [
    namespace(options),
    ...priorityClasses(options.instance),
    ...serviceAccounts(options),
    controlPlaneRole(options),
    controlPlaneRoleBinding(options),
    configMap(options),
    ...(options.generateCallbackSecret ? [callbackSecret(options, randomBytes(32).toString('base64url'))] : []),
    ...(options.databaseUrl ? [databaseSecret(options, options.databaseUrl)] : []),
    ...(usesPostgres(options) ? [] : [sqliteVolumeClaim(options)]),
    controlPlaneDeployment(options),
    controlPlaneService(options),
    controlPlaneDisruptionBudget(options),
    ...networkPolicies(options),
  ];
  return objects.map((object) => validated(object));
}
