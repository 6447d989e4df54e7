// Validates parsed Kubernetes objects against the upstream schema (kubernetes-models), by
// apiVersion and kind — independently of the project's own `validated`, so a test would notice if
// that one stopped checking.
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { PriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

type Validator = (object: never) => void;

const validators: Record<string, Validator> = {
  'apps/v1/Deployment': (o) => new Deployment(o).validate(),
  'batch/v1/Job': (o) => new Job(o).validate(),
  // Flux's own kinds, for the GitOps example (deploy/flux).
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': (o) => new Kustomization(o).validate(),
  'source.toolkit.fluxcd.io/v1/GitRepository': (o) => new GitRepository(o).validate(),
  'networking.k8s.io/v1/NetworkPolicy': (o) => new NetworkPolicy(o).validate(),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o).validate(),
  'rbac.authorization.k8s.io/v1/Role': (o) => new Role(o).validate(),
  'rbac.authorization.k8s.io/v1/RoleBinding': (o) => new RoleBinding(o).validate(),
  'scheduling.k8s.io/v1/PriorityClass': (o) => new PriorityClass(o).validate(),
  'v1/ConfigMap': (o) => new ConfigMap(o).validate(),
  'v1/Namespace': (o) => new Namespace(o).validate(),
  'v1/PersistentVolumeClaim': (o) => new PersistentVolumeClaim(o).validate(),
  'v1/Secret': (o) => new Secret(o).validate(),
  'v1/Service': (o) => new Service(o).validate(),
  'v1/ServiceAccount': (o) => new ServiceAccount(o).validate(),
};

/** Throws when the object does not match its kind's schema, or the kind is unknown here. */
export function validateUpstream(object: { apiVersion?: unknown; kind?: unknown }): void {
  const key = `${String(object.apiVersion)}/${String(object.kind)}`;
  const validate = validators[key];
  if (!validate) throw new Error(`no upstream schema known for ${key}`);
  validate(object as never);
}
