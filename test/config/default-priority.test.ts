// A job whose request names no priority gets its source kind's configured default, decided here
// only (adapters report what a request asks for; the intake applies this).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPriorities } from '../../src/config/default-priority.ts';
import { loadConfig } from '../../src/config/load.ts';

describe('defaultPriorities', () => {
  it('gives every source kind its setting: normal by default, the watch folder low', async () => {
    const config = await loadConfig({ env: {} });
    assert.deepEqual(defaultPriorities(config), { 'nginx-rtmp': 'normal', srs: 'normal', mediamtx: 'normal', s3: 'normal', generic: 'normal', watch: 'low', api: 'normal' });
  });

  it('follows the configuration, kind by kind', async () => {
    const config = await loadConfig({ env: {}, overrides: { ingest: { s3: { priority: 'urgent' }, srs: { priority: 'high' }, api: { priority: 'low' } } } });
    const priorities = defaultPriorities(config);
    assert.equal(priorities.s3, 'urgent');
    assert.equal(priorities.srs, 'high');
    assert.equal(priorities.api, 'low');
    assert.equal(priorities['nginx-rtmp'], 'normal');
  });
});
