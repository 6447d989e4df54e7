// What a transcode reports while it runs: the CLI draws a progress bar or prints JSON lines from
// these, and the worker forwards them to the control plane.

export type StepName = 'probe' | 'encode' | 'loudness' | 'audio' | 'package' | 'thumbnails' | 'download' | 'manifest';

export type TranscodeEvent =
  | { type: 'plan'; renditions: string[]; encoder: string; fallback?: string }
  | { type: 'step'; step: StepName; state: 'start' | 'end'; ms?: number }
  | { type: 'progress'; percent: number; fps?: number; speed?: number; etaSeconds?: number; outTime: number }
  | { type: 'warning'; message: string };

export type EventSink = (event: TranscodeEvent) => void;
