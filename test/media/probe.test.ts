// parseProbe on hand-written ffprobe JSON (shaped like ffprobe 5.1's -show_format -show_streams),
// and the rational helpers it leans on. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExitCode, InputError } from '../../src/errors/index.ts';
import { isSupportedAudioCodec, isSupportedVideoCodec } from '../../src/media/codecs.ts';
import { parseProbe } from '../../src/media/probe.ts';
import { capFrameRate, formatRational, parseRational, reduce, snapFrameRate, toNumber } from '../../src/media/rational.ts';

// --- fixtures ------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const disposition = (attachedPic = 0): Json => ({
  default: 1, dub: 0, original: 0, comment: 0, lyrics: 0, karaoke: 0, forced: 0, hearing_impaired: 0, visual_impaired: 0,
  clean_effects: 0, attached_pic: attachedPic, timed_thumbnails: 0, captions: 0, descriptions: 0, metadata: 0, dependent: 0, still_image: 0,
});

function videoStream(overrides: Json = {}): Json {
  return {
    index: 0, codec_name: 'h264', codec_long_name: 'H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10', profile: 'High', codec_type: 'video',
    codec_tag_string: 'avc1', codec_tag: '0x31637661', width: 1920, height: 1080, coded_width: 1920, coded_height: 1080,
    closed_captions: 0, film_grain: 0, has_b_frames: 2, sample_aspect_ratio: '1:1', display_aspect_ratio: '16:9', pix_fmt: 'yuv420p',
    level: 40, chroma_location: 'left', field_order: 'progressive', refs: 1, is_avc: 'true', nal_length_size: '4', id: '0x1',
    r_frame_rate: '30000/1001', avg_frame_rate: '30000/1001', time_base: '1/30000', start_pts: 0, start_time: '0.000000',
    duration_ts: 18018000, duration: '600.600000', bit_rate: '5832101', bits_per_raw_sample: '8', nb_frames: '18000', extradata_size: 47,
    disposition: disposition(), tags: { language: 'und', handler_name: 'VideoHandler', vendor_id: '[0][0][0][0]' },
    ...overrides,
  };
}

function audioStream(overrides: Json = {}): Json {
  return {
    index: 1, codec_name: 'aac', codec_long_name: 'AAC (Advanced Audio Coding)', profile: 'LC', codec_type: 'audio',
    codec_tag_string: 'mp4a', codec_tag: '0x6134706d', sample_fmt: 'fltp', sample_rate: '48000', channels: 2, channel_layout: 'stereo',
    bits_per_sample: 0, id: '0x2', r_frame_rate: '0/0', avg_frame_rate: '0/0', time_base: '1/48000', start_pts: 0, start_time: '0.000000',
    duration_ts: 28830720, duration: '600.640000', bit_rate: '128002', nb_frames: '28155', extradata_size: 2,
    disposition: disposition(), tags: { language: 'eng', handler_name: 'SoundHandler', vendor_id: '[0][0][0][0]' },
    ...overrides,
  };
}

function probe(streams: Json[], format: Json = {}): Json {
  return {
    streams,
    format: {
      filename: '/data/in/event.mp4', nb_streams: streams.length, nb_programs: 0, format_name: 'mov,mp4,m4a,3gp,3g2,mj2',
      format_long_name: 'QuickTime / MOV', start_time: '0.000000', duration: '600.640000', size: '447512345', bit_rate: '5960452',
      probe_score: 100, tags: { major_brand: 'isom', minor_version: '512', compatible_brands: 'isomiso2avc1mp41', encoder: 'Lavf59.27.100' },
      ...format,
    },
  };
}

function assertInputError(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.equal(error.exitCode, ExitCode.badInput);
    assert.equal(error.retryable, false);
    assert.match(error.message, message);
    return true;
  });
}

// --- parseProbe ----------------------------------------------------------------------------------------

