// MediaMTX reports a segment's duration as Go formats a time.Duration ("1h2m3.5s"); hand-written
// senders may send plain seconds. Pure.

/** Seconds as a number ("3600", "3600.5", "3600s") or a Go duration ("1h2m3.5s"); undefined when neither. */
export function parseDurationSeconds(raw: string): number | undefined {
  const plain = /^(\d+(?:\.\d+)?)s?$/.exec(raw);
  if (plain) return Number(plain[1]);
  const go = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?$/.exec(raw);
  if (!go || raw === '') return undefined;
  return Number(go[1] ?? 0) * 3600 + Number(go[2] ?? 0) * 60 + Number(go[3] ?? 0);
}
