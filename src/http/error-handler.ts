// Every error a route throws (or Fastify raises for it) as `{error, message}`: a schema failure is
// 400 invalid_request naming the fields, an over-large body 413, a body of a type the route does not
// read 415 saying to send JSON, anything unforeseen a logged 500.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { RequestValidationError } from './schema-compilers.ts';

/** The HTTP status an error carries (Fastify's own, a plugin's), else 500. */
export function errorStatus(error: FastifyError | Error): number {
  return 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
}

/** Fastify's own words for a body it cannot parse say nothing of what to send instead. */
function unsupportedType(request: FastifyRequest): string {
  const type = request.headers['content-type']?.split(';')[0];
  return `${type ? `a body of type ${type}` : 'a body without a content-type'} cannot be read here: send JSON with content-type: application/json`;
}

export function errorHandler(bodyLimitBytes: number) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (error instanceof RequestValidationError) return reply.code(400).send({ error: 'invalid_request', message: error.message });
    const status = errorStatus(error);
    // A response that does not match its documented schema lands here too (500): a bug to log.
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const [code, message] = status === 413 ? ['too_large', `the body is larger than ${bodyLimitBytes} bytes`]
      : status === 415 ? ['unsupported_media_type', unsupportedType(request)]
      : status >= 500 ? ['internal', 'internal error']
      : ['bad_request', error.message];
    return reply.code(status).send({ error: code, message });
  };
}
