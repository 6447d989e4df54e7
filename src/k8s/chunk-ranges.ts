// How the chunks of an Indexed Job reach its pods, compactly: every pod gets the same spec, so the
// Job carries one chunk task (the template: the tasks of one group differ only in `chunk`) and the
// list of time ranges by index in LIVE2VOD_CHUNK_RANGES (`[[start, end], …]`); each pod picks its
// own by the JOB_COMPLETION_INDEX Kubernetes gives it. 200 chunks are a few kilobytes, not 200 tasks.
// Both sides use this file: the Job builder encodes, the worker decodes. Pure.
import { z } from 'zod';
import type { ChunkTask, TranscodeTask } from '../jobs/transcode-task.ts';

export const chunkRangesEnv = 'LIVE2VOD_CHUNK_RANGES';
/** Set by the Job controller in every pod of an Indexed Job. */
export const completionIndexEnv = 'JOB_COMPLETION_INDEX';
/** Kubernetes allows at most 10^5 completions with backoffLimitPerIndex. */
export const maxChunksPerGroup = 100_000;

const rangesSchema = z.array(z.tuple([z.number().min(0), z.number().positive()]).refine(([start, end]) => end > start, 'a range must end after it starts')).min(2).max(maxChunksPerGroup);

/** The template and the ranges of one group; refuses tasks that are not one attempt's chunks 0…n−1. */
export function encodeChunkGroup(tasks: readonly ChunkTask[]): { template: ChunkTask; ranges: string } {
  const first = tasks[0];
  if (!first || tasks.length < 2) throw new Error(`a chunk group needs at least 2 chunk tasks, got ${tasks.length}`);
  if (tasks.length > maxChunksPerGroup) throw new Error(`a chunk group holds at most ${maxChunksPerGroup} chunks (Kubernetes' limit on completions with backoffLimitPerIndex), got ${tasks.length}: choose longer chunks`);
  const shared = JSON.stringify(withoutChunk(first));
  tasks.forEach((task, i) => {
    if (task.chunk.index !== i || task.chunk.count !== tasks.length) {
      throw new Error(`chunk task ${i} is chunk ${task.chunk.index} of ${task.chunk.count}: a group's tasks must be chunks 0…${tasks.length - 1} of ${tasks.length}, in order`);
    }
    if (JSON.stringify(withoutChunk(task)) !== shared) {
      throw new Error(`chunk task ${i} differs from chunk 0 in more than its time range: the tasks of one group must share everything but \`chunk\` (job, attempt, plan, profile, callback)`);
    }
  });
  return { template: first, ranges: JSON.stringify(tasks.map((t) => [t.chunk.startSeconds, t.chunk.endSeconds])) };
}

/**
 * The task of this pod: the template with its index's range when LIVE2VOD_CHUNK_RANGES is set, the
 * task as it is otherwise. Throws an Error saying what is missing or wrong.
 */
export function taskForCompletionIndex(task: TranscodeTask, env: Readonly<Record<string, string | undefined>>): TranscodeTask {
  const rangesText = env[chunkRangesEnv];
  if (rangesText === undefined) return task;
  if (task.stage !== 'chunk') throw new Error(`${chunkRangesEnv} is set but the task is a ${task.stage} task: chunk ranges go with a chunk task only`);
  let json: unknown;
  try {
    json = JSON.parse(rangesText);
  } catch {
    throw new Error(`${chunkRangesEnv} is not valid JSON: it must be a list of [startSeconds, endSeconds] pairs`);
  }
  const parsed = rangesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${chunkRangesEnv} is not a list of at least 2 [startSeconds, endSeconds] pairs: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'}`);
  }
  const ranges = parsed.data;
  const indexText = env[completionIndexEnv];
  if (indexText === undefined || indexText === '') {
    throw new Error(`${completionIndexEnv} is not set: ${chunkRangesEnv} is meant for the pods of an Indexed Job (completionMode: Indexed), which Kubernetes gives their index; to run one chunk elsewhere, pass its own chunk task without ${chunkRangesEnv}`);
  }
  const index = Number(indexText);
  if (!/^\d+$/.test(indexText) || index >= ranges.length) {
    throw new Error(`${completionIndexEnv}=${indexText} is not an index of the ${ranges.length} chunk ranges (0–${ranges.length - 1}): the Job's completions must equal the number of ranges in ${chunkRangesEnv}`);
  }
  const [startSeconds, endSeconds] = ranges[index]!;
  return { ...task, chunk: { index, count: ranges.length, startSeconds, endSeconds } };
}

function withoutChunk(task: ChunkTask): Omit<ChunkTask, 'chunk'> {
  const { chunk: _chunk, ...rest } = task;
  return rest;
}
