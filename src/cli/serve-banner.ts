// What `live2vod serve` prints once it listens: where everything is, and a first request that
// works as printed. Only what is really served is listed, and the example never names a file in
// the watched folder (the watch folder would make that file a job by itself).
import path from 'node:path';
import type { Config } from '../config/schema.ts';

export interface Served {
  base: string;
  /** The ingest hooks this instance answers (`/hooks/<kind>`), in the order they were built. */
  hooks: readonly string[];
  /** The watched folder, when the watch folder runs. */
  inbox?: string;
}

export function serveBanner(config: Config, served: Served): string {
  const { base } = served;
  // The token is not printed: the example names where it comes from.
  const auth = config.auth.tokens.length > 0 ? ` -H "Authorization: Bearer $LIVE2VOD_TOKEN"` : '';
  const lines = [
    `live2vod ${config.store.kind} store, ${workers(config)}, data in ${path.resolve(config.dataDir)}`,
    `  dashboard   ${base}/`,
    `  API         ${base}/v1/jobs   (OpenAPI: ${base}/openapi.json)`,
    served.hooks.length > 0
      ? `  webhooks    ${served.hooks.map((kind) => `${base}/hooks/${kind}`).join('  ')}`
      : '  webhooks    none configured (see docs/operations.md: recorder hooks need recordDir)',
    ...(config.recordDir !== undefined ? [`  recordings  the recorder hooks take files under ${path.resolve(config.recordDir)}`] : []),
    ...(served.inbox ? [`  inbox       drop a recording into ${served.inbox}`] : []),
    '',
    'submit a recording:',
    `  upload it:   curl -sS -X POST '${base}/v1/uploads?filename=recording.mp4'${auth} -H 'content-type: video/mp4' --data-binary @recording.mp4`,
  ];
  const root = config.sourceRoots[0];
  if (root !== undefined) {
    const source = JSON.stringify(path.join(path.resolve(root), 'recording.mp4'));
    lines.push(`  or by path:  curl -sS -X POST ${base}/v1/jobs${auth} -H 'content-type: application/json' -d '{"source": ${source}}'`);
  }
  if (auth) lines.push('  ($LIVE2VOD_TOKEN: one of the API tokens in auth.tokens / LIVE2VOD_API_TOKENS)');
  lines.push('');
  return lines.join('\n');
}

function workers(config: Config): string {
  return config.executor.kind === 'local' ? `${config.executor.concurrency} local worker(s)` : `Kubernetes Jobs in namespace ${config.executor.namespace}`;
}
