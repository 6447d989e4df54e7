// Uploads on the control plane's disk: <dir>/<id>/<name>, written as a hidden .part file and
// renamed when complete, so a worker or the watch folder never sees half a recording.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EmptyUploadError, limitBytes, type UploadRef, type UploadStaging } from './upload-staging.ts';

export class DiskUploadStaging implements UploadStaging {
  readonly #dir: string;

  /** `dir` must be one of the source policy's roots, or the jobs will be refused. */
  constructor(dir: string) {
    this.#dir = path.resolve(dir);
  }

  async stage(ref: UploadRef, body: Readable, options: { limit: number }): Promise<{ source: string; bytes: number }> {
    const dir = this.#folder(ref);
    await mkdir(dir, { recursive: true });
    const counted = limitBytes(body, options.limit);
    const part = path.join(dir, `.${ref.name}.part`);
    await pipeline(counted.stream, createWriteStream(part, { flags: 'wx' }));
    if (counted.bytes() === 0) throw new EmptyUploadError();
    const file = path.join(dir, ref.name);
    await rename(part, file);
    return { source: file, bytes: counted.bytes() };
  }

  async discard(ref: UploadRef): Promise<void> {
    await rm(this.#folder(ref), { recursive: true, force: true });
  }

  #folder(ref: UploadRef): string {
    // ids are made by the route, but a path must never leave the upload directory.
    if (!/^[\w-]+$/.test(ref.id)) throw new Error(`invalid upload id ${JSON.stringify(ref.id)}`);
    return path.join(this.#dir, ref.id);
  }
}
