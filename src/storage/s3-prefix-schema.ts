// A setting that must name an S3 prefix (`s3://bucket/prefix`), checked by the one parser of
// storage locations (uri.ts), so configuration and workers agree on what a bucket name is.
import { z } from 'zod';
import { InputError } from '../errors/index.ts';
import { parseStorageUri } from './uri.ts';

export const s3PrefixSchema = z.string().superRefine((value, ctx) => {
  try {
    if (parseStorageUri(value).kind !== 's3') ctx.addIssue({ code: 'custom', message: 'must be s3://bucket/prefix' });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    ctx.addIssue({ code: 'custom', message: `must be s3://bucket/prefix: ${error.message}` });
  }
});
