// In-process fan-out of job changes: server-sent events and notifications subscribe here.
import { EventEmitter } from 'node:events';
import type { Job } from './job.ts';

export type JobChangeType = 'job.queued' | 'job.started' | 'job.progress' | 'job.step' | 'job.chunk' | 'job.probed' | 'asset.playable' | 'asset.ready' | 'job.failed' | 'job.cancelled' | 'job.requeued' | 'job.updated';

export interface JobChange {
  type: JobChangeType;
  job: Job;
  at: string;
  data?: Record<string, unknown>;
}

export class JobEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every open SSE stream is a listener.
    this.#emitter.setMaxListeners(0);
  }

  emit(change: JobChange): void {
    this.#emitter.emit('change', change);
  }

  subscribe(listener: (change: JobChange) => void): () => void {
    this.#emitter.on('change', listener);
    return () => this.#emitter.off('change', listener);
  }
}
