// A request that does not match a route's schema gets 400 invalid_request with the fields named as
// describeZodError names them: the wording the handlers gave when they parsed by hand, now that the
// routes' schemas validate. The expected message is worked out from the schema itself.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { z } from 'zod';
import { createJobBody, jobIdParams, listJobsQuery, patchJobBody, uploadQuery } from '../../src/http/api-schemas.ts';
import { describeZodError } from '../../src/zod-errors.ts';
import { makeTemp } from '../helpers/serve.ts';
import { securityHarness, type SecurityHarness } from '../security/harness.ts';

function expected(schema: z.ZodType, value: unknown): string {
  const parsed = schema.safeParse(value);
  assert.ok(!parsed.success, 'the example is invalid');
  return describeZodError(parsed.error);
}

describe('schema failures answer in the project\'s words', () => {
  let root: string;
  let h: SecurityHarness;
  let queuedId: string;
  before(async () => {
    root = await makeTemp('live2vod-validation-');
    h = await securityHarness(root);
    const created = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://b/a.mp4' } });
    queuedId = (JSON.parse(created.body) as { id: string }).id;
  });
  after(async () => {
    await h.close();
    await rm(root, { recursive: true, force: true });
  });

  const cases: [string, () => { method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object; headers?: Record<string, string> }, () => string][] = [
    ['a body without its source', () => ({ method: 'POST', url: '/v1/jobs', payload: {} }), () => expected(createJobBody, {})],
    ['a body with an unknown field and a wrong priority', () => ({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://b/c.mp4', colour: 'red', priority: 'asap' } }),
      () => expected(createJobBody, { source: 's3://b/c.mp4', colour: 'red', priority: 'asap' })],
    ['no body at all', () => ({ method: 'POST', url: '/v1/jobs' }), () => expected(createJobBody, {})],
    ['a list query out of range', () => ({ method: 'GET', url: '/v1/jobs?limit=0&state=queued,lost' }), () => expected(listJobsQuery, { limit: '0', state: 'queued,lost' })],
    ['an id longer than an id', () => ({ method: 'GET', url: `/v1/jobs/${'x'.repeat(65)}` }), () => expected(jobIdParams, { id: 'x'.repeat(65) })],
    ['a priority change to no priority', () => ({ method: 'PATCH', url: `/v1/jobs/${queuedId}`, payload: { priority: 'asap' } }), () => expected(patchJobBody, { priority: 'asap' })],
    ['an upload without its file name', () => ({ method: 'POST', url: '/v1/uploads', payload: Buffer.from('x'), headers: { 'content-type': 'application/octet-stream' } }), () => expected(uploadQuery, {})],
  ];
  for (const [name, request, message] of cases) {
    it(name, async () => {
      const response = await h.app.inject(request());
      assert.equal(response.statusCode, 400, response.body);
      assert.deepEqual(JSON.parse(response.body), { error: 'invalid_request', message: message() });
    });
  }
});
