// What the control plane knows about a recording before any worker probed it: its duration and
// size, when the intake reported them (S3 events carry `size`, MediaMTX `segmentDuration`, a
// generic webhook may send `durationSeconds`). They size the Job's deadline and scratch space. Pure.

export interface SourceFacts {
  durationSeconds?: number;
  bytes?: number;
}

const durationKeys = ['durationSeconds', 'duration', 'segmentDuration'];
const sizeKeys = ['sourceBytes', 'bytes', 'size', 'contentLength'];

export function sourceFactsFromMetadata(metadata: Readonly<Record<string, string>>): SourceFacts {
  const facts: SourceFacts = {};
  const duration = firstParsed(metadata, durationKeys, parseDurationSeconds);
  const bytes = firstParsed(metadata, sizeKeys, parseBytes);
  if (duration !== undefined) facts.durationSeconds = duration;
  if (bytes !== undefined) facts.bytes = bytes;
  return facts;
}

function firstParsed(metadata: Readonly<Record<string, string>>, keys: readonly string[], parse: (raw: string) => number | undefined): number | undefined {
  for (const key of keys) {
    const raw = metadata[key];
    const value = raw === undefined ? undefined : parse(raw.trim());
    if (value !== undefined && value > 0) return value;
  }
  return undefined;
}

/** Seconds as a number ("3600", "3600.5", "3600s") or a Go duration ("1h2m3.5s", as MediaMTX reports). */
export function parseDurationSeconds(raw: string): number | undefined {
  const plain = /^(\d+(?:\.\d+)?)s?$/.exec(raw);
  if (plain) return Number(plain[1]);
  const go = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?$/.exec(raw);
  if (!go || raw === '') return undefined;
  return Number(go[1] ?? 0) * 3600 + Number(go[2] ?? 0) * 60 + Number(go[3] ?? 0);
}

function parseBytes(raw: string): number | undefined {
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}
