// Opens the object store that a location names: `s3://bucket/prefix` → S3ObjectStore, a local path
// or `file://` URL → LocalObjectStore.
import { basename, dirname } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { InputError } from '../errors/index.ts';
import { LocalObjectStore } from './local-store.ts';
import { createS3Client, resolveS3Settings, type S3Options } from './s3-config.ts';
import { S3ObjectStore, type S3StoreOptions } from './s3-store.ts';
import { parseStorageUri } from './uri.ts';

export interface OpenStoreOptions extends S3Options, Pick<S3StoreOptions, 'partBytes' | 'queueSize' | 'listPageSize'> {
  /** Local stores: the URL the root directory is served under (e.g. `http://host:8080/media`). */
  mediaBaseUrl?: string;
  /** S3 stores: use this client instead of creating one (the store then does not destroy it on close()). */
  client?: S3Client;
  /** Environment to read AWS settings from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base for relative local paths (default process.cwd()). */
  cwd?: string;
}

export type OpenedStore = LocalObjectStore | S3ObjectStore;

/** The store rooted at `uri`. Call `close()` when done (it releases an S3 client's sockets). */
export function openObjectStore(uri: string, options: OpenStoreOptions = {}): OpenedStore {
  const location = parseStorageUri(uri, options.cwd);
  if (location.kind === 'local') {
    return new LocalObjectStore(location.path, options.mediaBaseUrl !== undefined ? { mediaBaseUrl: options.mediaBaseUrl } : {});
  }
  return openS3Store(location.bucket, location.key, options);
}

/**
 * One object (a source recording): the store that holds it and its key. `s3://rec/live/a.flv` →
 * the bucket's store and `live/a.flv`; `/data/rec/a.flv` → a store on `/data/rec` and `a.flv`.
 */
export function openObjectLocation(uri: string, options: OpenStoreOptions = {}): { store: OpenedStore; key: string } {
  const location = parseStorageUri(uri, options.cwd);
  if (location.kind === 'local') {
    const key = basename(location.path);
    if (key === '' || uri.endsWith('/')) throw new InputError(`${uri} names a directory, not a file`);
    const store = new LocalObjectStore(dirname(location.path), options.mediaBaseUrl !== undefined ? { mediaBaseUrl: options.mediaBaseUrl } : {});
    return { store, key };
  }
  if (location.key === '' || location.key.endsWith('/')) {
    throw new InputError(`${uri} names an S3 prefix, not an object: write s3://bucket/path/to/recording.ext`);
  }
  return { store: openS3Store(location.bucket, '', options), key: location.key };
}

/** The store on `s3://bucket/prefix`, for a location already parsed. */
export function openS3Store(bucket: string, prefix: string, options: OpenStoreOptions = {}): S3ObjectStore {
  const env = options.env ?? process.env;
  const settings = resolveS3Settings(options, env);
  const client = options.client ?? createS3Client(options, env);
  const storeOptions: S3StoreOptions = { region: settings.region, ownsClient: options.client === undefined };
  if (settings.endpoint !== undefined) storeOptions.endpoint = settings.endpoint;
  if (options.publicBaseUrl !== undefined) storeOptions.publicBaseUrl = options.publicBaseUrl;
  if (options.presignSeconds !== undefined) storeOptions.presignSeconds = options.presignSeconds;
  if (options.partBytes !== undefined) storeOptions.partBytes = options.partBytes;
  if (options.queueSize !== undefined) storeOptions.queueSize = options.queueSize;
  if (options.listPageSize !== undefined) storeOptions.listPageSize = options.listPageSize;
  return new S3ObjectStore(client, bucket, prefix, storeOptions);
}
