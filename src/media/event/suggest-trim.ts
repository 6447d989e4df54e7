// The suggested trim: the leading and trailing stretches where nothing happens (the picture black or
// still, and the audio silent) are the pre-show and post-show. Pure.
import { joinIntervals, round3, type Interval, type VideoDetections } from './detections.ts';

export interface SuggestedTrim {
  /** Seconds on the recording where the event starts and ends. */
  start: number;
  end: number;
  /** Why, one line per end that was moved; empty when nothing is to be trimmed. */
  why: string[];
}

/** A stretch shorter than this is a pause in the event, not a pre-show. */
const minimumIdle = 3;
/** How close to the recording's start or end a stretch must reach to be its pre- or post-show. */
const edge = 0.5;

/** `silences` is undefined when the recording has no audio: the picture alone decides. */
export function suggestTrim(video: VideoDetections, silences: Interval[] | undefined, duration: number): SuggestedTrim {
  const idle = intersect(joinIntervals([...video.black, ...video.still]), silences ?? [{ start: 0, end: duration }]);
  const long = idle.filter((i) => i.end - i.start >= minimumIdle);
  const lead = long.find((i) => i.start <= edge);
  const trail = [...long].reverse().find((i) => i.end >= duration - edge);
  // Nothing but idle, or one stretch over everything: no event was found, so nothing is suggested.
  if (lead && trail && lead.end >= trail.start) return { start: 0, end: round3(duration), why: [] };
  const why: string[] = [];
  if (lead) why.push(`${describe(lead, video, silences)} from the start to ${lead.end.toFixed(2)} s`);
  if (trail) why.push(`${describe(trail, video, silences)} from ${trail.start.toFixed(2)} s to the end`);
  return { start: round3(lead?.end ?? 0), end: round3(trail?.start ?? duration), why };
}

function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const start = Math.max(x.start, y.start);
      const end = Math.min(x.end, y.end);
      if (end > start) out.push({ start, end });
    }
  }
  return joinIntervals(out);
}

/** "black picture and silence", "still picture, no audio": what the stretch was mostly made of. */
function describe(stretch: Interval, video: VideoDetections, silences: Interval[] | undefined): string {
  const covered = (list: Interval[]) => list.reduce((sum, i) => sum + Math.max(0, Math.min(i.end, stretch.end) - Math.max(i.start, stretch.start)), 0);
  const picture = covered(video.black) >= covered(video.still) ? 'black picture' : 'still picture';
  return `${picture} and ${silences ? 'silence' : 'no audio'}`;
}
