// What `live2vod worker` does for Kubernetes: the callback token of an `inline` task comes from a
// Secret-backed env var instead of the task JSON, and a failure is also written as the container's
// termination message, which the executor reads from the pod status (so the reason reaches the
// control plane even when the callback did not).
import { writeFileSync } from 'node:fs';
import { isRecord } from '../is-record.ts';

/** Kubernetes keeps at most 4096 bytes of a termination message. */
const maxTerminationMessageBytes = 4096;

/** Fills `callback.token` from LIVE2VOD_CALLBACK_TOKEN when the task has a callback without one. */
export function withCallbackToken(json: unknown, env: NodeJS.ProcessEnv): unknown {
  const token = env.LIVE2VOD_CALLBACK_TOKEN;
  if (!token || !isRecord(json) || !isRecord(json.callback) || json.callback.token !== undefined) return json;
  return { ...json, callback: { ...json.callback, token } };
}

/** Writes `exit <code>: <message>` (and the stderr tail) to LIVE2VOD_TERMINATION_MESSAGE_PATH, if set. */
export function writeTerminationMessage(env: NodeJS.ProcessEnv, failure: { exitCode: number; message: string; stderrTail?: string }): void {
  const file = env.LIVE2VOD_TERMINATION_MESSAGE_PATH;
  if (!file) return;
  let text = `exit ${failure.exitCode}: ${failure.message}${failure.stderrTail ? `\n${failure.stderrTail}` : ''}`;
  // Keep the head (the reason) and cut the tail to the limit.
  while (Buffer.byteLength(text) > maxTerminationMessageBytes) text = text.slice(0, Math.floor(text.length * 0.9));
  try {
    writeFileSync(file, text);
  } catch {
    // Best effort: the callback report carries the same.
  }
}
