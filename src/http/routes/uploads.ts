// POST /v1/uploads?filename=…: the request body is a recording. It is streamed (never buffered),
// at most sourceFetch.maxBytes, to where the workers can read it (deps.uploads: the control
// plane's disk, or the asset bucket when assets go to S3; see upload-staging.ts) and becomes a job
// like any API-submitted source. A failed or refused upload leaves nothing behind.
import { knownFacts } from '../../jobs/source-facts.ts';
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { StorageError } from '../../storage/storage-error.ts';
import { apiJob, binaryBody, errorResponses, uploadQuery } from '../api-schemas.ts';
import type { AppDeps } from '../app-deps.ts';
import { jobViewer } from '../job-view.ts';
import { safeUploadName } from '../upload-name.ts';
import { EmptyUploadError, TooLargeError, type UploadRef } from '../upload-staging.ts';
import { isDiskFull } from '../disk-space.ts';

const mediaTypes = /^(application\/octet-stream|video\/[\w.+-]+|audio\/[\w.+-]+)$/;

export const uploadRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  // Encapsulated: only this route leaves its body unparsed, for the handler to stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.post('/v1/uploads', {
    schema: {
      summary: 'Upload a recording as the body (application/octet-stream, video/* or audio/*; at most sourceFetch.maxBytes) and create a job from it (201; 507 when the server has no space left)',
      querystring: uploadQuery,
      consumes: ['application/octet-stream'],
      body: binaryBody,
      response: { 201: apiJob, ...errorResponses(400, 413, 415, 503, 507) },
    },
  }, async (request, reply) => {
    const query = request.query;
    const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!mediaTypes.test(contentType)) {
      return reply.code(415).send({ error: 'unsupported_media_type', message: 'send the recording as the body with content-type application/octet-stream, video/* or audio/*' });
    }
    const limit = deps.config.sourceFetch.maxBytes;
    const tooLarge = { error: 'too_large', message: `the recording is larger than ${limit} bytes (sourceFetch.maxBytes)` };
    // After refusing a body that was not read to its end, close the connection: otherwise Node
    // would read the rest (possibly gigabytes) to keep it alive, or leave it stalled.
    const refuseUnread = (status: 400 | 413 | 503 | 507, body: { error: string; message: string }) => reply.code(status).header('connection', 'close').send(body);
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > limit) return refuseUnread(413, tooLarge);

    const ref: UploadRef = { id: `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`, name: safeUploadName(query.filename) };
    // Cleanup must not hide the answer the client is owed; a leftover is logged instead.
    const discard = (): Promise<void> => deps.uploads.discard(ref).catch((err: unknown) => request.log.warn({ err, upload: ref }, 'could not remove a failed upload'));
    let staged: { source: string; bytes: number };
    try {
      staged = await deps.uploads.stage(ref, request.raw, { limit, contentType });
    } catch (error) {
      await discard();
      if (error instanceof TooLargeError) return refuseUnread(413, tooLarge);
      if (error instanceof EmptyUploadError) return reply.code(400).send({ error: 'invalid_request', message: 'the body is empty: send the recording as the body' });
      // Before the abort check: a failed write destroys the request stream too, so a full disk
      // would otherwise read as a client that went away.
      if (isDiskFull(error)) {
        request.log.error({ err: error, upload: ref }, 'an upload failed: the disk is full');
        return refuseUnread(507, { error: 'insufficient_storage', message: 'the server has no space left for this recording; try again later or ask its operator to free space' });
      }
      // The client went away mid-upload: nobody is left to answer.
      if (request.raw.destroyed || (error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return refuseUnread(400, { error: 'aborted', message: 'the upload was interrupted' });
      if (error instanceof StorageError) {
        // The bucket refused or is unreachable: the client may try again; the operator needs the details.
        request.log.error({ err: error }, 'could not store an upload');
        return refuseUnread(503, { error: 'storage_unavailable', message: 'the recording could not be stored; try again later' });
      }
      throw error;
    }

    try {
      const [result] = await deps.intake.accept('api', [{
        source: (await deps.intake.checkSource(staged.source)).source,
        facts: knownFacts({ bytes: staged.bytes }),
        // Every upload is a new recording, even with the same name.
        idempotencyKey: `upload:${ref.id}`,
        metadata: { upload: ref.name, bytes: String(staged.bytes) },
        ...(query.priority ? { priority: query.priority } : {}),
      }]);
      if (!result) throw new Error('no job was created');
      deps.metrics.jobsCreated.inc({ source: 'api' });
      return reply.code(201).header('location', `/v1/jobs/${result.job.id}`).send(jobViewer(deps)(result.job));
    } catch (error) {
      await discard();
      throw error;
    }
  });
};
