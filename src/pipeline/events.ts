// What a transcode reports while it runs: the CLI draws a progress bar or prints JSON lines from
// these, and the worker forwards them to the control plane.

export type StepName = 'fetch' | 'probe' | 'remux' | 'encode' | 'loudness' | 'audio' | 'package' | 'thumbnails' | 'download' | 'manifest' | 'publish';

export type TranscodeEvent =
  | { type: 'plan'; renditions: string[]; encoder: string; fallback?: string }
  | { type: 'step'; step: StepName; state: 'start' | 'end'; ms?: number }
  | { type: 'progress'; percent: number; fps?: number; speed?: number; etaSeconds?: number; outTime: number }
  /** Something can be played now: the instant remux, before the ladder is done. */
  | { type: 'playable'; playlist: string }
  | { type: 'warning'; message: string };

export type EventSink = (event: TranscodeEvent) => void;
