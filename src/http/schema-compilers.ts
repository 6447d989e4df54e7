// How route schemas run: zod validates params, query and body (a failure says what was wrong in
// the project's words, describeZodError, as a 400 invalid_request), and the provider's zod
// serializer checks each response against the schema the document shows for it.
import type { FastifySchemaCompiler } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { describeZodError } from '../zod-errors.ts';

/** A request part that does not match its schema; the message names each invalid field. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly issues: z.ZodError;
  constructor(issues: z.ZodError) {
    super(describeZodError(issues));
    this.issues = issues;
    this.name = 'RequestValidationError';
  }
}

/**
 * Like the provider's validatorCompiler, but keeps the ZodError whole (the provider's flattens
 * paths into JSON pointers), and reads a missing query or body as empty, as the routes always have.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema }) => (data: unknown) => {
  const parsed = schema.safeParse(data ?? {});
  return parsed.success ? { value: parsed.data } : { error: new RequestValidationError(parsed.error) };
};

export { serializerCompiler as zodSerializerCompiler };
