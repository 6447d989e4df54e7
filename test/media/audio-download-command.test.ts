// The audio measure/encode commands and the progressive download remux: guarded inputs, the right
// stream mapped, the loudness filter of the plan, audio fragmenting. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAudioEncodeCommand, buildLoudnessMeasureCommand } from '../../src/media/audio-command.ts';
import { buildDownloadCommand } from '../../src/media/download-command.ts';
import { audioFmp4Args } from '../../src/media/fmp4-output.ts';
import { allowedDemuxers } from '../../src/media/input-args.ts';
import { downmixFilter, pendingMeasurement, type LoudnessMeasurement } from '../../src/media/loudness.ts';
import type { TranscodePlan } from '../../src/media/plan.ts';

const guard = (file: string) => ['-protocol_whitelist', 'file', '-format_whitelist', allowedDemuxers.join(','), '-i', `file:${file}`];

function audioPlan(language = 'de'): TranscodePlan {
  return {
    source: {
      formatName: 'flv', duration: 30, sizeBytes: 1000,
      audio: { index: 1, codec: 'aac', channels: 6, sampleRate: 44100, startTime: 0 },
    },
    video: [],
    audio: { id: 'aac-128k', sourceIndex: 1, bitrateKbps: 128, sampleRate: 48000, channels: 2, language, name: 'German' },
    encoder: 'libx264', gopSeconds: 2, segmentSeconds: 6, deinterlace: false,
    loudness: { integrated: -16, truePeak: -1.5, range: 11 },
  };
}

const measured: LoudnessMeasurement = { integrated: -23.4, truePeak: -10.1, range: 7.2, threshold: -33.6 };

describe('loudness measuring pass', () => {
  test('decodes only the chosen audio stream through ebur128 at info level, to the null muxer', () => {
    assert.deepEqual(buildLoudnessMeasureCommand('ffmpeg', '/src/a.flv', audioPlan()), [
      'ffmpeg', '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info',
      ...guard('/src/a.flv'),
      '-map', '0:1', '-vn', '-sn', '-dn',
      '-af', `${downmixFilter},ebur128=peak=true:framelog=verbose`,
      '-f', 'null', '-',
    ]);
  });

  test('refuses a plan without audio or without a loudness target', () => {
    const plan = audioPlan();
    delete plan.loudness;
    assert.throws(() => buildLoudnessMeasureCommand('ffmpeg', '/a', plan), /no audio to measure/);
  });
});

describe('audio encode', () => {
  test('golden: measured linear normalisation, AAC-LC 48 kHz stereo, ISO 639-2 language, fragmented', () => {
    const command = buildAudioEncodeCommand('ffmpeg', '/src/a.flv', audioPlan(), measured);
    assert.deepEqual(command, [
      'ffmpeg', '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
      ...guard('/src/a.flv'),
      '-map', '0:1', '-vn', '-sn', '-dn', '-map_metadata', '-1',
      '-af', `${downmixFilter},volume=7.40dB`,
      '-c:a', 'aac', '-profile:a', 'aac_low', '-b:a', '128k', '-ar', '48000', '-ac', '2',
      '-metadata:s:a:0', 'language=deu',
      '-metadata:s:a:0', 'title=German',
      '-f', 'mp4', '-flush_packets', '1', '-movflags', '+empty_moov+default_base_moof', '-frag_duration', '2000000',
      'audio.mp4',
    ]);
    assert.deepEqual(command.slice(-audioFmp4Args.length - 1, -1), [...audioFmp4Args]);
  });

  test('progress on stdout only when asked (audio-only sources drive the bar)', () => {
    assert.ok(!buildAudioEncodeCommand('ffmpeg', '/a', audioPlan(), measured).includes('-progress'));
    const withProgress = buildAudioEncodeCommand('ffmpeg', '/a', audioPlan(), measured, true);
    assert.deepEqual(withProgress.slice(withProgress.indexOf('-progress'), withProgress.indexOf('-progress') + 3), ['-progress', 'pipe:1', '-nostats']);
    assert.ok(withProgress.indexOf('-progress') < withProgress.indexOf('-i'));
  });

  test('without a loudness target (or silent audio) only the downmix is applied', () => {
    const plan = audioPlan();
    delete plan.loudness;
    const off = buildAudioEncodeCommand('ffmpeg', '/a', plan, undefined);
    assert.equal(off[off.indexOf('-af') + 1], downmixFilter);
    const silent = buildAudioEncodeCommand('ffmpeg', '/a', audioPlan(), { ...measured, integrated: Number.NaN });
    assert.equal(silent[silent.indexOf('-af') + 1], downmixFilter);
    const pending = buildAudioEncodeCommand('ffmpeg', '/a', audioPlan(), pendingMeasurement);
    assert.match(pending[pending.indexOf('-af') + 1] ?? '', /volume=<.*pass 1>dB/);
  });

  test('language tags: BCP 47 in the plan, ISO 639-2 in the MP4', () => {
    const tag = (language: string) => {
      const c = buildAudioEncodeCommand('ffmpeg', '/a', audioPlan(language), measured);
      return c[c.indexOf('-metadata:s:a:0') + 1];
    };
    assert.equal(tag('en'), 'language=eng');
    assert.equal(tag('ja'), 'language=jpn');
    assert.equal(tag('fil'), 'language=fil');
    assert.equal(tag('xx-YY'), 'language=und');
  });

  test('a regional tag keeps its language in the MP4 (pt-BR → por)', () => {
    const c = buildAudioEncodeCommand('ffmpeg', '/a', audioPlan('pt-BR'), measured);
    assert.equal(c[c.indexOf('-metadata:s:a:0') + 1], 'language=por');
  });
});