describe('parseProbe: a plain recording', () => {
  test('1080p29.97 H.264 + stereo AAC', () => {
    assert.deepEqual(parseProbe(probe([videoStream(), audioStream()])), {
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      duration: 600.64,
      sizeBytes: 447512345,
      bitRate: 5960452,
      video: {
        index: 0, codec: 'h264', profile: 'High', pixelFormat: 'yuv420p', width: 1920, height: 1080,
        sampleAspectRatio: { num: 1, den: 1 }, rotation: 0, displayWidth: 1920, displayHeight: 1080,
        frameRate: { num: 30000, den: 1001 }, variableFrameRate: false, interlaced: false,
        bitRate: 5832101, startTime: 0, duration: 600.6,
      },
      audio: { index: 1, codec: 'aac', channels: 2, channelLayout: 'stereo', sampleRate: 48000, bitRate: 128002, language: 'eng', startTime: 0, duration: 600.64 },
    });
  });

  test('the duration is the longest of container and streams; N/A values are ignored', () => {
    assert.equal(parseProbe(probe([videoStream({ duration: '612.5' }), audioStream()], { duration: '600.0' })).duration, 612.5);
    const info = parseProbe(probe([videoStream({ duration: 'N/A', bit_rate: 'N/A' }), audioStream()], { duration: '42.5', bit_rate: 'N/A' }));
    assert.equal(info.duration, 600.64);
    assert.equal(info.video?.duration, undefined);
    assert.equal(info.video?.bitRate, undefined);
    assert.equal(info.bitRate, undefined);
  });

  test('language "und" is no language; a missing SAR is square', () => {
    const info = parseProbe(probe([videoStream({ sample_aspect_ratio: undefined }), audioStream({ tags: { language: 'und' } })]));
    assert.equal(info.audio?.language, undefined);
    assert.deepEqual(info.video?.sampleAspectRatio, { num: 1, den: 1 });
    assert.deepEqual(parseProbe(probe([videoStream({ sample_aspect_ratio: '0:1' })])).video?.sampleAspectRatio, { num: 1, den: 1 }, 'ffprobe writes 0:1 for unknown');
  });

  test('several audio streams: all kept with language and title, the default-marked one leads', () => {
    const info = parseProbe(probe([
      videoStream(),
      audioStream({ index: 1, tags: { language: 'eng' }, disposition: { ...disposition(), default: 0 } }),
      audioStream({ index: 2, tags: { language: 'deu', title: ' Dolmetscher ' }, disposition: { default: 1 } }),
    ]));
    assert.equal(info.audio?.index, 2);
    assert.deepEqual(info.audioStreams?.map((a) => [a.index, a.language, a.title]), [[1, 'eng', undefined], [2, 'deu', 'Dolmetscher']]);
    assert.equal(info.audioStreams?.[1], info.audio, 'one description of the default stream');
    assert.equal(parseProbe(probe([videoStream(), audioStream()])).audioStreams, undefined, 'one stream: described as before');
  });

  test('audio only and video only', () => {
    const audioOnly = parseProbe(probe([audioStream({ index: 0 })], { format_name: 'mp3' }));
    assert.equal(audioOnly.video, undefined);
    assert.equal(audioOnly.audio?.index, 0);
    const videoOnly = parseProbe(probe([videoStream()]));
    assert.equal(videoOnly.audio, undefined);
    assert.equal(videoOnly.video?.codec, 'h264');
  });
});

