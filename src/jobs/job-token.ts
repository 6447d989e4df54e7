// The token a worker uses to report on its job: an HMAC of job id and attempt under the control
// plane's secret, so it needs no storage and is useless for any other job or attempt.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function jobToken(secret: string, jobId: string, attempt: number): string {
  return createHmac('sha256', secret).update(`${jobId}:${attempt}`).digest('base64url');
}

export function verifyJobToken(secret: string, jobId: string, attempt: number, token: string): boolean {
  const expected = Buffer.from(jobToken(secret, jobId, attempt));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
