// What a transcode reports while it runs: the CLI draws a progress bar or prints JSON lines from
// these, and the worker forwards them to the control plane. The schema lives with the worker
// contract (src/jobs/worker-report.ts), so both sides read the same shape.
import type { z } from 'zod';
import type { stepNames, transcodeEventSchema } from '../jobs/worker-report.ts';

export type StepName = (typeof stepNames)[number];

export type TranscodeEvent = z.infer<typeof transcodeEventSchema>;

export type EventSink = (event: TranscodeEvent) => void;
