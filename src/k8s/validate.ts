// Every object live2vod generates is checked against the upstream Kubernetes OpenAPI schema
// (kubernetes-models) before it is printed or sent: a wrong type, enum value or missing required
// field fails here with the object's kind and name, not in the cluster.
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role, type IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding, type IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { PriorityClass, type IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace, type INamespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim, type IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret, type ISecret } from 'kubernetes-models/v1/Secret';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount, type IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { isDnsLabel, isDnsSubdomain, isLabelKey, isLabelValue } from './syntax.ts';

/** The kinds live2vod generates. */
export type KubeObject =
  | IJob | ISecret | INamespace | IServiceAccount | IRole | IRoleBinding | IDeployment | IService
  | IConfigMap | IPriorityClass | INetworkPolicy | IPodDisruptionBudget | IPersistentVolumeClaim;

export class ManifestValidationError extends Error {
  constructor(object: KubeObject, cause: unknown) {
    super(`${object.kind} ${object.metadata?.name ?? '(unnamed)'} does not match the Kubernetes schema: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ManifestValidationError';
  }
}

function check(object: KubeObject): void {
  switch (object.kind) {
    case 'Job': return new Job(object).validate();
    case 'Secret': return new Secret(object).validate();
    case 'Namespace': return new Namespace(object).validate();
    case 'ServiceAccount': return new ServiceAccount(object).validate();
    case 'Role': return new Role(object).validate();
    case 'RoleBinding': return new RoleBinding(object).validate();
    case 'Deployment': return new Deployment(object).validate();
    case 'Service': return new Service(object).validate();
    case 'ConfigMap': return new ConfigMap(object).validate();
    case 'PriorityClass': return new PriorityClass(object).validate();
    case 'NetworkPolicy': return new NetworkPolicy(object).validate();
    case 'PodDisruptionBudget': return new PodDisruptionBudget(object).validate();
    case 'PersistentVolumeClaim': return new PersistentVolumeClaim(object).validate();
  }
}

/** What the OpenAPI schema does not say but the API server enforces: name and label syntax. */
function checkMetadata(object: KubeObject): void {
  const name = object.metadata?.name ?? '';
  // Job names end up in a label (batch.kubernetes.io/job-name): a DNS label, at most 63.
  const nameOk = object.kind === 'Job' || object.kind === 'Namespace' || object.kind === 'Service' ? isDnsLabel(name) : isDnsSubdomain(name);
  if (!nameOk) throw new Error(`metadata.name "${name}" is not a valid ${object.kind} name`);
  const namespace = object.metadata?.namespace;
  if (namespace !== undefined && !isDnsLabel(namespace)) throw new Error(`metadata.namespace "${namespace}" is not a DNS label`);
  for (const [key, value] of Object.entries(object.metadata?.labels ?? {})) {
    if (!isLabelKey(key)) throw new Error(`label key "${key}" is invalid`);
    if (!isLabelValue(value)) throw new Error(`label ${key}: value "${value}" is invalid`);
  }
}

/** Returns the object when it validates; throws a ManifestValidationError naming it otherwise. */
export function validated<T extends KubeObject>(object: T): T {
  try {
    checkMetadata(object);
    check(object);
  } catch (error) {
    throw new ManifestValidationError(object, error);
  }
  return object;
}
