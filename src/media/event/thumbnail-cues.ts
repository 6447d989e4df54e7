// A chapter's picture, taken from the sprite thumbnails track already written: the first tile
// taken at or after the chapter's start shows the new slide (the tile running over the cut still
// shows the old one). Pure.

interface Cue {
  start: number;
  /** As the track has it, relative to the track: `sprite-000.jpg#xywh=…`. */
  target: string;
}

export function parseThumbnailCues(vtt: string): Cue[] {
  const cues: Cue[] = [];
  const lines = vtt.split('\n');
  lines.forEach((line, i) => {
    const times = /^(\d+):(\d\d):(\d\d)\.(\d{3}) -->/.exec(line);
    const target = lines[i + 1]?.trim();
    if (!times || !target) return;
    cues.push({ start: Number(times[1]) * 3600 + Number(times[2]) * 60 + Number(times[3]) + Number(times[4]) / 1000, target });
  });
  return cues;
}

/** The tile for a chapter starting at `start`, prefixed with the track's directory; undefined without cues. */
export function chapterThumbnail(cues: readonly Cue[], start: number, dir: string): string | undefined {
  const after = cues.find((c) => c.start >= start - 1e-3) ?? cues.at(-1);
  return after ? `${dir}/${after.target}` : undefined;
}