describe('parseProbe: geometry', () => {
  test('rotation from side_data_list (-90) swaps the display size and normalises to 270', () => {
    const info = parseProbe(probe([videoStream({
      side_data_list: [{
        side_data_type: 'Display Matrix',
        displaymatrix: '\n00000000:            0       65536           0\n00000001:       -65536           0           0\n00000002:            0           0  1073741824\n',
        rotation: -90,
      }],
    })]));
    assert.equal(info.video?.rotation, 270);
    assert.equal(info.video?.width, 1920, 'the coded size stays');
    assert.equal(info.video?.displayWidth, 1080);
    assert.equal(info.video?.displayHeight, 1920);
  });

  test('rotations 180 and 90, and the legacy rotate tag', () => {
    const rot = (extra: Json) => parseProbe(probe([videoStream(extra)])).video;
    assert.deepEqual([rot({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 180 }] })?.rotation, rot({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -180 }] })?.displayWidth], [180, 1920]);
    assert.equal(rot({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] })?.displayHeight, 1920);
    assert.equal(rot({ tags: { rotate: '270' } })?.rotation, 270);
    assert.equal(rot({ side_data_list: [{ side_data_type: 'Content light level metadata' }] })?.rotation, 0, 'side data without rotation');
  });

  test('SAR 16:15 (PAL 4:3 DV) is shown 768 wide: non-square pixels become square display pixels', () => {
    const video = parseProbe(probe([videoStream({ width: 720, height: 576, sample_aspect_ratio: '16:15', display_aspect_ratio: '4:3', r_frame_rate: '25/1', avg_frame_rate: '25/1' })])).video;
    assert.deepEqual(video?.sampleAspectRatio, { num: 16, den: 15 });
    assert.equal(video?.displayWidth, 768);
    assert.equal(video?.displayHeight, 576);
    assert.equal(video?.width, 720);
  });

  test('anamorphic and rotated together: the square width becomes the display height', () => {
    const video = parseProbe(probe([videoStream({ width: 1440, height: 1080, sample_aspect_ratio: '4:3', side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] })])).video;
    assert.equal(video?.displayWidth, 1080);
    assert.equal(video?.displayHeight, 1920);
  });

  test('interlaced field orders', () => {
    const interlaced = (field_order: string | undefined) => parseProbe(probe([videoStream({ field_order })])).video?.interlaced;
    for (const order of ['tt', 'bb', 'tb', 'bt']) assert.equal(interlaced(order), true, order);
    for (const order of ['progressive', 'unknown', undefined]) assert.equal(interlaced(order), false, String(order));
  });
});

describe('parseProbe: frame rates', () => {
  test('constant 29.97 keeps r_frame_rate exactly', () => {
    const video = parseProbe(probe([videoStream()])).video;
    assert.deepEqual(video?.frameRate, { num: 30000, den: 1001 });
    assert.equal(video?.variableFrameRate, false);
  });

  test('VFR with a timebase-like r_frame_rate (90000/1): the average, snapped to 29.97', () => {
    const video = parseProbe(probe([videoStream({ r_frame_rate: '90000/1', avg_frame_rate: '1798200/60001' })], { format_name: 'flv' })).video;
    assert.deepEqual(video?.frameRate, { num: 30000, den: 1001 });
    assert.equal(video?.variableFrameRate, true);
  });

  test('r and avg disagreeing by more than 1 % is variable; a broadcast r_frame_rate is kept (dropped frames do not lower the rate)', () => {
    const video = parseProbe(probe([videoStream({ r_frame_rate: '30/1', avg_frame_rate: '27/1' })])).video;
    assert.equal(video?.variableFrameRate, true);
    assert.deepEqual(video?.frameRate, { num: 30, den: 1 });
  });

  test('variable, with a non-broadcast r_frame_rate: the average snapped to a broadcast rate decides', () => {
    const video = parseProbe(probe([videoStream({ r_frame_rate: '90/1', avg_frame_rate: '28771/1200' })])).video;
    assert.equal(video?.variableFrameRate, true);
    assert.deepEqual(video?.frameRate, { num: 24000, den: 1001 });
  });

  test('an average far from every broadcast rate is kept (to 1/1000)', () => {
    const video = parseProbe(probe([videoStream({ r_frame_rate: '1000/1', avg_frame_rate: '15/2' })])).video;
    assert.deepEqual(video?.frameRate, { num: 15, den: 2 });
    assert.equal(video?.variableFrameRate, true);
  });

  test('only r_frame_rate usable: kept, constant; nothing usable: 30 fps, flagged variable', () => {
    const onlyR = parseProbe(probe([videoStream({ r_frame_rate: '25/1', avg_frame_rate: '0/0' })])).video;
    assert.deepEqual([onlyR?.frameRate, onlyR?.variableFrameRate], [{ num: 25, den: 1 }, false]);
    const none = parseProbe(probe([videoStream({ r_frame_rate: '0/0', avg_frame_rate: '0/0' })])).video;
    assert.deepEqual([none?.frameRate, none?.variableFrameRate], [{ num: 30, den: 1 }, true]);
  });
});