describe('alternate audio tracks', () => {
  const twoTracks = (): TranscodePlan => {
    const plan = audioPlan('en');
    plan.alternateAudio = [{ id: 'aac-128k-2', sourceIndex: 2, bitrateKbps: 128, sampleRate: 48000, channels: 2, language: 'de', name: 'Dolmetscher' }];
    return plan;
  };

  test('each track is measured and encoded from its own stream into its own file, named and tagged', () => {
    const plan = twoTracks();
    const second = plan.alternateAudio?.[0];
    const measure = buildLoudnessMeasureCommand('ffmpeg', '/a', plan, second);
    assert.equal(measure[measure.indexOf('-map') + 1], '0:2');
    const encode = buildAudioEncodeCommand('ffmpeg', '/a', plan, measured, false, second);
    assert.equal(encode[encode.indexOf('-map') + 1], '0:2');
    assert.ok(encode.includes('language=deu') && encode.includes('title=Dolmetscher'));
    assert.equal(encode.at(-1), 'audio-aac-128k-2.mp4');
    // The default track keeps its file and stream.
    const first = buildAudioEncodeCommand('ffmpeg', '/a', plan, measured);
    assert.equal(first[first.indexOf('-map') + 1], '0:1');
    assert.equal(first.at(-1), 'audio.mp4');
  });
});

describe('download remux', () => {
  test('video + audio: both guarded, both mapped, stream copy, index at the front', () => {
    assert.deepEqual(buildDownloadCommand('ffmpeg', { video: '/s/video-720p.mp4', audio: '/s/audio.mp4' }, '/out/download/720p.mp4'), [
      'ffmpeg', '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
      ...guard('/s/video-720p.mp4'),
      ...guard('/s/audio.mp4'),
      '-map', '0', '-map', '1',
      '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4',
      '/out/download/720p.mp4',
    ]);
  });

  test('every audio track goes into the download, the default one first', () => {
    const command = buildDownloadCommand('ffmpeg', { video: '/s/v.mp4', audio: '/s/audio.mp4', alternateAudio: ['/s/audio-aac-128k-2.mp4'] }, '/out/d.mp4');
    assert.deepEqual(command.filter((a, i) => command[i - 1] === '-i'), ['file:/s/v.mp4', 'file:/s/audio.mp4', 'file:/s/audio-aac-128k-2.mp4']);
    assert.deepEqual(command.slice(command.indexOf('-map'), command.indexOf('-c')), ['-map', '0', '-map', '1', '-map', '2']);
  });

  test('audio only maps one input; nothing at all is refused', () => {
    const command = buildDownloadCommand('ffmpeg', { audio: '/s/audio.mp4' }, '/out/download/audio.m4a');
    assert.equal(command.filter((a) => a === '-i').length, 1);
    assert.deepEqual(command.slice(command.indexOf('-map'), command.indexOf('-c')), ['-map', '0']);
    assert.throws(() => buildDownloadCommand('ffmpeg', {}, '/x.mp4'), /needs video or audio/);
  });
});
