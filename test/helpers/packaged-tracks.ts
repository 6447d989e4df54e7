// Packaged tracks as the packager describes them, built by hand for the HLS and DASH writer tests:
// 3 video rungs + AAC, 13 s as 6/6/1 s segments; video has a keyframe every 2 s.
import { segmentFileName } from '../../src/media/segment-names.ts';
import type { PackagedTrack, Rational, Segment } from '../../src/media/types.ts';

export interface TrackSpec {
  id: string;
  kind: 'video' | 'audio';
  durations: number[];
  peak: number;
  average: number;
  codec: string;
  width?: number;
  height?: number;
  frameRate?: Rational;
  firstNumber?: number;
}

/** A packaged track as the packager would describe it; video has a keyframe every 2 s. */
export function makeTrack(spec: TrackSpec): PackagedTrack {
  const timescale = spec.kind === 'video' ? 90_000 : 48_000;
  const first = spec.firstNumber ?? 1;
  let start = 0;
  const segments: Segment[] = spec.durations.map((duration, i) => {
    const keyframes: Segment['keyframes'] = [];
    let offset = 0;
    for (let t = 0; spec.kind === 'video' && t < duration - 1e-9; t += 2) {
      const fragmentDuration = Math.min(2, duration - t);
      const fragmentBytes = Math.round((spec.average * fragmentDuration) / 8);
      keyframes.push({ offset, length: Math.round(fragmentBytes / 4), time: start + t, duration: fragmentDuration });
      offset += fragmentBytes;
    }
    const segment: Segment = {
      number: first + i,
      file: segmentFileName(first + i),
      start,
      duration,
      decodeTime: Math.round(start * timescale),
      durationTicks: Math.round(duration * timescale),
      bytes: Math.round((spec.average * duration) / 8),
      keyframes,
    };
    start += duration;
    return segment;
  });
  const track: PackagedTrack = {
    id: spec.id,
    kind: spec.kind,
    dir: `${spec.kind}/${spec.id}`,
    initFile: 'init.mp4',
    playlistFile: 'playlist.m3u8',
    track: { kind: spec.kind, timescale, codecString: spec.codec, width: spec.width, height: spec.height },
    segments,
    duration: start,
    peakBitrate: spec.peak,
    averageBitrate: spec.average,
    totalBytes: segments.reduce((sum, s) => sum + s.bytes, 0),
  };
  if (spec.kind === 'video') {
    const { width = 0, height = 0, frameRate = { num: 30, den: 1 } } = spec;
    track.iframePlaylistFile = 'iframes.m3u8';
    track.iframePeakBitrate = Math.round(spec.peak / 6);
    track.iframeAverageBitrate = Math.round(spec.average / 8);
    track.rendition = { id: spec.id, codec: 'h264', width, height, frameRate, bitrateKbps: spec.average / 1000, maxrateKbps: spec.peak / 1000, bufsizeKbps: spec.peak / 500, crf: 23 };
  } else {
    track.track.channels = 2;
    track.track.sampleRate = 48_000;
    track.audio = { id: spec.id, sourceIndex: 1, bitrateKbps: 128, sampleRate: 48_000, channels: 2, language: 'en', name: 'English' };
  }
  return track;
}

export const video = [
  makeTrack({ id: '1080p-6000k', kind: 'video', durations: [6, 6, 1], peak: 6_900_000, average: 6_000_000, codec: 'avc1.640028', width: 1920, height: 1080 }),
  makeTrack({ id: '432p-1200k', kind: 'video', durations: [6, 6, 1], peak: 1_450_000, average: 1_200_000, codec: 'avc1.64001e', width: 768, height: 432, frameRate: { num: 30_000, den: 1001 } }),
  makeTrack({ id: '720p-3000k', kind: 'video', durations: [6, 6, 1], peak: 3_500_000, average: 3_000_000, codec: 'avc1.64001f', width: 1280, height: 720 }),
];
export const audio = makeTrack({ id: 'en-128k', kind: 'audio', durations: [6.016, 6.016, 0.968], peak: 131_000, average: 129_000, codec: 'mp4a.40.2' });
