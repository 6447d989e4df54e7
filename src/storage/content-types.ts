// Content-Type and Cache-Control for each published file, by name.
//
// Caching policy (what a CDN in front of the bucket will do with it):
// - Media (segments, init segments, whole MP4s, thumbnails) is immutable: every asset is written
//   under its own id, and a file is never rewritten with different bytes under the same name, so
//   `public, max-age=31536000, immutable`. (Re-publishing different media under the same key
//   would need a CDN invalidation.)
// - Playlists and DASH manifests are written once the VOD is complete, but a re-run of the job
//   (retry, re-transcode) may rewrite them: `public, max-age=60` bounds staleness to a minute while
//   still letting a CDN absorb the load of many viewers. (The 2 s of live HLS is pointless for VOD.)
// - Subtitles may be corrected after publication: same as playlists.
// - `manifest.json` describes the asset's state for tooling and changes while the job runs:
//   `no-cache` (always revalidated). So does the instant remux's playlist (`instant/index.m3u8`), an
//   EVENT playlist that grows while the copy runs: a cached copy would hold players at its last segment.
// - Anything else: application/octet-stream with the playlist policy (short, safe).

export interface ObjectHeaders {
  contentType: string;
  cacheControl: string;
}

export const cacheImmutable = 'public, max-age=31536000, immutable';
export const cacheShort = 'public, max-age=60';
export const cacheNone = 'no-cache';

interface Rule {
  /**
   * Matched lower-cased: an exact last path segment (`manifest.json`), a suffix of it with a
   * leading dot (`.m3u8`), or, holding a `/`, the key's last segments (`instant/index.m3u8`).
   */
  match: string;
  headers: ObjectHeaders;
}

/** The table, first match wins. Exported for documentation and tests. */
export const contentTypeRules: readonly Rule[] = [
  { match: 'manifest.json', headers: { contentType: 'application/json', cacheControl: cacheNone } },
  { match: 'instant/index.m3u8', headers: { contentType: 'application/vnd.apple.mpegurl', cacheControl: cacheNone } },
  { match: '.m3u8', headers: { contentType: 'application/vnd.apple.mpegurl', cacheControl: cacheShort } },
  { match: '.mpd', headers: { contentType: 'application/dash+xml', cacheControl: cacheShort } },
  { match: '.m4s', headers: { contentType: 'video/iso.segment', cacheControl: cacheImmutable } },
  { match: '.mp4', headers: { contentType: 'video/mp4', cacheControl: cacheImmutable } },
  { match: '.m4v', headers: { contentType: 'video/mp4', cacheControl: cacheImmutable } },
  { match: '.m4a', headers: { contentType: 'audio/mp4', cacheControl: cacheImmutable } },
  { match: '.ts', headers: { contentType: 'video/mp2t', cacheControl: cacheImmutable } },
  { match: '.aac', headers: { contentType: 'audio/aac', cacheControl: cacheImmutable } },
  { match: '.vtt', headers: { contentType: 'text/vtt', cacheControl: cacheShort } },
  { match: '.jpg', headers: { contentType: 'image/jpeg', cacheControl: cacheImmutable } },
  { match: '.jpeg', headers: { contentType: 'image/jpeg', cacheControl: cacheImmutable } },
  { match: '.png', headers: { contentType: 'image/png', cacheControl: cacheImmutable } },
  { match: '.webp', headers: { contentType: 'image/webp', cacheControl: cacheImmutable } },
  { match: '.json', headers: { contentType: 'application/json', cacheControl: cacheNone } },
];

const fallback: ObjectHeaders = { contentType: 'application/octet-stream', cacheControl: cacheShort };

/** The headers to store with the object named `key`. */
export function objectHeaders(key: string): ObjectHeaders {
  const lower = key.toLowerCase();
  const name = lower.slice(lower.lastIndexOf('/') + 1);
  for (const rule of contentTypeRules) {
    if (rule.match.includes('/')) {
      if (lower === rule.match || lower.endsWith(`/${rule.match}`)) return { ...rule.headers };
      continue;
    }
    if (rule.match.startsWith('.') ? name.endsWith(rule.match) && name.length > rule.match.length : name === rule.match) return { ...rule.headers };
  }
  return { ...fallback };
}
