// nginx-rtmp `on_record_done`: after closing a recording, the module POSTs an
// application/x-www-form-urlencoded body (ngx_rtmp_notify_module.c, ngx_rtmp_notify_record_done_create):
//   app=live&flashver=…&swfurl=&tcurl=rtmp://127.0.0.1:19350/live&pageurl=&addr=127.0.0.1&clientid=1
//   &call=record_done&recorder=&name=keynote&path=/tmp/t/rec/keynote-1795481237.flv&token=abc
// The module's own values are escaped (ngx_escape_uri, NGX_ESCAPE_ARGS), but the publisher's RTMP
// query string (`?token=abc` on the publish URL) is appended as is, at the end. So a publisher can
// add fields of its own, including a second `path=` or `call=`: this adapter reads the FIRST
// occurrence of every module field (the module writes them before the publisher's arguments) and
// takes the token from the hook URL's `?token=` or from any `token` field of the body.
// nginx ignores the answer's status and never retries, so errors here are only for our logs.
import { IntakeError, type IngestAdapter, type InboundRequest, type IntakeOutcome } from './intake.ts';
import { knownFacts } from '../jobs/source-facts.ts';
import { resolveRecordPath } from './record-path.ts';
import { compactMetadata, requestedPriority } from './request.ts';
import { assertTokenConfig, queryValue, requireToken } from './secrets.ts';
import { localRecordingKey } from '../jobs/recording-key.ts';

export interface NginxRtmpConfig {
  /** nginx-rtmp's `record_path`: recordings are accepted only inside it. */
  recordDir: string;
  /** Expected in the hook URL (`on_record_done http://…/hooks/nginx-rtmp?token=…`) or the publisher's query (`rtmp://…/live/name?token=…`). */
  token?: string;
}

const formContentType = 'application/x-www-form-urlencoded';

export function createNginxRtmpAdapter(config: NginxRtmpConfig): IngestAdapter {
  assertTokenConfig(config.token, 'nginx-rtmp');
  return {
    kind: 'nginx-rtmp',
    successBody: () => 'ok',
    async handle(request: InboundRequest): Promise<IntakeOutcome> {
      const mediaType = request.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
      if (mediaType !== formContentType) {
        throw new IntakeError(400, `expected Content-Type ${formContentType} (nginx-rtmp on_record_done), got ${JSON.stringify(request.contentType)}`);
      }
      const form = new URLSearchParams(request.rawBody.toString('utf8'));
      requireToken(config.token, [queryValue(request.query, 'token'), ...form.getAll('token')], 'add ?token=… to the on_record_done URL or to the publisher\'s RTMP URL');

      const call = form.get('call');
      if (call === null) throw new IntakeError(400, 'missing field call: is this an nginx-rtmp notification?');
      if (call !== 'record_done') {
        throw new IntakeError(400, `call=${call}: this endpoint handles on_record_done only; point other nginx-rtmp notifications elsewhere`);
      }
      const reportedPath = form.get('path');
      if (reportedPath === null || reportedPath === '') throw new IntakeError(400, 'missing field path (the recorded file)');

      const priority = requestedPriority(request);
      const file = await resolveRecordPath(config.recordDir, reportedPath, { field: 'path' });
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
              app: form.get('app') ?? undefined,
              stream: form.get('name') ?? undefined,
              addr: form.get('addr') ?? undefined,
              clientId: form.get('clientid') ?? undefined,
              recorder: form.get('recorder') ?? undefined,
            }),
          },
        ],
      };
    },
  };
}
