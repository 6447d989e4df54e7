// MediaMTX `runOnRecordSegmentComplete`: MediaMTX runs a command when it finishes a recording
// segment, with MTX_PATH (the path name, e.g. `cam1`), MTX_SEGMENT_PATH (the segment file) and, in
// newer versions, MTX_SEGMENT_DURATION in its environment. It runs the command WITHOUT a shell
// (internal/externalcmd: go-shellquote splits the line into arguments, then `$VAR`s in each
// argument are expanded from the hook's variables and MediaMTX's own environment), so the line
// below works as is, and LIVE2VOD_TOKEN must be in MediaMTX's environment.
// Segment paths follow recordPath in mediamtx.yml: set it to an absolute path under recordDir
// (the default `./recordings/…` is relative and refused here).
import { z } from 'zod';
import type { IngestAdapter, InboundRequest, IntakeOutcome } from './intake.ts';
import { knownFacts } from '../jobs/source-facts.ts';
import { parseDurationSeconds } from './go-duration.ts';
import { resolveRecordPath } from './record-path.ts';
import { compactMetadata, parseJsonBody, parseWith, requestedPriority } from './request.ts';
import { assertTokenConfig, requestTokens, requireToken } from './secrets.ts';
import { localRecordingKey } from '../jobs/recording-key.ts';

export interface MediamtxConfig {
  /** The directory recordPath writes under (absolute): segments are accepted only inside it. */
  recordDir: string;
  /**
   * Expected as `Authorization: Bearer …` only: the hook command sends it so, and a `?token=` in
   * the URL would land in access logs and MediaMTX's own configuration listing.
   */
  token?: string;
}

const segmentSchema = z.object({
  path: z.string().min(1),
  segmentPath: z.string().min(1),
  // A string from the environment; a number is accepted from hand-written senders. An unset
  // variable expands to "".
  segmentDuration: z.union([z.string(), z.number()]).optional(),
});

/**
 * The `runOnRecordSegmentComplete` line for mediamtx.yml that POSTs a finished segment to `url`
 * (e.g. `http://live2vod:8080/hooks/mediamtx`). Throws when `url` is not http(s) or contains `'`
 * or `$` (MediaMTX would split or expand those).
 */
export function mediamtxHookCommand(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`mediamtx hook URL ${JSON.stringify(url)} is not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`mediamtx hook URL must be http or https, got ${parsed.protocol}`);
  if (url.includes("'") || url.includes('$')) throw new Error(`mediamtx hook URL must not contain ' or $ (MediaMTX would split or expand them): ${url}`);
  return (
    `curl -fsS --max-time 5 -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $LIVE2VOD_TOKEN" ` +
    `--data "{\\"path\\":\\"$MTX_PATH\\",\\"segmentPath\\":\\"$MTX_SEGMENT_PATH\\"}" '${url}'`
  );
}

/** MTX_SEGMENT_DURATION is a Go duration ("1h0m30s"); a hand-written sender may send seconds. */
function segmentSeconds(reported: string | number | undefined): number | undefined {
  if (typeof reported === 'number') return reported;
  return reported === undefined ? undefined : parseDurationSeconds(reported.trim());
}

export function createMediamtxAdapter(config: MediamtxConfig): IngestAdapter {
  assertTokenConfig(config.token, 'mediamtx');
  return {
    kind: 'mediamtx',
    successBody: () => ({ ok: true }),
    async handle(request: InboundRequest): Promise<IntakeOutcome> {
      requireToken(config.token, requestTokens(request, { query: false }), 'send Authorization: Bearer <token> (LIVE2VOD_TOKEN in MediaMTX\'s environment)');
      const segment = parseWith(segmentSchema, parseJsonBody(request), 'MediaMTX segment body');

      const priority = requestedPriority(request);
      const file = await resolveRecordPath(config.recordDir, segment.segmentPath, { field: 'segmentPath' });
      return {
        jobs: [
          {
            source: { kind: 'local', path: file.path },
            facts: knownFacts({ bytes: file.size, durationSeconds: segmentSeconds(segment.segmentDuration) }),
            // The recording's key, shared with every other intake: one file, one job.
            idempotencyKey: localRecordingKey(file),
            ...(priority !== undefined ? { priority } : {}),
            metadata: compactMetadata({ stream: segment.path, segmentDuration: segment.segmentDuration }),
          },
        ],
      };
    },
  };
}
