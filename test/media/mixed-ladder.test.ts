// The mixed H.264 + HEVC ladder without ffmpeg: which rungs each source gets (H.264 up to 1080p,
// HEVC up to the source, never upscaled), what an HDR source makes of them, the per-rendition
// encoder arguments and filter chains, and the multivariant playlist and MPD over such tracks,
// read back with the test helpers' own parsers. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { writeMpd } from '../../src/media/dash.ts';
import { colourArgs, dashColourDescriptors, hdrTransferOf, hlsVideoRange, toneMapChain } from '../../src/media/hdr.ts';
import { writeMultivariantPlaylist } from '../../src/media/hls.ts';
import { ladderPresets } from '../../src/media/ladder-presets.ts';
import { planTranscode, type PlanOptions } from '../../src/media/plan-transcode.ts';
import type { HdrTransfer, PackagedTrack, SourceInfo, SourceVideo } from '../../src/media/types.ts';
import { buildVideoCommand, buildVideoFilterGraph } from '../../src/media/video-command.ts';
import { codecList, dashRangeDescriptors, parseMaster, parseMpd } from '../helpers/asset-checks.ts';
import { audio, makeTrack } from '../helpers/packaged-tracks.ts';

function source(width: number, height: number, video: Partial<SourceVideo> = {}): SourceInfo {
  return {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2', duration: 60, sizeBytes: 1,
    video: {
      index: 0, codec: 'hevc', width, height, sampleAspectRatio: { num: 1, den: 1 }, rotation: 0, displayWidth: width, displayHeight: height,
      frameRate: { num: 30, den: 1 }, variableFrameRate: false, interlaced: false, startTime: 0, ...video,
    },
  };
}

const pq: Partial<SourceVideo> = { pixelFormat: 'yuv420p10le', colorTransfer: 'smpte2084', colorPrimaries: 'bt2020', colorSpace: 'bt2020nc' };

const options: PlanOptions = {
  codec: 'h264', encoder: 'libx264', rungs: ladderPresets.h264, defaultLanguage: 'en', loudness: false, audioBitrateKbps: 128,
  gopSeconds: 2, segmentSeconds: 6, thumbnails: false, mixedHevc: true,
};

const ids = (s: SourceInfo, o: Partial<PlanOptions> = {}) => planTranscode(s, { ...options, ...o }).video.map((r) => `${r.id} ${r.width}x${r.height}${r.encoder ? ` ${r.encoder}` : ''}${r.hdr ? ` ${r.hdr}` : ''}`);

describe('mixed ladder: which rungs', () => {
  test('4K source: H.264 up to 1080p, HEVC at every size up to 2160p, libx265 for HEVC only', () => {
    assert.deepEqual(ids(source(3840, 2160)), [
      '360p-365k 640x360', '432p-730k 768x432', '540p-2000k 960x540', '720p-3000k 1280x720', '720p-4500k 1280x720', '1080p-6000k 1920x1080', '1080p-7800k 1920x1080',
      'hevc-360p-235k 640x360 libx265', 'hevc-432p-475k 768x432 libx265', 'hevc-540p-1300k 960x540 libx265', 'hevc-720p-1950k 1280x720 libx265',
      'hevc-720p-2925k 1280x720 libx265', 'hevc-1080p-3900k 1920x1080 libx265', 'hevc-1080p-5070k 1920x1080 libx265', 'hevc-1440p-7800k 2560x1440 libx265',
      'hevc-2160p-13000k 3840x2160 libx265',
    ]);
  });

  test('1440p source: no H.264 above 1080p, HEVC tops out at the source size, nothing upscaled', () => {
    const plan = planTranscode(source(2560, 1440), options);
    const h264 = plan.video.filter((r) => r.codec === 'h264');
    const hevc = plan.video.filter((r) => r.codec === 'hevc');
    assert.equal(Math.max(...h264.map((r) => r.height)), 1080);
    assert.equal(Math.max(...hevc.map((r) => r.height)), 1440);
    assert.ok(plan.video.every((r) => r.width <= 2560 && r.height <= 1440));
    assert.equal(new Set(plan.video.map((r) => r.id)).size, plan.video.length, 'ids (directories) are unique');
    // The download plays everywhere: an H.264 rung.
    assert.ok(h264.some((r) => r.id === plan.downloadRenditionId));
  });

  test('a small source gets one rung of each codec at its own size; without the option nothing changes', () => {
    assert.deepEqual(ids(source(640, 360)), ['360p-365k 640x360', 'hevc-360p-235k 640x360 libx265']);
    assert.deepEqual(ids(source(640, 360), { mixedHevc: false }), ['360p-365k 640x360']);
  });

  test('a ladder file with only rungs above 1080p still leaves every device an H.264 rung', () => {
    const rungs = [{ width: 2560, height: 1440, bitrateKbps: 12000, maxFrameRate: 60 }];
    assert.deepEqual(ids(source(2560, 1440), { rungs }), ['1440p-12000k 2560x1440', 'hevc-1440p-7800k 2560x1440 libx265']);
  });
});