describe('parseProbe: streams that do not count', () => {
  test('attached_pic cover art before the real video is ignored', () => {
    const info = parseProbe(probe([
      videoStream({ index: 0, codec_name: 'mjpeg', width: 600, height: 600, r_frame_rate: '90000/1', avg_frame_rate: '0/0', disposition: disposition(1) }),
      videoStream({ index: 1 }),
      audioStream({ index: 2 }),
    ]));
    assert.equal(info.video?.index, 1);
    assert.equal(info.video?.codec, 'h264');
    assert.equal(info.audio?.index, 2);
  });

  test('an MP3 with only cover art is audio only', () => {
    const info = parseProbe(probe([audioStream({ index: 0, codec_name: 'mp3' }), videoStream({ index: 1, codec_name: 'png', disposition: disposition(1) })], { format_name: 'mp3' }));
    assert.equal(info.video, undefined);
    assert.equal(info.audio?.codec, 'mp3');
  });

  test('a cover picture in a codec we would refuse does not refuse the source', () => {
    assert.doesNotThrow(() => parseProbe(probe([videoStream({ index: 0, codec_name: 'bmp', disposition: disposition(1) }), audioStream({ index: 1 })])));
  });
});

describe('parseProbe: refusals', () => {
  test('an unsupported video codec is an InputError naming it', () => {
    assertInputError(() => parseProbe(probe([videoStream({ codec_name: 'cinepak' }), audioStream()], { format_name: 'avi' })), /video codec "cinepak" is not supported/);
  });

  test('an unsupported audio codec is an InputError naming it, with the supported list', () => {
    assertInputError(() => parseProbe(probe([videoStream(), audioStream({ codec_name: 'adpcm_ima_wav' })])), /audio codec "adpcm_ima_wav" is not supported \(supported: video: h264.*audio: aac.*pcm_\*\)/);
  });

  test('a stream without a codec name is refused as "unknown"', () => {
    assertInputError(() => parseProbe(probe([videoStream({ codec_name: undefined })])), /video codec "unknown"/);
  });

  test('no streams at all, or only subtitles and data: neither video nor audio', () => {
    assertInputError(() => parseProbe(probe([])), /neither a video nor an audio stream/);
    assertInputError(() => parseProbe({ format: { format_name: 'matroska,webm', duration: '2.0' } }), /neither a video nor an audio stream/);
    assertInputError(() => parseProbe(probe([
      { index: 0, codec_name: 'subrip', codec_type: 'subtitle' },
      { index: 1, codec_name: 'bin_data', codec_type: 'data' },
    ], { format_name: 'matroska,webm' })), /neither a video nor an audio stream/);
  });

  test('cover art alone is not a video', () => {
    assertInputError(() => parseProbe(probe([videoStream({ codec_name: 'mjpeg', disposition: disposition(1) })])), /neither a video nor an audio stream/);
  });

  test('zero or missing duration everywhere: InputError', () => {
    assertInputError(() => parseProbe(probe([videoStream({ duration: '0.000000' }), audioStream({ duration: 'N/A' })], { duration: '0.000000' })), /no duration/);
    assertInputError(() => parseProbe(probe([videoStream({ duration: undefined }), audioStream({ duration: undefined })], { duration: undefined })), /no duration/);
  });

  test('a video stream without a frame size, an audio stream without channels: corrupt', () => {
    assertInputError(() => parseProbe(probe([videoStream({ width: 0, height: 0 })])), /no frame size/);
    assertInputError(() => parseProbe(probe([audioStream({ channels: 0 })])), /no channels or sample rate/);
  });

  test('output that is not ffprobe JSON: InputError, not a crash', () => {
    assertInputError(() => parseProbe({}), /ffprobe could not describe the source/);
    assertInputError(() => parseProbe(null), /ffprobe could not describe the source/);
    assertInputError(() => parseProbe({ streams: 'x', format: { format_name: 'mp4' } }), /ffprobe could not describe the source/);
  });
});

