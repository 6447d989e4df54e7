// Where a recording is, parsed once where a job comes in (webhook, API, watch folder, CLI) and
// carried typed from there: in the job's task, to the worker that fetches it. Users still write
// strings; this is the one place that reads them. S3 rules are uri.ts's (keys literal, the same
// bucket names everywhere); `file://` URLs become local paths.
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors/index.ts';
import { formatS3Uri, isValidBucketName, parseStorageUri } from '../storage/uri.ts';

export type SourceLocation =
  | { kind: 'local'; /** Absolute. */ path: string }
  | { kind: 's3'; bucket: string; /** Literal, never empty, not ending in `/` (an object, not a prefix). */ key: string }
  | { kind: 'url'; /** An http: or https: URL, normalised by WHATWG URL parsing. */ url: string };

export type SourceKindOfLocation = SourceLocation['kind'];

const accepted = 'use an absolute local path, file:///absolute/path, s3://bucket/key or an https:// URL';

/** The task's form of a location: checked again on the worker's side (a task is untrusted JSON). */
export const sourceLocationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local'), path: z.string().min(1).refine((p) => isAbsolute(p) && !p.includes('\0'), 'must be an absolute path') }),
  z.strictObject({
    kind: z.literal('s3'),
    bucket: z.string().refine(isValidBucketName, 'must be a bucket name (letters, digits, dots, hyphens, underscores)'),
    key: z.string().min(1).refine((k) => !k.endsWith('/'), 'must name an object, not a prefix'),
  }),
  z.strictObject({ kind: z.literal('url'), url: z.url({ protocol: /^https?$/ }) }),
]);

/**
 * Reads a source as a user wrote it. Relative local paths are resolved against `cwd` when one is
 * given (the CLI) and refused otherwise (a webhook's or API caller's working directory means
 * nothing here). Throws InputError saying what to write instead.
 */
export function parseSourceLocation(text: string, options: { cwd?: string } = {}): SourceLocation {
  if (text.length === 0) throw new InputError(`an empty source was given: ${accepted}`);
  if (text.includes('\0')) throw new InputError('the source contains a NUL character');
  // As in uri.ts, only `scheme://` is a scheme: `concat:a|b` is a (relative) file name, never an
  // ffmpeg protocol.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return { kind: 'url', url: parseUrl(text) };
  if (scheme !== undefined && scheme !== 's3' && scheme !== 'file') {
    throw new InputError(`source scheme "${scheme}://" is not supported in ${JSON.stringify(text)}: ${accepted}`);
  }
  if (scheme === undefined && !isAbsolute(text) && options.cwd === undefined) {
    throw new InputError(`the local source ${JSON.stringify(text)} is not an absolute path: ${accepted}`);
  }
  const location = parseStorageUri(text, options.cwd);
  if (location.kind === 'local') return { kind: 'local', path: location.path };
  if (location.key === '' || location.key.endsWith('/')) {
    throw new InputError(`${JSON.stringify(text)} names an S3 prefix, not an object: write s3://bucket/path/to/recording.ext`);
  }
  return { kind: 's3', bucket: location.bucket, key: location.key };
}

/** The canonical string of a location (what the store and the API show); parseSourceLocation reads it back unchanged. */
export function formatSourceLocation(location: SourceLocation): string {
  switch (location.kind) {
    case 'local': return location.path;
    case 's3': return formatS3Uri(location.bucket, location.key);
    case 'url': return location.url;
  }
}

function parseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`the source URL ${JSON.stringify(text)} is malformed: write a full URL such as https://host/path/recording.mp4`);
  }
  if (url.hostname === '') throw new InputError(`the source URL ${JSON.stringify(text)} has no host`);
  return url.toString();
}
