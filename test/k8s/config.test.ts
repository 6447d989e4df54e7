// The `executor: { kind: kubernetes }` configuration through the real loader: defaults, clear
// errors that name the key, and the local executor unchanged when no kind is given.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { UsageError } from '../../src/errors/index.ts';
import { makeTemp } from '../helpers/serve.ts';

const storage = { output: 's3://assets/vod', publicBaseUrl: 'https://cdn.example.com/vod' };

async function refusal(overrides: Record<string, unknown>): Promise<string> {
  let message = '';
  await assert.rejects(loadConfig({ env: {}, overrides }), (error: unknown) => {
    assert.ok(error instanceof UsageError, String(error));
    message = error.message;
    return true;
  });
  return message;
}

describe('kubernetes executor configuration', () => {
  it('fills in defaults around the image', async () => {
    const config = await loadConfig({ env: {}, overrides: { executor: { kind: 'kubernetes', image: 'live2vod:1' }, storage } });
    assert.equal(config.executor.kind, 'kubernetes');
    if (config.executor.kind !== 'kubernetes') return;
    assert.equal(config.executor.namespace, 'live2vod');
    assert.equal(config.executor.concurrency, 50);
    assert.equal(config.executor.backoffLimit, 1);
    assert.equal(config.executor.priorityClasses.urgent, 'live2vod-urgent');
    assert.equal(config.executor.spot.placement.low, 'required');
    assert.deepEqual([config.executor.chunks.parallelism, config.executor.chunks.backoffLimitPerIndex], [16, 2]);
    assert.deepEqual(config.executor.chunks.resources.split.requests, { cpu: '1', memory: '2Gi' });
    assert.deepEqual(config.executor.chunks.resources.stitch.limits, { memory: '4Gi' });
  });

  it('names the key of each problem', async () => {
    assert.match(await refusal({ executor: { kind: 'kubernetes', image: 'x' } }), /storage\.output: is required with executor\.kind kubernetes/);
    assert.match(await refusal({ executor: { kind: 'kubernetes' }, storage }), /executor\.image: /);
    assert.match(await refusal({ executor: { kind: 'kubernetes', image: 'x', resources: { requests: { cpu: 'four' } } }, storage }), /executor\.resources\.requests\.cpu: must be a Kubernetes quantity/);
    assert.match(await refusal({ executor: { kind: 'kubernetes', image: 'x', namespace: 'Media_NS' }, storage }), /executor\.namespace: must be a DNS-1123 label/);
    assert.match(await refusal({ executor: { kind: 'kubernetes', image: 'x', nodePool: 'a' }, storage }), /executor\.nodePool: unknown key/);
    assert.match(await refusal({ executor: { kind: 'kubernetes', image: 'x', chunks: { parallelism: 0 } }, storage }), /executor\.chunks\.parallelism: /);
    assert.match(await refusal({ executor: { kind: 'kubernetes', image: 'x', chunks: { resources: { merge: {} } } }, storage }), /executor\.chunks\.resources\.merge: unknown key/);
    assert.match(await refusal({ executor: { kind: 'docker' } }), /executor\.kind: must be "local" or "kubernetes"/);
    assert.match(await refusal({ executor: { kind: 'local', image: 'x' } }), /executor\.image: unknown key/, 'kubernetes keys are not accepted for local');
  });

  it('leaves the local executor as it was', async () => {
    const config = await loadConfig({ env: { LIVE2VOD_CONCURRENCY: '3' } });
    assert.deepEqual(config.executor, { kind: 'local', concurrency: 3 });
  });

  it('takes the callback URL from LIVE2VOD_EXECUTOR__CALLBACK_URL over the file, and ignores the env vars read elsewhere', async (t) => {
    const dir = await makeTemp('live2vod-k8s-config-');
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, YAML.stringify({ executor: { kind: 'kubernetes', image: 'x' }, storage }));
    const config = await loadConfig({
      file,
      env: { LIVE2VOD_EXECUTOR__CALLBACK_URL: 'http://10.0.0.5:8080', LIVE2VOD_CALLBACK_SECRET: 'shared-key-0123456789', LIVE2VOD_CALLBACK_TOKEN: 'x', LIVE2VOD_TERMINATION_MESSAGE_PATH: '/dev/termination-log' },
    });
    assert.equal(config.executor.kind === 'kubernetes' ? config.executor.callbackUrl : undefined, 'http://10.0.0.5:8080');
  });
});
