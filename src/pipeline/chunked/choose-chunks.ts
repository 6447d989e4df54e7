// Whether a request's recording is encoded in chunks, and which.
import { autoChunkSeconds, planChunks, type ChunkPlan } from '../../media/chunk-plan.ts';
import type { TranscodePlan } from '../../media/plan.ts';
import type { EventSink } from '../events.ts';
import type { TranscodeRequest } from '../request.ts';

/**
 * The chunks to encode, or undefined for a whole encode. When a chunk length was forced but the
 * recording cannot be cut there, `emit` hears why (as a warning) and it is encoded whole.
 */
export function chooseChunks(plan: TranscodePlan, chunking: TranscodeRequest['chunking'], emit: EventSink = () => undefined): ChunkPlan | undefined {
  if (!chunking) return undefined;
  const seconds = chunking.seconds ?? autoChunkSeconds(plan.source.video?.duration ?? plan.source.duration, plan.segmentSeconds, chunking.parallelism);
  if (seconds === 0) return undefined;
  const decision = planChunks(plan, seconds);
  if ('chunked' in decision) return decision.chunked;
  if (chunking.seconds !== undefined) emit({ type: 'warning', message: `encoding whole, not in chunks: ${decision.unchunked}` });
  return undefined;
}
