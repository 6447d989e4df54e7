// `live2vod worker`: runs one TranscodeTask — the entrypoint of local worker processes and
// Kubernetes pods. Reads the task from --task-file, stdin (`--task-file -`) or LIVE2VOD_TASK (in an
// Indexed Job's pod: the chunk picked by JOB_COMPLETION_INDEX from LIVE2VOD_CHUNK_RANGES), runs
// its stage's handler (src/pipeline/stage-handlers.ts) and reports to the control plane.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, ExitCode, Live2vodError, UsageError } from '../errors/index.ts';
import { resolveBinaries } from '../ffmpeg/binaries.ts';
import { formatCommand } from '../ffmpeg/run-process.ts';
import { parseTranscodeTask, transcodeProfileSchema, type TranscodeTask } from '../jobs/transcode-task.ts';
import { maxReportedCommandChars, maxReportedMessageChars, maxReportedStderrChars } from '../jobs/worker-report.ts';
import { reportUrl } from '../jobs/work-unit.ts';
import { taskForCompletionIndex } from '../k8s/chunk-ranges.ts';
import { CallbackReporter } from '../pipeline/callback-reporter.ts';
import { runStage } from '../pipeline/stage-handlers.ts';
import type { CliIo } from './io.ts';
import { withCallbackToken, writeTerminationMessage } from './worker-pod.ts';

export async function runWorkerCommand(flags: { taskFile?: string; chunkSeconds?: string }, io: CliIo): Promise<void> {
  const task = withChunkSeconds(await readTask(flags.taskFile), flags.chunkSeconds);
  const reporter = task.callback ? new CallbackReporter({ url: reportUrl({ ...task, callback: task.callback }), token: task.callback.token }) : undefined;
  // A local worker has an IPC channel to its control plane: when that dies, stop rather than
  // run on unsupervised (the job will be claimed again).
  const abort = new AbortController();
  io.signal.addEventListener('abort', () => abort.abort(), { once: true });
  if (process.send) {
    process.once('disconnect', () => abort.abort());
    // The channel must not keep the worker alive once its work is done.
    process.channel?.unref();
  }

  try {
    const done = await runStage(task, {
      signal: abort.signal,
      binaries: resolveBinaries(),
      onEvent: (event) => {
        reporter?.report(event);
        if (event.type !== 'progress') io.stderr.write(`${JSON.stringify(event)}\n`);
      },
    });
    reporter?.report(done);
  } catch (caught) {
    // Stopped from outside (SIGTERM from Kubernetes or the local executor, or the control plane
    // went away): exit 130 whichever step was interrupted — the code the Job's podFailurePolicy
    // ignores — and report it as retryable, since it is not the work's fault.
    const error = abort.signal.aborted && !(caught instanceof CancelledError) ? new CancelledError(`stopped while running: ${caught instanceof Error ? caught.message : String(caught)}`) : caught;
    const known = error instanceof Live2vodError ? error : undefined;
    const message = error instanceof Error ? error.message : String(error);
    writeTerminationMessage(process.env, { exitCode: known?.exitCode ?? ExitCode.internal, message, ...(known?.stderrTail ? { stderrTail: known.stderrTail } : {}) });
    reporter?.report({
      type: 'failed',
      // Within the report's caps (worker-report.ts), so the control plane never refuses a failure.
      message: (abort.signal.aborted ? `the worker was stopped (SIGTERM or its control plane went away): ${message}` : message).slice(0, maxReportedMessageChars),
      exitCode: known?.exitCode ?? ExitCode.internal,
      retryable: abort.signal.aborted || (known?.retryable ?? true),
      ...(known?.stderrTail ? { stderrTail: known.stderrTail.slice(-maxReportedStderrChars) } : {}),
      // Capped: a filter graph can make a command line long, and the report has a size limit.
      ...(known?.command ? { command: formatCommand(known.command).slice(0, maxReportedCommandChars) } : {}),
    });
    throw error;
  } finally {
    // Bounded (flushTimeoutMs): with the control plane unreachable the worker still exits, with its own code.
    await reporter?.flush();
  }
}

async function readTask(taskFile: string | undefined): Promise<TranscodeTask> {
  let text: string | undefined;
  if (taskFile === '-') text = await readStdin();
  else if (taskFile) text = await readFile(path.resolve(taskFile), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--task-file ${taskFile} cannot be read (${error.code ?? error.message})`);
  });
  else text = process.env.LIVE2VOD_TASK;
  if (!text) throw new UsageError('no task: pass --task-file <file|->, or set LIVE2VOD_TASK to the TranscodeTask JSON');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError('the task is not valid JSON');
  }
  try {
    // The environment matters only to a version-1 task, which kept its fetch policy there. In a
    // pod of an Indexed Job it also says which chunk this pod encodes (src/k8s/chunk-ranges.ts).
    return taskForCompletionIndex(parseTranscodeTask(withCallbackToken(json, process.env), process.env), process.env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The task with `--chunk-seconds` in its profile, checked as the profile checks it. */
function withChunkSeconds(task: TranscodeTask, flag: string | undefined): TranscodeTask {
  if (flag === undefined) return task;
  const profile = transcodeProfileSchema.safeParse({ ...task.profile, chunkSeconds: Number(flag) });
  if (!profile.success) throw new UsageError(`--chunk-seconds ${flag}: ${profile.error.issues[0]?.message ?? 'invalid'} (seconds, a multiple of the segment duration ${task.profile.segmentSeconds}, or 0)`);
  return { ...task, profile: profile.data };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
