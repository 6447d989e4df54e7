// Object storage: where assets are published (and S3 sources read). Implementations: a local
// directory (`file://` or a plain path; the default, served under /media/) and S3 (`s3://bucket/prefix`,
// any S3-compatible endpoint). Keys are relative to the store's root prefix, `/`-separated.
import type { Readable } from 'node:stream';

export interface PutOptions {
  contentType: string;
  cacheControl: string;
  /** Bytes, when known: lets S3 choose single-part vs multipart. */
  size?: number;
}

export interface ObjectInfo {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
}

export interface ObjectStore {
  /** `file:///abs/dir` or `s3://bucket/prefix`, for logs and manifests. */
  readonly uri: string;
  /** Streams an object (or a byte range, inclusive end) from the store. */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Streams a local file or stream into the store; multipart and concurrent for large objects. */
  put(key: string, body: Readable | Buffer | string, options: PutOptions): Promise<void>;
  list(prefix: string): Promise<ObjectInfo[]>;
  delete(keys: readonly string[]): Promise<void>;
  /** A URL a player can fetch: the public base URL (CDN) when configured, else presigned (S3) or the /media path (local). */
  url(key: string): Promise<string>;
}
