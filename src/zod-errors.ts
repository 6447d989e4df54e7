// One readable line from a zod failure, naming each invalid field: `file: expected string; …`.
import type { z } from 'zod';

export function describeZodError(error: z.ZodError, limit = 5): string {
  return error.issues
    .slice(0, limit)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
