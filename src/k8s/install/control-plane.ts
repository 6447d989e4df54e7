// The control plane: a Deployment running `live2vod serve` with the kubernetes executor, its
// Service, a PodDisruptionBudget, and (with SQLite) the volume for its store. With PostgreSQL it
// runs two replicas (leases keep them from running a job twice); with SQLite one, recreated on
// update since the volume is ReadWriteOnce. Workers report to the replica that launched them, at
// its pod IP. Pure.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { baseLabels } from '../labels.ts';
import { containerSecurityContext, podSecurityContext } from '../security.ts';
import { configFileName, configMountDir, dataDir } from './config-map.ts';
import { httpPort, names, usesPostgres, type InstallOptions } from './options.ts';

function selector(options: InstallOptions): Record<string, string> {
  return baseLabels(options.instance, 'control-plane');
}

function env(options: InstallOptions): IEnvVar[] {
  const postgres = usesPostgres(options);
  return [
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    // Workers report to the replica that launched them (its leases, its in-memory state).
    { name: 'LIVE2VOD_EXECUTOR__CALLBACK_URL', value: `http://$(POD_IP):${httpPort}` },
    // One HMAC key for all replicas; a single SQLite replica may keep its own in the data volume.
    { name: 'LIVE2VOD_CALLBACK_SECRET', valueFrom: { secretKeyRef: { name: options.callbackSecret, key: 'secret', optional: !postgres } } },
    { name: 'LIVE2VOD_API_TOKENS', valueFrom: { secretKeyRef: { name: options.apiTokensSecret, key: 'tokens', optional: true } } },
    ...(postgres ? [{ name: 'LIVE2VOD_DATABASE_URL', valueFrom: { secretKeyRef: { name: options.databaseSecret ?? names.database, key: 'url' } } }] : []),
    { name: 'TMPDIR', value: '/tmp' },
  ];
}

export function controlPlaneDeployment(options: InstallOptions): IDeployment {
  const postgres = usesPostgres(options);
  const labels = selector(options);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: names.controlPlane, namespace: options.namespace, labels },
    spec: {
      replicas: postgres ? 2 : 1,
      selector: { matchLabels: labels },
      strategy: postgres ? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } : { type: 'Recreate' },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: names.controlPlane,
          priorityClassName: names.controlPlanePriorityClass,
          securityContext: podSecurityContext(),
          enableServiceLinks: false,
          // Leaving replicas stop watching; the next claim adopts their Jobs.
          terminationGracePeriodSeconds: 30,
          ...(postgres ? { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: labels } } }] } } } : {}),
          containers: [{
            name: 'control-plane',
            image: options.image,
            args: ['serve', '--config', `${configMountDir}/${configFileName}`],
            ports: [{ name: 'http', containerPort: httpPort, protocol: 'TCP' }],
            env: env(options),
            ...(options.storageSecret ? { envFrom: [{ secretRef: { name: options.storageSecret } }] } : {}),
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10, failureThreshold: 6 },
            resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
            securityContext: containerSecurityContext(),
            volumeMounts: [
              { name: 'config', mountPath: configMountDir, readOnly: true },
              { name: 'data', mountPath: dataDir },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'config', configMap: { name: names.config } },
            postgres ? { name: 'data', emptyDir: {} } : { name: 'data', persistentVolumeClaim: { claimName: names.data } },
            { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
          ],
        },
      },
    },
  };
}

export function controlPlaneService(options: InstallOptions): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: names.controlPlane, namespace: options.namespace, labels: selector(options) },
    spec: { type: 'ClusterIP', selector: selector(options), ports: [{ name: 'http', port: httpPort, targetPort: 'http', protocol: 'TCP' }] },
  };
}

/** Two replicas: keep one through voluntary disruptions. One (SQLite): allow drains; it restarts and adopts its Jobs. */
export function controlPlaneDisruptionBudget(options: InstallOptions): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: names.controlPlane, namespace: options.namespace, labels: selector(options) },
    spec: { selector: { matchLabels: selector(options) }, ...(usesPostgres(options) ? { minAvailable: 1 } : { maxUnavailable: 1 }) },
  };
}

export function sqliteVolumeClaim(options: InstallOptions): IPersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: names.data, namespace: options.namespace, labels: selector(options) },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
  };
}

/** The database URL given on the command line, as a Secret (prefer --database-secret in GitOps). */
export function databaseSecret(options: InstallOptions, url: string): ISecret {
  return opaqueSecret(options, names.database, { url });
}

export function callbackSecret(options: InstallOptions, key: string): ISecret {
  return opaqueSecret(options, options.callbackSecret, { secret: key });
}

function opaqueSecret(options: InstallOptions, name: string, stringData: Record<string, string>): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: options.namespace, labels: selector(options) },
    type: 'Opaque',
    stringData,
  };
}
