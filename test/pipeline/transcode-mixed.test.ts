// The mixed H.264 + HEVC ladder with real ffmpeg (x264, x265, zscale) on generated sources:
// - a 1440p source: H.264 stops at 1080p, HEVC reaches 1440p, nothing upscaled, and the asset
//   passes the Apple-rule checks (CODECS per variant against the streams, VIDEO-RANGE, bandwidths,
//   keyframe-aligned segments) with the MPD holding one video AdaptationSet per codec;
// - a 10-bit PQ source: the HEVC rungs stay HDR (Main 10, PQ in the stream, VIDEO-RANGE=PQ, the
//   DASH descriptors), the H.264 rungs are tone-mapped BT.709 SDR that is not washed out, and the
//   same job in chunks makes the same asset, its HEVC rendition decoding cleanly across the seam;
// - without the option a PQ source becomes honest SDR: tone-mapped and tagged BT.709;
// - probe shows what it would do.
// Sources are as small as their point allows: the 1440p one has 2 frames a second (x264 and x265
// at 1080p and 1440p cost by the frame), the PQ one, shared, is 320x180; nothing here looks at
// loudness, so no encode spends an ffmpeg pass on it. The CLI runs through main() in this process
// (the assets and output are the point; the process around it is transcode-cli.test.ts's): each
// run saves a Node start-up.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAlignedKeyframeSegments, assertCompleteAsset, assertIframePlaylists, assertMpdMatchesHls, assertVariantBandwidths, assertVariantsMatchStreams,
  concatTrack, loadAsset, meanSignalStat, trackFiles, videoVariants, type LoadedAsset,
} from '../helpers/asset-checks.ts';
import { assertEquivalent } from '../helpers/chunk-equivalence.ts';
import type { SourceInfo, VideoRendition } from '../../src/media/types.ts';
import { ffmpeg, ffprobeJson, makeHdr, makeTempDir, makeTestPattern, sdrPatternFilter, writeLadder, type TempDir } from '../helpers/media.ts';
import { cliInProcess, runCliInProcess } from '../helpers/cli-in-process.ts';

