// Checks the JSON responses an app gives against the OpenAPI document it serves (generated from
// its routes): every response a test sees is recorded, then validated with Ajv, a validator
// independent of the zod schemas the document came from.
import type { FastifyInstance } from 'fastify';
import { Ajv2020 } from 'ajv/dist/2020.js';

export interface Seen { method: string; route: string; status: number; body: string }

export type OpenApiDoc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: object }> }> }>> };

/** Call before the app is ready; `check()` then validates everything recorded so far. */
export function recordResponses(app: FastifyInstance): { check(): Promise<string[]>; count(): number } {
  const seen: Seen[] = [];
  app.addHook('onSend', async (request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    const route = request.routeOptions.url;
    if (route && typeof payload === 'string' && type.startsWith('application/json')) seen.push({ method: request.method.toLowerCase(), route, status: reply.statusCode, body: payload });
    return payload;
  });
  return {
    count: () => seen.length,
    async check() {
      const doc = JSON.parse((await app.inject({ method: 'GET', url: '/openapi.json' })).body) as OpenApiDoc;
      return answerProblems(doc, seen);
    },
  };
}

/**
 * What is wrong with each answer against the document: a status it does not name, or a body its
 * schema refuses. `route` is the route's pattern (`/v1/jobs/:id`). For tests that talk to a running
 * service over HTTP, where recordResponses cannot hook in.
 */
export function answerProblems(doc: OpenApiDoc, seen: readonly Seen[]): string[] {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const problems: string[] = [];
  for (const s of seen) {
    const path = s.route.replace(/:(\w+)/g, '{$1}');
    const operation = doc.paths[path]?.[s.method];
    if (!operation) {
      // Routes outside the document (the dashboard, media, the document itself) are not API answers.
      continue;
    }
    const response = operation.responses[String(s.status)] ?? operation.responses[`${String(s.status)[0]}XX`] ?? operation.responses['default'];
    const schema = response?.content?.['application/json']?.schema;
    if (!schema) {
      problems.push(`${s.method.toUpperCase()} ${s.route} ${s.status}: not in the document`);
      continue;
    }
    const { $schema: _, ...plain } = schema as { $schema?: string };
    const validate = ajv.compile(plain);
    if (!validate(JSON.parse(s.body))) problems.push(`${s.method.toUpperCase()} ${s.route} ${s.status}: ${ajv.errorsText(validate.errors)} in ${s.body.slice(0, 200)}`);
  }
  return problems;
}
