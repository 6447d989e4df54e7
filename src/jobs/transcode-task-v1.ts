// Version 1 of the TranscodeTask, as control planes before version 2 wrote it, and its upgrade:
// a task written before an upgrade (a task file, a Kubernetes Job's Secret) still runs after it.
// Version 1 carried the source as a string and the fetch policy in the worker's environment.
import { z } from 'zod';
import { parseSourceLocation } from './source-location.ts';
import { sourceFetchFromEnv } from './source-fetch.ts';
import { transcodeProfileSchema } from './transcode-profile.ts';
import type { FullTask } from './transcode-task.ts';

export const transcodeTaskV1Schema = z.strictObject({
  version: z.literal(1),
  jobId: z.string().min(1),
  attempt: z.number().int().min(1),
  source: z.string().min(1),
  output: z.string().min(1),
  profile: transcodeProfileSchema,
  stage: z.enum(['full']).default('full'),
  callback: z.strictObject({ url: z.url(), token: z.string().min(16) }).optional(),
});

export type TranscodeTaskV1 = z.infer<typeof transcodeTaskV1Schema>;

/**
 * The version-2 task a version-1 task meant: the whole recording, the source parsed (it was
 * canonical: an absolute path, s3:// or http(s)://), the fetch policy from the environment the old
 * control plane gave the worker (LIVE2VOD_SOURCE_*), else the defaults. Throws InputError when the
 * source cannot be read.
 */
export function upgradeTaskV1(task: TranscodeTaskV1, env: Readonly<Record<string, string | undefined>>): FullTask {
  return {
    version: 2,
    stage: 'full',
    jobId: task.jobId,
    attempt: task.attempt,
    source: parseSourceLocation(task.source),
    output: task.output,
    profile: task.profile,
    sourceFetch: sourceFetchFromEnv(env),
    ...(task.callback ? { callback: task.callback } : {}),
  };
}
