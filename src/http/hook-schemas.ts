// The schemas of the routes callers other than API clients use: ingest webhooks and worker reports.
// Bodies are read by the adapters and the report parser themselves (raw bytes under a signature;
// a report type this control plane does not know is answered in words of its own).
import { z } from 'zod';

export const hookParams = z.strictObject({ source: z.string().describe('The intake: nginx-rtmp, srs, mediamtx, s3 or generic') });

/** What the sender expects on success: "ok" for nginx-rtmp, {code: 0} for SRS, {jobIds} for generic, {ok, jobIds, ignored?} for S3, {ok: true} for MediaMTX. */
export const hookSuccess = z.unknown();

export const reportParams = z.strictObject({ id: z.string(), attempt: z.string().describe('The attempt number the job token was made for') });

export const reportQuery = z.looseObject({ unit: z.string().optional().describe('The unit of a chunked attempt that reports: split, stitch or chunk-<n>; none for the whole recording') });
