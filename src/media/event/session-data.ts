// Adds EXT-X-SESSION-DATA to a written multivariant playlist, after its header tags: the playlist
// writer stays as it is and the chapters are known only after the encode. Pure.

/** `#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="chapters.json"` for Apple's chapter document. */
export function chaptersSessionData(uri: string): string {
  return `#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="${uri}"`;
}

/** The tag goes before the first variant or rendition (the spec's Multivariant Playlist tags); once. */
export function addSessionData(playlist: string, tag: string): string {
  const lines = playlist.split('\n');
  const kept = lines.filter((line) => line !== tag);
  const at = kept.findIndex((line) => line.startsWith('#EXT-X-MEDIA') || line.startsWith('#EXT-X-STREAM-INF') || line.startsWith('#EXT-X-I-FRAME-STREAM-INF'));
  kept.splice(at < 0 ? kept.length : at, 0, tag);
  return kept.join('\n');
}
