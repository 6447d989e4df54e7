// What one unit of work (the whole encode, a chunk, the audio) found, reduced from its logs to a few
// intervals and cut times on the recording's timeline, and merged across units by the stitch. Pure.
import { detectRate } from './detect-filters.ts';

export interface Interval {
  start: number;
  end: number;
}

/** The pictures' findings over [from, to): where they were black, where still, where a scene cut. */
export interface VideoDetections {
  from: number;
  to: number;
  black: Interval[];
  still: Interval[];
  /** Sampled pictures that differ strongly from the one before, with scdet's score. */
  cuts: { time: number; score: number }[];
}

/** A picture with at least this share of black pixels counts as black. */
const blackPercent = 98;
/** Below this mean change (percent of full scale) from the picture before, a picture is still. */
const stillMafd = 0.1;
/**
 * A scene cut or slide change: scdet's score at least this. Lower than scdet's own default (10):
 * two plain slides of similar brightness (navy, then dark red) score only 5–9 on the small picture,
 * and steady motion scores near 0 (the score is the jump in change, not the change).
 */
const cutScore = 4;

interface Sample {
  time: number;
  pblack: number;
  mafd: number;
  score: number;
}

/** Reads the video detection log (`metadata=print`: a `frame:` line, then key=value lines). */
export function parseVideoLog(text: string): Sample[] {
  const samples: Sample[] = [];
  let current: Sample | undefined;
  for (const line of text.split('\n')) {
    const head = /^frame:\d+\s+pts:\S+\s+pts_time:(\S+)/.exec(line);
    if (head) {
      current = { time: Number(head[1]), pblack: 0, mafd: Number.POSITIVE_INFINITY, score: 0 };
      samples.push(current);
      continue;
    }
    const entry = /^lavfi\.(blackframe\.pblack|scd\.mafd|scd\.score)=(\S+)/.exec(line);
    if (!entry || !current) continue;
    const value = Number(entry[2]);
    if (entry[1] === 'blackframe.pblack') current.pblack = value;
    else if (entry[1] === 'scd.mafd') current.mafd = value;
    else current.score = value;
  }
  return samples;
}

/**
 * The samples of a unit whose pictures start at `offset` on the recording and cover [from, to).
 * The first sample has no picture before it (scdet reports 0 there), so it counts neither as
 * still nor as a cut: a chunk's seam says nothing about the pictures.
 */
export function reduceVideo(samples: Sample[], span: { offset: number; from: number; to: number }): VideoDetections {
  const step = 1 / detectRate;
  const timed = samples.map((s) => ({ ...s, time: s.time + span.offset }));
  const black = runs(timed.map((s) => ({ time: s.time, on: s.pblack >= blackPercent })), step, span.to);
  // A still picture equals the one a step before: the stretch began at that earlier picture.
  const still = runs(timed.map((s, i) => ({ time: s.time, on: i > 0 && s.mafd < stillMafd })), step, span.to)
    .map((r) => ({ start: Math.max(span.from, r.start - step), end: r.end }));
  const cuts = timed.filter((s, i) => i > 0 && s.score >= cutScore).map((s) => ({ time: round3(s.time), score: s.score }));
  return { from: span.from, to: span.to, black, still, cuts };
}

/** Stretches of consecutive samples that are `on`, each ending a step after its last sample. */
function runs(flags: { time: number; on: boolean }[], step: number, limit: number): Interval[] {
  const out: Interval[] = [];
  let open: Interval | undefined;
  for (const f of flags) {
    if (f.on) {
      if (open) open.end = Math.min(limit, f.time + step);
      else open = { start: f.time, end: Math.min(limit, f.time + step) };
    } else if (open) {
      out.push(open);
      open = undefined;
    }
  }
  if (open) out.push(open);
  return out.map((r) => ({ start: round3(r.start), end: round3(r.end) }));
}

/** The units' findings as one, in time order; stretches that meet at a seam become one. */
export function mergeVideo(units: VideoDetections[]): VideoDetections | undefined {
  const ordered = [...units].sort((a, b) => a.from - b.from);
  const first = ordered[0];
  const last = ordered.at(-1);
  if (!first || !last) return undefined;
  return {
    from: first.from,
    to: last.to,
    black: joinIntervals(ordered.flatMap((u) => u.black)),
    still: joinIntervals(ordered.flatMap((u) => u.still)),
    cuts: ordered.flatMap((u) => u.cuts),
  };
}

/** Sorted, with intervals that overlap or meet within a sample step made one. */
export function joinIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const prev = out.at(-1);
    if (prev && i.start <= prev.end + 1 / detectRate + 1e-6) prev.end = Math.max(prev.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

/**
 * The silences from the audio log: silencedetect marks `silence_start` when a silence has lasted
 * its minimum and `silence_end` when sound returns; a silence still open at the end lasts to `end`.
 */
export function parseSilences(text: string, end: number): Interval[] {
  const out: Interval[] = [];
  let start: number | undefined;
  for (const line of text.split('\n')) {
    const mark = /^lavfi\.silence_(start|end)=(\S+)/.exec(line);
    if (!mark) continue;
    const time = Math.max(0, Number(mark[2]));
    if (mark[1] === 'start') start = time;
    else if (start !== undefined) {
      out.push({ start: round3(start), end: round3(time) });
      start = undefined;
    }
  }
  if (start !== undefined && start < end) out.push({ start: round3(start), end: round3(end) });
  return out;
}

export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