describe('codec lists', () => {
  test('the accepted source codecs', () => {
    for (const c of ['h264', 'hevc', 'vp9', 'av1', 'mpeg2video', 'prores']) assert.ok(isSupportedVideoCodec(c), c);
    for (const c of ['cinepak', 'mjpegb', 'png', 'rawvideo', '']) assert.ok(!isSupportedVideoCodec(c), c);
    for (const c of ['aac', 'mp3', 'opus', 'pcm_s16le', 'pcm_f32be', 'adpcm_swf']) assert.ok(isSupportedAudioCodec(c), c);
    for (const c of ['adpcm_ima_wav', 'gsm', 'pcm', '']) assert.ok(!isSupportedAudioCodec(c), c);
  });
});

// --- rationals -----------------------------------------------------------------------------------------

describe('rational helpers', () => {
  test('parseRational', () => {
    assert.deepEqual(parseRational('30000/1001'), { num: 30000, den: 1001 });
    assert.deepEqual(parseRational('25'), { num: 25, den: 1 });
    assert.deepEqual(parseRational('16:15', ':'), { num: 16, den: 15 });
    for (const bad of [undefined, '', '0/0', '0/1', '30/0', '-30/1', 'abc', 'N/A', '1/x']) assert.equal(parseRational(bad), undefined, String(bad));
  });

  test('toNumber, formatRational, reduce', () => {
    assert.equal(toNumber({ num: 30000, den: 1001 }), 30000 / 1001);
    assert.equal(formatRational({ num: 30000, den: 1001 }), '30000/1001');
    assert.equal(formatRational({ num: 25, den: 1 }), '25');
    assert.deepEqual(reduce({ num: 60000, den: 2002 }), { num: 30000, den: 1001 });
    assert.deepEqual(reduce({ num: 90, den: 3 }), { num: 30, den: 1 });
    assert.deepEqual(reduce({ num: 7, den: 5 }), { num: 7, den: 5 });
  });

  test('capFrameRate divides by the smallest integer that reaches the cap', () => {
    assert.deepEqual(capFrameRate({ num: 60000, den: 1001 }, 30), { num: 30000, den: 1001 });
    assert.deepEqual(capFrameRate({ num: 60, den: 1 }, 30), { num: 30, den: 1 });
    assert.deepEqual(capFrameRate({ num: 50, den: 1 }, 30), { num: 25, den: 1 });
    assert.deepEqual(capFrameRate({ num: 120, den: 1 }, 30), { num: 30, den: 1 });
    assert.deepEqual(capFrameRate({ num: 100, den: 1 }, 30), { num: 25, den: 1 });
    assert.deepEqual(capFrameRate({ num: 30, den: 1 }, 30), { num: 30, den: 1 }, 'exactly at the cap: unchanged');
    const same = { num: 24000, den: 1001 };
    assert.equal(capFrameRate(same, 60), same, 'below the cap: the same object');
  });

  test('snapFrameRate snaps within 3 %, else keeps three decimals', () => {
    assert.deepEqual(snapFrameRate({ num: 2997, den: 100 }), { num: 30000, den: 1001 });
    assert.deepEqual(snapFrameRate({ num: 5994, den: 100 }), { num: 60000, den: 1001 });
    assert.deepEqual(snapFrameRate({ num: 1001, den: 40 }), { num: 25, den: 1 });
    assert.deepEqual(snapFrameRate({ num: 47, den: 2 }), { num: 24000, den: 1001 });
    assert.deepEqual(snapFrameRate({ num: 12, den: 1 }), { num: 12, den: 1 });
    assert.deepEqual(snapFrameRate({ num: 1000, den: 77 }), { num: 12987, den: 1000 });
  });
});