describe('mixed ladder: HDR', () => {
  test('a PQ source: HEVC rungs keep PQ, H.264 rungs are SDR and tone-mapped with zscale', () => {
    const plan = planTranscode(source(1920, 1080, pq), options);
    assert.deepEqual(plan.video.filter((r) => r.codec === 'hevc').map((r) => r.hdr), Array(7).fill('pq'));
    assert.ok(plan.video.filter((r) => r.codec === 'h264').every((r) => r.hdr === undefined));
    assert.equal(plan.toneMapper, 'zscale');
  });

  test('without the option an HDR source becomes SDR throughout, tone-mapped (not PQ pixels labelled SDR)', () => {
    const plan = planTranscode(source(1920, 1080, pq), { ...options, mixedHevc: false });
    assert.ok(plan.video.every((r) => r.hdr === undefined));
    assert.equal(plan.toneMapper, 'zscale');
    const graph = buildVideoFilterGraph(plan);
    assert.equal(graph.split('zscale=tin=smpte2084').length - 1, new Set(plan.video.map((r) => `${r.width}x${r.height}`)).size, 'every SDR picture is tone-mapped once');
    const command = buildVideoCommand('ffmpeg', 'in.mp4', plan);
    assert.equal(command.join(' ').split('-color_trc bt709').length - 1, plan.video.length, 'and tagged BT.709');
  });

  test('an SDR source is untouched: no tone mapping, no colour tags, 8-bit', () => {
    const plan = planTranscode(source(1920, 1080), options);
    assert.equal(plan.toneMapper, undefined);
    const command = buildVideoCommand('ffmpeg', 'in.mp4', plan).join(' ');
    assert.doesNotMatch(command, /zscale|-color_trc|yuv420p10le|main10/);
  });

  test('HLG is recognised; other transfers are SDR', () => {
    assert.equal(hdrTransferOf({ ...source(2, 2).video!, colorTransfer: 'arib-std-b67' }), 'hlg');
    assert.equal(hdrTransferOf({ ...source(2, 2).video!, colorTransfer: 'bt709' }), undefined);
    assert.equal(hdrTransferOf(source(2, 2).video!), undefined);
    assert.match(toneMapChain('hlg', 'zscale'), /^zscale=tin=arib-std-b67:/);
    assert.match(toneMapChain('pq', 'colorspace'), /^colorspace=all=bt709:/);
  });

  test('the HEVC HDR rendition: Main 10, 10-bit, BT.2020 + PQ tags, HDR10 SEI; the H.264 one: 8-bit BT.709', () => {
    const plan = planTranscode(source(1920, 1080, pq), { ...options, rungs: [{ width: 1920, height: 1080, bitrateKbps: 6000, maxFrameRate: 60 }], encoderPreset: 'ultrafast' });
    const command = buildVideoCommand('ffmpeg', 'in.mp4', plan);
    const block = (file: string): string => command.slice(0, command.indexOf(file) + 1).join(' ').split(' -map ').at(-1) ?? '';
    const hevc = block('video-hevc-1080p-3900k.mp4');
    assert.match(hevc, /-c:v libx265 -tag:v hvc1 -profile:v main10 -preset ultrafast /, 'libx265 gets the x264 preset name it shares');
    assert.match(hevc, /hdr10=1/);
    assert.match(hevc, /-pix_fmt yuv420p10le/);
    assert.match(hevc, /-color_primaries bt2020 -color_trc smpte2084 -colorspace bt2020nc/);
    const h264 = block('video-1080p-6000k.mp4');
    assert.match(h264, /-c:v libx264 .*-pix_fmt yuv420p -color_primaries bt709 -color_trc bt709 -colorspace bt709/);
    const graph = buildVideoFilterGraph(plan);
    assert.match(graph, /scale=1920:1080:flags=bicubic,setsar=1,format=yuv420p10le\[v1\]/);
    assert.match(graph, /scale=1920:1080:flags=bicubic,setsar=1,zscale=tin=smpte2084:.*tonemap=tonemap=hable.*format=yuv420p\[v0\]/);
  });
});

