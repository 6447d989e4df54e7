// The OpenAPI document, generated from the same zod schemas the routes validate with.
// A test checks that every operation listed here is a registered route.
import { z } from 'zod';
import { version } from '../version.ts';
import { apiError, apiJob, attemptList, createJobBody, eventList, jobList, listJobsQuery, patchJobBody, uploadQuery } from './api-schemas.ts';

interface Operation {
  method: 'get' | 'post' | 'patch';
  path: string;
  summary: string;
  body?: z.ZodType;
  /** The body is raw bytes (a file) instead of JSON. */
  binaryBody?: boolean;
  query?: z.ZodObject;
  response?: z.ZodType;
  status?: number;
}

export const operations: Operation[] = [
  { method: 'post', path: '/v1/jobs', summary: 'Create a job from a source (201; 200 with the existing job for a replayed Idempotency-Key or a recording another intake already has; 409 for an Idempotency-Key reused with another body)', body: createJobBody, response: apiJob, status: 201 },
  { method: 'post', path: '/v1/uploads', summary: 'Upload a recording as the body (application/octet-stream, video/* or audio/*; at most sourceFetch.maxBytes) and create a job from it (201; 507 when the server has no space left)', query: uploadQuery, binaryBody: true, response: apiJob, status: 201 },
  { method: 'get', path: '/v1/jobs', summary: 'List jobs, newest first, with filters (state, priority, source, upload) and cursor paging; a page ends at limit items or server.maxListBytes of JSON, whichever comes first', query: listJobsQuery, response: jobList },
  { method: 'get', path: '/v1/jobs/{id}', summary: 'Get a job: its state, source facts (facts), when it became playable (playableAt), where its files are (outputPrefix), its URLs and error', response: apiJob },
  { method: 'patch', path: '/v1/jobs/{id}', summary: 'Change the priority of a queued job', body: patchJobBody, response: apiJob },
  { method: 'post', path: '/v1/jobs/{id}/cancel', summary: 'Cancel a job (a running worker is stopped)', response: apiJob, status: 202 },
  { method: 'post', path: '/v1/jobs/{id}/retry', summary: 'Queue a failed or cancelled job again', response: apiJob },
  { method: 'get', path: '/v1/jobs/{id}/attempts', summary: 'The attempts of a job with their outcomes', response: attemptList },
  { method: 'get', path: '/v1/jobs/{id}/log', summary: 'The event log of a job', response: eventList },
  { method: 'get', path: '/v1/jobs/{id}/events', summary: 'Server-sent events of one job: its log, then live state and progress (503 past server.eventStreams.max open streams)' },
  { method: 'get', path: '/v1/events', summary: 'Server-sent events of every job (503 past server.eventStreams.max open streams)' },
  { method: 'get', path: '/v1/assets/{id}', summary: 'The finished asset: URLs and manifest.json' },
];

function schema(s: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(s, { io, unrepresentable: 'any' });
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const parameters: unknown[] = [];
    if (op.path.includes('{id}')) parameters.push({ name: 'id', in: 'path', required: true, schema: { type: 'string' } });
    if (op.query) {
      for (const [name, field] of Object.entries(op.query.shape)) parameters.push({ name, in: 'query', required: false, schema: schema(field as z.ZodType, 'input') });
    }
    if (op.method === 'post' && op.path === '/v1/jobs') parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } });
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body, 'input') } } } } : {}),
      ...(op.binaryBody ? { requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } } } : {}),
      responses: {
        [String(op.status ?? 200)]: op.response
          ? { description: 'OK', content: { 'application/json': { schema: schema(op.response, 'output') } } }
          : { description: op.path.endsWith('events') ? 'text/event-stream' : 'OK' },
        default: { description: 'Error', content: { 'application/json': { schema: schema(apiError, 'output') } } },
      },
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'live2vod', version, description: 'Jobs that turn live recordings into adaptive-bitrate VOD.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
