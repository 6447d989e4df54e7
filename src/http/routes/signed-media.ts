// GET /media/s/<token>/<asset dir>/<file>: an asset in a private bucket, or in the local media
// directory while API tokens are set, playable without making it public. Local files are sent as
// they are (Range requests included). From a bucket, documents with relative URIs in them (playlists, the MPD, the WebVTT
// thumbnails track, manifest.json) are read from the bucket and sent from here, so those URIs
// resolve under the same signed path; everything else (segments, init files, JPEG, MP4) is a
// redirect to a presigned URL of the object, so media bytes go straight from the bucket to the
// player, with Range requests and without passing through the control plane.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { assetsDirName } from '../../jobs/job.ts';
import { checkMediaToken } from '../../jobs/media-token.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { apiError } from '../api-schemas.ts';
import { objectHeaders } from '../../storage/content-types.ts';
import { StorageError } from '../../storage/storage-error.ts';

/** `assets/<job id>/<file path>`; file path segments of safe characters only, never `.` or `..`. */
const assetPathPattern = new RegExp(`^(${assetsDirName}/[A-Za-z0-9-]{1,64})/((?:[A-Za-z0-9_-][A-Za-z0-9._-]*/)*[A-Za-z0-9_-][A-Za-z0-9._-]*)$`);
const documentPattern = /\.(m3u8|mpd|vtt|json)$/;

export interface SignedMediaDeps {
  /** A private bucket, or the local media directory. */
  media: { kind: 'store'; assetStore: ObjectStore } | { kind: 'local'; root: string };
  mediaTokenKey: Buffer;
  now?: () => number;
}

export async function signedMediaRoutes(app: FastifyInstance, deps: SignedMediaDeps): Promise<void> {
  const now = deps.now ?? Date.now;
  const media = deps.media;
  // Scoped to this plugin: reply.sendFile for the local directory, never a public route.
  if (media.kind === 'local') await app.register(fastifyStatic, { root: media.root, serve: false, cacheControl: false });
  app.get<{ Params: { token: string; '*': string } }>('/media/s/:token/*', {
    schema: {
      summary: 'A file of an asset behind a signed link (the URLs GET /v1/jobs/{id} gives): playlists and manifests from here, media bytes by a redirect to the bucket',
      response: { '4xx': apiError },
    },
  }, async (request, reply) => {
    const match = assetPathPattern.exec(request.params['*']);
    if (!match?.[1] || !match[2]) return problem(reply, 404, 'not_found', 'no such media file');
    const [, assetDir, file] = match;
    const check = checkMediaToken(deps.mediaTokenKey, assetDir, request.params.token, Math.floor(now() / 1000));
    if (check !== 'ok') {
      return problem(reply, 403, 'forbidden', check === 'expired'
        ? 'this media link has expired: read the job again (GET /v1/jobs/<id>) for a fresh one'
        : 'this media link is not valid for this asset: take the URL from the API (GET /v1/jobs/<id>)');
    }
    const key = `${assetDir}/${file}`;
    void reply.header('access-control-allow-origin', '*');
    if (media.kind === 'local') {
      const headers = objectHeaders(key);
      return reply.header('content-type', headers.contentType).header('cache-control', documentPattern.test(file) ? 'private, max-age=2' : 'private, max-age=3600').sendFile(key);
    }
    if (!documentPattern.test(file)) {
      // The presigned URL outlives the redirect's caching by far, so a cached redirect still works.
      return reply.header('cache-control', 'private, max-age=60').redirect(await media.assetStore.url(key), 302);
    }
    try {
      const body = await media.assetStore.get(key);
      const headers = objectHeaders(key);
      return reply.header('content-type', headers.contentType).header('cache-control', 'private, max-age=2').send(body);
    } catch (error) {
      if (error instanceof StorageError && error.reason === 'not-found') return problem(reply, 404, 'not_found', `no ${file} in this asset (yet)`);
      throw error;
    }
  });
}

function problem(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).send({ error, message });
}