describe('mixed H.264 + HEVC ladder (--mixed-hevc)', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let scratch: string;
  /** 4 s of 10-bit PQ, 320x180: the source of every PQ test. */
  let pq: string;
  let pqLadder: string;
  let naiveMemo: Promise<number> | undefined;
  /** The PQ source's code values shown as SDR, as an encode without tone mapping would: the washed-out picture. */
  const naiveColour = (): Promise<number> => (naiveMemo ??= meanSignalStat(pq, scratch, 'SATAVG', 'format=yuv420p,'));

  before(async () => {
    tmp = await makeTempDir('live2vod-mixed-');
    scratch = path.join(tmp.dir, 'scratch');
    await mkdir(scratch);
    pq = await makeHdr(tmp.dir, { seconds: 4, width: 320, height: 180 });
    pqLadder = await writeLadder(tmp.dir, 'pq', [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }]);
  });
  after(() => tmp?.cleanup());

  const transcode = async (source: string, name: string, ladder: string, extra: string[]): Promise<LoadedAsset> => {
    const out = path.join(tmp.dir, name);
    await runCliInProcess(['transcode', source, '--out', out, '--ladder', ladder, '--preset', 'ultrafast', '--no-loudnorm', '--json', ...extra]);
    return loadAsset(out);
  };

  /** The first segment of a variant's rendition, probed: what its stream really is. */
  const streamOf = async (asset: LoadedAsset, uri: string) => {
    const file = await concatTrack(await trackFiles(asset, uri), scratch, `probe-${path.basename(asset.dir)}-${uri.split('/')[1]}.mp4`, [0]);
    const stream = (await ffprobeJson(file, ['-show_streams'])).streams?.[0];
    assert.ok(stream, `${uri}: a stream`);
    return { file, stream };
  };

  test('1440p source: H.264 up to 1080p, HEVC up to 1440p, one master and one MPD that pass the Apple-rule checks', async () => {
    // 2 fps: the size is the point, not the rate.
    const source = await makeTestPattern(tmp.dir, { seconds: 2, width: 2560, height: 1440, rate: 2, audio: 'sine', name: 'src-1440p.mp4' });
    const ladder = await writeLadder(tmp.dir, 'three', [
      { width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 30 },
      { width: 1920, height: 1080, bitrateKbps: 6000, maxFrameRate: 30 },
      { width: 2560, height: 1440, bitrateKbps: 12000, maxFrameRate: 30 },
    ]);
    const asset = await transcode(source, 'mixed-1440p', ladder, ['--chunk-seconds', '0', '--segment', '2', '--no-download', '--no-quality', '--no-thumbnails', '--mixed-hevc']);
    const variants = videoVariants(asset).map((v) => `${v.attributes.CODECS?.slice(0, 4)} ${v.attributes.RESOLUTION} ${v.attributes['VIDEO-RANGE']}`);
    assert.deepEqual([...variants].sort(), [
      'avc1 1920x1080 SDR', 'avc1 640x360 SDR', 'hvc1 1920x1080 SDR', 'hvc1 2560x1440 SDR', 'hvc1 640x360 SDR',
    ]);
    await assertCompleteAsset(asset);
    await assertVariantsMatchStreams(asset, scratch);
    assertMpdMatchesHls(asset);
    await assertVariantBandwidths(asset, 0.1);
    await assertAlignedKeyframeSegments(asset, scratch, 2, 1 / 2);
    await assertIframePlaylists(asset, scratch, 2);
    const sets = new Map<string, Set<string>>();
    for (const rep of asset.mpd.representations.filter((r) => r.contentType === 'video')) sets.set(rep.adaptationSet, new Set([...(sets.get(rep.adaptationSet) ?? []), rep.codecs.slice(0, 4)]));
    assert.deepEqual([...sets.values()].map((codecs) => [...codecs]).sort(), [['avc1'], ['hvc1']], 'one video AdaptationSet per codec');
    for (const variant of videoVariants(asset).filter((v) => v.uri.startsWith('video/hevc-'))) {
      const { stream } = await streamOf(asset, variant.uri);
      assert.equal(stream.codec_tag_string, 'hvc1');
      assert.equal(stream.profile, 'Main', `${variant.uri}: an SDR source makes 8-bit HEVC`);
    }
  });

  test('10-bit PQ source, whole and in 2 s chunks: HEVC rungs PQ Main 10, H.264 rungs tone-mapped SDR; the chunked asset equals the whole one', async () => {
    // One rung: an H.264 rendition and an HEVC one, each kind once.
    const common = ['--segment', '2', '--no-thumbnails', '--no-download'];
    const whole = await transcode(pq, 'hdr-whole', pqLadder, [...common, '--chunk-seconds', '0', '--mixed-hevc']);
    const chunked = await transcode(pq, 'hdr-chunked', pqLadder, [...common, '--chunk-seconds', '2', '--parallel', '2', '--no-quality', '--mixed-hevc']);
    // The sampled quality compares each rendition with the source made the same way (tone-mapped
    // for H.264, 10-bit PQ for HEVC): what encoding lost, not what tone mapping changed.
    assert.equal(whole.manifest.renditions.length, 2);
    for (const r of whole.manifest.renditions) assert.ok((r.quality?.ssim ?? 0) > 0.9, `${r.id}: SSIM ${r.quality?.ssim} against its own kind of reference`);
    for (const asset of [whole, chunked]) {
      await assertCompleteAsset(asset);
      await assertVariantsMatchStreams(asset, scratch);
      assertMpdMatchesHls(asset);
    }
    // RFC 8216 rounds EXTINF to the nearest integer: AAC segments of 2.005 s say 2, as the video does.
    const targets = [...whole.playlists.values()].filter((p) => !p.iframesOnly).map((p) => p.targetDuration);
    assert.deepEqual([...new Set(targets)], [2], 'audio and video playlists share one TARGETDURATION');
    // Same segments, fragments at the same decode times, every frame once: x265 chunks share one hvcC.
    await assertEquivalent(whole, chunked, scratch, 120);

    const reference = path.join(tmp.dir, 'sdr-reference.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=4', '-vf', sdrPatternFilter, '-c:v', 'libx264', '-qp', '0', reference]);
    const referenceColour = await meanSignalStat(reference, scratch, 'SATAVG');
    const naive = await naiveColour();
    assert.ok(naive < 0.35 * referenceColour, `the oracle tells washed out from right: naive ${naive} vs ${referenceColour}`);

    for (const asset of [whole, chunked]) {
      const variants = videoVariants(asset);
      assert.deepEqual(variants.map((v) => `${v.uri.split('/')[1]} ${v.attributes['VIDEO-RANGE']}`).sort(), ['180p-300k SDR', 'hevc-180p-195k PQ']);
      for (const variant of variants) {
        const { stream } = await streamOf(asset, variant.uri);
        if (variant.uri.startsWith('video/hevc-')) {
          assert.deepEqual([stream.profile, stream.pix_fmt, stream.color_transfer, stream.color_primaries, stream.color_space], ['Main 10', 'yuv420p10le', 'smpte2084', 'bt2020', 'bt2020nc'], variant.uri);
          assert.match(variant.attributes.CODECS ?? '', /^hvc1\.2\./, `${variant.uri}: Main 10 in CODECS`);
        } else {
          assert.deepEqual([stream.profile?.includes('Baseline') || stream.profile === 'High', stream.pix_fmt, stream.color_transfer, stream.color_primaries], [true, 'yuv420p', 'bt709', 'bt709'], variant.uri);
        }
      }
      const hevcSet = asset.mpd.representations.find((r) => r.id === 'hevc-180p-195k');
      assert.ok(hevcSet?.descriptors.some((d) => d.element === 'EssentialProperty' && d.schemeIdUri === 'urn:mpeg:mpegB:cicp:TransferCharacteristics' && d.value === '16'), 'DASH: PQ as an EssentialProperty');
      assert.deepEqual(asset.mpd.representations.find((r) => r.id === '180p-300k')?.descriptors, [], 'DASH: the H.264 set is plain SDR');
    }
    // The whole HEVC rendition of the chunked asset decodes without a single error across the seam at 2 s.
    const hevc = await concatTrack(await trackFiles(chunked, 'video/hevc-180p-195k/playlist.m3u8'), scratch, 'hevc-chunked-all.mp4');
    assert.equal(await ffmpeg(['-xerror', '-i', hevc, '-f', 'null', '-'], { loglevel: 'error' }), '', 'no decode errors');
    const sdr = await concatTrack(await trackFiles(chunked, 'video/180p-300k/playlist.m3u8'), scratch, 'sdr-chunked-all.mp4');
    const colour = await meanSignalStat(sdr, scratch, 'SATAVG');
    assert.ok(colour > 0.45 * referenceColour, `the H.264 rendition is tone-mapped, not washed out: colour ${colour} vs reference ${referenceColour} (naive ${naive})`);
  });

  test('HLG source: HEVC rungs HLG (VIDEO-RANGE=HLG, BT.2020-compatible DASH descriptors), H.264 SDR', async () => {
    const source = await makeHdr(tmp.dir, { seconds: 2, width: 320, height: 180, transfer: 'arib-std-b67' });
    const ladder = await writeLadder(tmp.dir, 'small', [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }]);
    const asset = await transcode(source, 'hlg', ladder, ['--chunk-seconds', '0', '--no-thumbnails', '--no-download', '--no-quality', '--mixed-hevc']);
    await assertCompleteAsset(asset);
    await assertVariantsMatchStreams(asset, scratch);
    assertMpdMatchesHls(asset);
    assert.deepEqual(videoVariants(asset).map((v) => `${v.uri.split('/')[1]} ${v.attributes['VIDEO-RANGE']}`), ['180p-300k SDR', 'hevc-180p-195k HLG']);
    const { stream } = await streamOf(asset, 'video/hevc-180p-195k/playlist.m3u8');
    assert.deepEqual([stream.profile, stream.color_transfer], ['Main 10', 'arib-std-b67']);
  });

  test('probe --json shows the source as PQ and the mixed ladder with its encoders and ranges; --mixed-hevc needs codec h264', async () => {
    const { stdout } = await runCliInProcess(['probe', pq, '--json', '--mixed-hevc']);
    const out = JSON.parse(stdout) as { source: SourceInfo; plan: { video: VideoRendition[] } };
    assert.equal(out.source.video?.colorTransfer, 'smpte2084');
    assert.deepEqual(out.plan.video.map((r) => [r.codec, r.encoder ?? null, r.hdr ?? null]), [['h264', null, null], ['hevc', 'libx265', 'pq']]);
    const refused = await cliInProcess(['probe', pq, '--codec', 'hevc', '--mixed-hevc']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--mixed-hevc adds HEVC rungs to an H\.264 ladder: drop --codec hevc/);
  });

  test('without the option a PQ source becomes SDR everywhere: tone-mapped, tagged BT.709, VIDEO-RANGE=SDR', async () => {
    const naive = await naiveColour();
    for (const codec of ['h264', 'hevc']) {
      const asset = await transcode(pq, `hdr-plain-${codec}`, pqLadder, ['--codec', codec, '--chunk-seconds', '0', '--no-thumbnails', '--no-download', '--no-quality']);
      await assertVariantsMatchStreams(asset, scratch);
      const [variant] = videoVariants(asset);
      assert.ok(variant);
      assert.equal(variant.attributes['VIDEO-RANGE'], 'SDR');
      const { stream } = await streamOf(asset, variant.uri);
      assert.deepEqual([stream.pix_fmt, stream.color_transfer, stream.color_primaries], ['yuv420p', 'bt709', 'bt709'], codec);
      const file = await concatTrack(await trackFiles(asset, variant.uri), scratch, `plain-${codec}.mp4`);
      assert.ok(await meanSignalStat(file, scratch, 'SATAVG') > 2 * naive, `${codec}: more colour than PQ shown as SDR`);
    }
  });
});
