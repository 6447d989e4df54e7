// What manifest.json and the job's API view say of the event inside the recording.
import type { Chapter } from './chapters.ts';
import type { SuggestedTrim } from './suggest-trim.ts';

export interface EventSummary {
  /** Absent where the recording was not looked at: a clip carries its parent's chapters only. */
  suggestedTrim?: SuggestedTrim;
  /** The chapters, and where their WebVTT track and Apple's HLS chapter JSON are (relative to the asset). */
  chapters: { vtt: string; hls: string; list: Chapter[] };
}
