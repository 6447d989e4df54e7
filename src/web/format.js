// Pure formatting of what the dashboard shows: durations, ages, sizes, rates, source names.

/**
 * 75 → "1:15", 3725 → "1:02:05".
 * @param {number} seconds
 */
export function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * A time to the millisecond where it has one: 80 → "1:20", 50.5 → "0:50.5", 3725.25 → "1:02:05.25".
 * What a viewer types back is read by parseClock.
 * @param {number} seconds
 */
export function preciseClock(seconds) {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const whole = clock(Math.floor(ms / 1000));
  const fraction = ms % 1000;
  return fraction === 0 ? whole : `${whole}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}

/**
 * "1:20" → 80, "1:02:05.5" → 3725.5, "75" or "75.5" → seconds; NaN for anything else.
 * @param {string} text
 */
export function parseClock(text) {
  const match = /^(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d{1,3})?)$/.exec(text.trim());
  if (!match) return NaN;
  const [, h, m, s] = match;
  if ((h !== undefined || m !== undefined) && Number(s) >= 60) return NaN;
  return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s);
}

/**
 * A step or attempt duration: "850 ms", "12.3 s", "4 min 05 s".
 * @param {number} ms
 */
export function duration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * How long ago: "just now", "42 s", "5 min", "3 h", "2 d".
 * @param {string} iso
 * @param {number} [now]
 */
export function age(iso, now = Date.now()) {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

/** @param {number} bytes */
export function bytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** @param {number} bitsPerSecond */
export function bitrate(bitsPerSecond) {
  return bitsPerSecond >= 1_000_000 ? `${(bitsPerSecond / 1_000_000).toFixed(1)} Mb/s` : `${Math.round(bitsPerSecond / 1000)} kb/s`;
}

/**
 * "42 % · 3.1× · ETA 0:12", leaving out what is unknown.
 * @param {number} progress 0–1
 * @param {{ speed?: number | undefined, etaSeconds?: number | undefined }} [live]
 */
export function progressLabel(progress, live = {}) {
  const parts = [`${Math.floor(progress * 100)} %`];
  if (live.speed !== undefined && live.speed > 0) parts.push(`${live.speed.toFixed(1)}×`);
  if (live.etaSeconds !== undefined && Number.isFinite(live.etaSeconds)) parts.push(`ETA ${clock(live.etaSeconds)}`);
  return parts.join(' · ');
}

/**
 * What to call a job: the uploaded file's name, a clip's title, else the last part of its path or URL.
 * @param {{ source: string, metadata: Record<string, string>, kind?: string }} job
 */
export function sourceName(job) {
  if (job.metadata['upload']) return job.metadata['upload'];
  // A clip's source is its parent's recording: its own title tells it apart.
  if (job.kind === 'clip' && job.metadata['title']) return job.metadata['title'];
  let path = job.source;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    try {
      path = decodeURIComponent(new URL(path).pathname);
    } catch {
      // Keep the text as it is.
    }
  }
  return path.split('/').filter(Boolean).pop() ?? job.source;
}

/**
 * A rendition as people name it: "720p · 2.9 Mb/s".
 * @param {{ height?: number | undefined, width?: number | undefined, bitrate?: number | undefined }} level
 */
export function renditionLabel(level) {
  const size = level.height ? `${Math.min(level.height, level.width ?? level.height)}p` : 'audio';
  return level.bitrate ? `${size} · ${bitrate(level.bitrate)}` : size;
}
