// The control plane's configuration file as a ConfigMap. It is checked against the same schema
// `live2vod serve` loads it with, so an install never ships a configuration serve would refuse.
// Secrets (database URL, callback key, API tokens) come from env vars, not from here. Pure.
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import YAML from 'yaml';
import { configSchema, type ConfigInput } from '../../config/schema.ts';
import { describeZodError } from '../../zod-errors.ts';
import { baseLabels } from '../labels.ts';
import { executorSection, httpPort, names, type InstallOptions } from './options.ts';

export const configFileName = 'config.yaml';
export const configMountDir = '/etc/live2vod';
export const dataDir = '/data';

export function controlPlaneConfig(options: InstallOptions): ConfigInput {
  return {
    server: {
      host: '0.0.0.0',
      port: httpPort,
      publicUrl: options.publicUrl ?? `http://${names.controlPlane}.${options.namespace}.svc:${httpPort}`,
    },
    dataDir,
    storage: { output: options.storage, ...(options.publicBaseUrl ? { publicBaseUrl: options.publicBaseUrl } : {}) },
    executor: executorSection(options),
    logLevel: 'info',
  };
}

export function configMap(options: InstallOptions): IConfigMap {
  const config = controlPlaneConfig(options);
  const checked = configSchema.safeParse(config);
  if (!checked.success) throw new Error(`the generated configuration is invalid: ${describeZodError(checked.error)}`);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.config, namespace: options.namespace, labels: baseLabels(options.instance, 'control-plane') },
    data: { [configFileName]: `# live2vod serve configuration (docs/operations.md, docs/kubernetes.md)\n${YAML.stringify(config)}` },
  };
}
