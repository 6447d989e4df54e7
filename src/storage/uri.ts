// Storage locations as users write them: `s3://bucket/prefix`, `file:///abs/dir`, or a plain path.
//
// An S3 URI is NOT a URL: the key is everything after the first `/` following the bucket, taken
// literally. S3 keys may hold any character, so `s3://b/a b/c+d/%2F` names the key `a b/c+d/%2F`
// (with a literal space, plus and percent sign) — nothing is decoded, nothing is normalised, and
// trailing slashes are kept. `file://` URLs are URLs and are percent-decoded.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors/index.ts';

export type StorageLocation =
  | { kind: 's3'; bucket: string; /** Literal, possibly empty; a prefix for a store, a key for one object. */ key: string }
  | { kind: 'local'; /** Absolute. */ path: string };

const schemePattern = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
// Real S3 bucket names are 3–63 of [a-z0-9.-]; S3-compatible servers and legacy buckets also allow
// upper case and underscores, so only what cannot be a bucket name (or would be ambiguous) is refused.
const bucketPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Whether `bucket` can be a bucket name (the rule every s3:// location in live2vod follows). */
export function isValidBucketName(bucket: string): boolean {
  return bucketPattern.test(bucket) && bucket.length <= 255;
}

/** Parses `s3://bucket/key`, `file:///abs/path` or a plain (relative or absolute) local path. */
export function parseStorageUri(uri: string, cwd: string = process.cwd()): StorageLocation {
  if (uri.length === 0) throw new InputError('an empty storage location was given: use s3://bucket/prefix, file:///abs/dir or a local path');
  const scheme = schemePattern.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', path: resolve(cwd, uri) };
  if (scheme === 's3') {
    const rest = uri.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const key = slash === -1 ? '' : rest.slice(slash + 1);
    if (bucket.length === 0) throw new InputError(`the S3 location ${JSON.stringify(uri)} has no bucket: write s3://bucket/prefix`);
    if (!isValidBucketName(bucket)) {
      throw new InputError(`the S3 location ${JSON.stringify(uri)} has an invalid bucket name ${JSON.stringify(bucket)}: bucket names are letters, digits, dots, hyphens and underscores`);
    }
    return { kind: 's3', bucket, key };
  }
  if (scheme === 'file') {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch (error) {
      throw new InputError(`the file URL ${JSON.stringify(uri)} is not valid (${(error as Error).message}): write file:///absolute/path, percent-encoding special characters`, { cause: error });
    }
    return { kind: 'local', path };
  }
  throw new InputError(`unsupported storage location scheme "${scheme}://" in ${JSON.stringify(uri)}: use s3://bucket/prefix, file:///absolute/dir or a local path`);
}

/** `s3://bucket/key`, the key written literally (the inverse of parseStorageUri). */
export function formatS3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** A key as a URL path: each `/`-separated segment percent-encoded (so a literal `%2F` becomes `%252F`). */
export function encodeKeyForUrl(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Joins a store's root prefix and a key: `a/b` + `c` → `a/b/c`; an empty prefix adds nothing. */
export function joinKey(prefix: string, key: string): string {
  if (prefix.length === 0) return key;
  return prefix.endsWith('/') ? prefix + key : `${prefix}/${key}`;
}
