// SRS `on_dvr` HTTP callback (http_hooks { on_dvr http://…/hooks/srs?token=…; }). SRS POSTs JSON
// when it closes a DVR file (srs_app_http_hooks.cpp, SrsHttpHooks::on_dvr), in SRS 4+:
//   {"server_id":"vid-…","service_id":"…","action":"on_dvr","client_id":"341w361a","ip":"127.0.0.1",
//    "vhost":"__defaultVhost__","app":"live","tcUrl":"rtmp://127.0.0.1/live","stream":"livestream",
//    "param":"?token=abc","cwd":"/usr/local/srs","file":"./objs/nginx/html/live/livestream.1700000000000.flv",
//    "stream_url":"/live/livestream","stream_id":"vid-…"}
// `file` is as configured in dvr_path, so often relative to `cwd`. SRS 2/3 send fewer fields and an
// integer client_id. SRS requires HTTP 200 with body `0` or `{"code":0}`; anything else fails the DVR
// step. SRS 4+ keeps the hook URL's query string when posting; SRS 2/3 drop it, so there the token
// has to come in `param` (the publisher's `?token=…`).
import { z } from 'zod';
import { IntakeError, type IngestAdapter, type InboundRequest, type IntakeOutcome } from './intake.ts';
import { knownFacts } from '../jobs/source-facts.ts';
import { resolveRecordPath } from './record-path.ts';
import { isRecord } from '../is-record.ts';
import { compactMetadata, parseJsonBody, parseWith, requestedPriority } from './request.ts';
import { assertTokenConfig, queryValue, requireToken } from './secrets.ts';
import { localRecordingKey } from '../jobs/recording-key.ts';

export interface SrsConfig {
  /** Where SRS writes DVR files (dvr_path's directory, absolute): files are accepted only inside it. */
  recordDir: string;
  /** Expected in the hook URL's `?token=` or in the stream's `param` (`?token=…`). */
  token?: string;
}

// Unknown fields are allowed (stripped): SRS adds fields between versions.
const onDvrSchema = z.object({
  action: z.literal('on_dvr'),
  file: z.string().min(1),
  cwd: z.string().optional(),
  param: z.string().optional(),
  app: z.string().optional(),
  stream: z.string().optional(),
  vhost: z.string().optional(),
  ip: z.string().optional(),
  client_id: z.union([z.string(), z.number()]).optional(),
  server_id: z.string().optional(),
  service_id: z.string().optional(),
  stream_id: z.string().optional(),
  stream_url: z.string().optional(),
  tcUrl: z.string().optional(),
});

function tokensInParam(param: unknown): string[] {
  if (typeof param !== 'string' || param === '') return [];
  return new URLSearchParams(param.startsWith('?') ? param.slice(1) : param).getAll('token');
}

export function createSrsAdapter(config: SrsConfig): IngestAdapter {
  assertTokenConfig(config.token, 'srs');
  return {
    kind: 'srs',
    successBody: () => ({ code: 0 }),
    async handle(request: InboundRequest): Promise<IntakeOutcome> {
      const body = parseJsonBody(request);
      if (!isRecord(body)) throw new IntakeError(400, 'body must be a JSON object (SRS on_dvr callback)');
      // Authenticate before judging the rest, so an unauthenticated caller learns nothing more.
      requireToken(config.token, [queryValue(request.query, 'token'), ...tokensInParam(body['param'])], 'add ?token=… to the on_dvr URL or publish with ?token=…');
      if (typeof body['action'] === 'string' && body['action'] !== 'on_dvr') {
        throw new IntakeError(400, `action ${JSON.stringify(body['action'])}: this endpoint handles on_dvr only; point other SRS hooks elsewhere`);
      }
      const dvr = parseWith(onDvrSchema, body, 'SRS on_dvr body');

      const priority = requestedPriority(request);
      const file = await resolveRecordPath(config.recordDir, dvr.file, {
        field: 'file',
        ...(dvr.cwd !== undefined && dvr.cwd !== '' ? { baseDir: dvr.cwd } : {}),
      });
      return {
        jobs: [
          {
            source: { kind: 'local', path: file.path },
            // The recorder says nothing of duration or codecs; the file's size is known.
            facts: knownFacts({ bytes: file.size }),
            // The recording's key, shared with every other intake: one file, one job.
            idempotencyKey: localRecordingKey(file),
            ...(priority !== undefined ? { priority } : {}),
            metadata: compactMetadata({
              app: dvr.app,
              stream: dvr.stream,
              vhost: dvr.vhost,
              addr: dvr.ip,
              clientId: dvr.client_id,
              serverId: dvr.server_id,
              streamId: dvr.stream_id,
              streamUrl: dvr.stream_url,
            }),
          },
        ],
      };
    },
  };
}