/** A packaged HEVC track of a mixed asset. */
function hevcTrack(id: string, height: number, peak: number, hdr?: HdrTransfer): PackagedTrack {
  const width = Math.round((height * 16) / 9 / 2) * 2;
  const track = makeTrack({ id, kind: 'video', durations: [6, 6, 1], peak, average: peak * 0.85, codec: hdr ? 'hvc1.2.4.L150.90' : 'hvc1.1.6.L150.90', width, height });
  track.rendition = { ...track.rendition!, codec: 'hevc', encoder: 'libx265', ...(hdr ? { hdr } : {}) };
  return track;
}

describe('mixed ladder: one master, one MPD', () => {
  const h264 = [
    makeTrack({ id: '360p-365k', kind: 'video', durations: [6, 6, 1], peak: 420_000, average: 365_000, codec: 'avc1.64001e', width: 640, height: 360 }),
    makeTrack({ id: '1080p-6000k', kind: 'video', durations: [6, 6, 1], peak: 6_900_000, average: 6_000_000, codec: 'avc1.640028', width: 1920, height: 1080 }),
  ];

  for (const hdr of [undefined, 'pq', 'hlg'] as const) {
    test(`HLS: CODECS per variant, VIDEO-RANGE ${hlsVideoRange(hdr ? { ...h264[0]!.rendition!, hdr } : undefined)} on HEVC, SDR on H.264, one audio group, no SUPPLEMENTAL-CODECS, an H.264 variant first`, () => {
      // The HEVC 1080p rung sits nearest the 2 Mb/s start; the start is still H.264.
      const hevc = [hevcTrack('hevc-1080p-2000k', 1080, 2_100_000, hdr), hevcTrack('hevc-2160p-13000k', 2160, 15_000_000, hdr)];
      const master = parseMaster(writeMultivariantPlaylist({ video: [...h264, ...hevc], audio }));
      assert.equal(master.variants.length, 5, 'four video variants and the audio-only one');
      assert.match(master.variants[0]?.attributes.CODECS ?? '', /^avc1\./);
      for (const variant of master.variants.filter((v) => v.attributes.RESOLUTION)) {
        const [video, sound] = codecList(variant.attributes);
        const isHevc = variant.uri.startsWith('video/hevc-');
        assert.equal(video?.slice(0, 4), isHevc ? 'hvc1' : 'avc1', variant.uri);
        assert.equal(sound, 'mp4a.40.2');
        assert.equal(variant.attributes.AUDIO, 'audio');
        assert.equal(variant.attributes['VIDEO-RANGE'], isHevc && hdr ? hdr.toUpperCase() : 'SDR', variant.uri);
        assert.equal(variant.attributes['SUPPLEMENTAL-CODECS'], undefined);
        assert.ok(variant.attributes.RESOLUTION && variant.attributes['FRAME-RATE'] && variant.attributes.BANDWIDTH && variant.attributes['AVERAGE-BANDWIDTH']);
      }
      for (const iframe of master.iframeVariants) {
        assert.equal(iframe['VIDEO-RANGE'], iframe.URI?.startsWith('video/hevc-') && hdr ? hdr.toUpperCase() : 'SDR');
      }
    });

    test(`DASH: one video AdaptationSet per codec, the HEVC one with the ${hdr ?? 'SDR'} descriptors`, () => {
      const hevc = [hevcTrack('hevc-1080p-3900k', 1080, 4_500_000, hdr)];
      const mpd = parseMpd(writeMpd({ video: [...h264, ...hevc], audio, duration: 13 }));
      const video = mpd.representations.filter((r) => r.contentType === 'video');
      const sets = [...new Set(video.map((r) => r.adaptationSet))];
      assert.equal(sets.length, 2);
      for (const set of sets) {
        const reps = video.filter((r) => r.adaptationSet === set);
        assert.equal(new Set(reps.map((r) => r.codecs.slice(0, 4))).size, 1, `set ${set}: one codec`);
        const isHevc = reps[0]?.codecs.startsWith('hvc1') === true;
        assert.deepEqual(reps[0]?.descriptors, isHevc ? dashRangeDescriptors(hdr?.toUpperCase()) : []);
      }
      const ids = [...new Set(mpd.representations.map((r) => r.adaptationSet))];
      assert.equal(ids.length, 3, 'two video sets and the audio set, each its own id');
    });
  }

  test('colour descriptors and tags for each range', () => {
    assert.deepEqual(dashColourDescriptors(undefined), []);
    assert.deepEqual(dashColourDescriptors('pq').map((d) => `${d.element} ${d.value}`), ['EssentialProperty 9', 'EssentialProperty 9', 'EssentialProperty 16']);
    const sdrFromHdr = colourArgs(h264[0]!.rendition!, { ...source(2, 2).video!, ...pq });
    assert.deepEqual(sdrFromHdr, ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv']);
  });
});
