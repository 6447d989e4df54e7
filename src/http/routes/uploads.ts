// POST /v1/uploads?filename=…: the request body is a recording. It is streamed (never buffered)
// into <data>/uploads/<id>/<name>, at most sourceFetch.maxBytes, and becomes a job like any
// API-submitted source. A failed or refused upload leaves no file behind.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { describeZodError } from '../../zod-errors.ts';
import { uploadQuery } from '../api-schemas.ts';
import type { AppDeps } from '../app-deps.ts';
import { toApiJob } from '../job-view.ts';
import { safeUploadName } from '../upload-name.ts';

const mediaTypes = /^(application\/octet-stream|video\/[\w.+-]+|audio\/[\w.+-]+)$/;

class TooLargeError extends Error {}
class EmptyUploadError extends Error {}

export async function uploadRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Encapsulated: only this route leaves its body unparsed, for the handler to stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.post('/v1/uploads', async (request, reply) => {
    const query = uploadQuery.safeParse(request.query ?? {});
    if (!query.success) return reply.code(400).send({ error: 'invalid_request', message: describeZodError(query.error) });
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!mediaTypes.test(type)) {
      return reply.code(415).send({ error: 'unsupported_media_type', message: 'send the recording as the body with content-type application/octet-stream, video/* or audio/*' });
    }
    const limit = deps.config.sourceFetch.maxBytes;
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > limit) return reply.code(413).send({ error: 'too_large', message: `the recording is larger than ${limit} bytes (sourceFetch.maxBytes)` });

    const name = safeUploadName(query.data.filename);
    const dir = path.join(deps.uploadDir, `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`);
    const file = path.join(dir, name);
    await mkdir(dir, { recursive: true });
    let bytes = 0;
    try {
      const part = path.join(dir, `.${name}.part`);
      await pipeline(request.raw, byteLimit(limit, (n) => { bytes = n; }), createWriteStream(part, { flags: 'wx' }));
      if (bytes === 0) throw new EmptyUploadError();
      await rename(part, file);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      if (error instanceof TooLargeError) return reply.code(413).send({ error: 'too_large', message: `the recording is larger than ${limit} bytes (sourceFetch.maxBytes)` });
      if (error instanceof EmptyUploadError) return reply.code(400).send({ error: 'invalid_request', message: 'the body is empty: send the recording as the body' });
      // The client went away mid-upload: nobody is left to answer.
      if (request.raw.destroyed || (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return reply.code(400).send({ error: 'aborted', message: 'the upload was interrupted' });
      throw error;
    }

    try {
      const [result] = await deps.intake.accept('api', [{
        source: file,
        // Every upload is a new recording, even with the same name.
        idempotencyKey: `upload:${path.basename(dir)}`,
        metadata: { upload: name, bytes: String(bytes) },
        ...(query.data.priority ? { priority: query.data.priority } : {}),
      }]);
      if (!result) throw new Error('no job was created');
      deps.metrics.jobsCreated.inc({ source: 'api' });
      return reply.code(201).header('location', `/v1/jobs/${result.job.id}`).send(toApiJob(result.job, deps.assetDirUrl));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  });
}

/** Passes bytes through, reporting the running total, and fails once more than `limit` arrived. */
function byteLimit(limit: number, onCount: (bytes: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      total += chunk.length;
      onCount(total);
      if (total > limit) callback(new TooLargeError());
      else callback(null, chunk);
    },
  });
}
