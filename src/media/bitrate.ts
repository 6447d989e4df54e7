// Measured bitrates as HLS defines them. Pure.

export interface SizedSpan {
  bytes: number;
  seconds: number;
}

/**
 * RFC 8216 §4.3.4.2: the peak segment bit rate is the largest bit rate of any contiguous set of
 * segments whose total duration lies between 0.5 and 1.5 times the target duration. A short last
 * segment therefore counts together with its neighbour instead of alone or not at all. With no
 * qualifying set (a track shorter than half a target), the whole track is the set.
 */
export function peakBitrate(spans: readonly SizedSpan[], targetSeconds: number): number {
  let peak = 0;
  for (let start = 0; start < spans.length; start++) {
    let bytes = 0;
    let seconds = 0;
    for (let end = start; end < spans.length; end++) {
      bytes += spans[end]!.bytes;
      seconds += spans[end]!.seconds;
      if (seconds > 1.5 * targetSeconds + 1e-9) break;
      if (seconds >= 0.5 * targetSeconds - 1e-9) peak = Math.max(peak, (bytes * 8) / seconds);
    }
  }
  if (peak === 0) {
    const total = spans.reduce((acc, s) => ({ bytes: acc.bytes + s.bytes, seconds: acc.seconds + s.seconds }), { bytes: 0, seconds: 0 });
    peak = averageBitrate(total.bytes, total.seconds);
  }
  return Math.ceil(peak);
}

export function averageBitrate(bytes: number, seconds: number): number {
  return seconds > 0 ? Math.ceil((bytes * 8) / seconds) : 0;
}

/**
 * The HLS target duration for these durations: RFC 8216 §4.3.3.1 rounds each EXTINF to the nearest
 * integer, so an AAC segment of 6.016 s (whole 1024-sample frames) fits a target of 6, the same as
 * the video beside it; rounding up made the audio playlist say 7.
 */
export function targetDurationOf(seconds: readonly number[]): number {
  return Math.max(1, ...seconds.map((s) => Math.round(Number(s.toFixed(6)))));
}
