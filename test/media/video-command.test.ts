// The single video ffmpeg command: one guarded input, one filter graph with one split feeding every
// rendition plus the sprite and poster branches, one fragmented-MP4 output per rendition. Pure.

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { formatCommand } from '../../src/ffmpeg/run-process.ts';
import { encoders } from '../../src/media/encoders/registry.ts';
import { videoFmp4Args } from '../../src/media/fmp4-output.ts';
import { allowedDemuxers } from '../../src/media/input-args.ts';
import type { TranscodePlan } from '../../src/media/plan.ts';
import type { Rational, SourceInfo, SourceVideo, VideoRendition } from '../../src/media/types.ts';
import { buildVideoCommand, buildVideoFilterGraph } from '../../src/media/video-command.ts';

// --- fixtures ----------------------------------------------------------------------------------------

function sourceVideo(overrides: Partial<SourceVideo> = {}): SourceVideo {
  return {
    index: 0, codec: 'h264', width: 1920, height: 1080, sampleAspectRatio: { num: 1, den: 1 }, rotation: 0,
    displayWidth: 1920, displayHeight: 1080, frameRate: { num: 60, den: 1 }, variableFrameRate: false,
    interlaced: false, startTime: 0, ...overrides,
  };
}

function rung(height: number, kbps: number, frameRate: Rational): VideoRendition {
  const width = Math.round((height * 16) / 9 / 2) * 2;
  return { id: `${height}p-${kbps}k`, codec: 'h264', width, height, frameRate, bitrateKbps: kbps, maxrateKbps: kbps, bufsizeKbps: kbps * 2, crf: 23 };
}

function makePlan(options: { video?: SourceVideo; renditions: VideoRendition[]; thumbs?: boolean; poster?: boolean; deinterlace?: boolean; duration?: number }): TranscodePlan {
  const video = options.video ?? sourceVideo();
  const source: SourceInfo = { formatName: 'mov,mp4,m4a,3gp,3g2,mj2', duration: options.duration ?? 60, sizeBytes: 1_000_000, video };
  const plan: TranscodePlan = { source, video: options.renditions, encoder: 'libx264', gopSeconds: 2, segmentSeconds: 6, deinterlace: options.deinterlace ?? false };
  if (options.thumbs ?? true) plan.thumbnails = { intervalSeconds: 2, width: 160, height: 90, columns: 10, rows: 10 };
  if (options.poster ?? true) plan.poster = { candidates: 12, width: 1280, height: 720 };
  return plan;
}

const r30: Rational = { num: 30, den: 1 };
const r60: Rational = { num: 60, den: 1 };
const threeRungs = [rung(360, 365, r30), rung(720, 3000, r60), rung(1080, 6000, r60)];

/** Output file names: the argument after each output's `-movflags …` or image2 `-start_number 0`. */
function outputsOf(command: string[]): string[] {
  const outputs: string[] = [];
  command.forEach((arg, i) => {
    // An output file follows the muxer's last option: -movflags <flags> for MP4, -start_number <n> for images.
    if ((arg === '-movflags' && command.slice(0, i).lastIndexOf('-f') >= i - 4) || arg === '-start_number') outputs.push(command[i + 2] ?? '');
  });
  return outputs;
}

/** The argument block of the output that maps `label`, from its -map up to and including the file name. */
function outputBlock(command: string[], label: string): string[] {
  const start = command.findIndex((a, i) => a === '-map' && command[i + 1] === label);
  assert.ok(start >= 0, `an output maps ${label}`);
  const nextMap = command.indexOf('-map', start + 2);
  return command.slice(start, nextMap < 0 ? undefined : nextMap);
}

// --- the filter graph ----------------------------------------------------------------------------------

describe('buildVideoFilterGraph', () => {
  test('golden: 3 renditions + thumbnails + poster from a progressive 1080p60 source', () => {
    assert.equal(buildVideoFilterGraph(makePlan({ renditions: threeRungs })), [
      '[0:0]fps=60,split=5[s0][s1][s2][s3][s4]',
      '[s0]fps=30,scale=640:360:flags=bicubic,setsar=1,format=yuv420p[v0]',
      '[s1]scale=1280:720:flags=bicubic,setsar=1,format=yuv420p[v1]',
      '[s2]scale=1920:1080:flags=bicubic,setsar=1,format=yuv420p[v2]',
      // Single pictures from the first frame on (tiled after the encode): see video-command.ts.
      "[s3]select='lt(mod(t+0.004167,2.000000),0.016667)',scale=160:90,setsar=1,entropy,metadata=mode=print:file=sprite-scores.txt[thumbs]",
      "[s4]select='lt(mod(t+0.004167,5.000000),0.016667)',scale=1280:720,setsar=1,entropy,metadata=mode=print:file=poster-scores.txt[poster]",
    ].join(';'));
  });

  test('exactly one split, with one output per rendition, thumbnail and poster branch', () => {
    for (const [thumbs, poster, extra] of [[true, true, 2], [true, false, 1], [false, true, 1], [false, false, 0]] as const) {
      for (const count of [1, 2, 5]) {
        const renditions = Array.from({ length: count }, (_, i) => rung(360 + 180 * i, 500 * (i + 1), r60));
        const graph = buildVideoFilterGraph(makePlan({ renditions, thumbs, poster }));
        const splits = graph.match(/split=(\d+)((?:\[s\d+\])+)/g) ?? [];
        assert.equal(splits.length, 1, graph);
        const branches = count + extra;
        assert.ok(graph.includes(`split=${branches}${Array.from({ length: branches }, (_, i) => `[s${i}]`).join('')}`), graph);
        // Every split output is consumed exactly once, every rendition label produced exactly once.
        for (let i = 0; i < branches; i++) assert.equal(graph.split(`[s${i}]`).length - 1, 2, `[s${i}] in ${graph}`);
        for (let i = 0; i < count; i++) assert.equal(graph.split(`[v${i}]`).length - 1, 1);
        assert.equal(graph.includes('[thumbs]'), thumbs);
        assert.equal(graph.includes('[poster]'), poster);
        assert.equal(graph.split(';').length, 1 + branches);
        assert.equal((graph.match(/\[0:/g) ?? []).length, 1, 'the source is decoded once');
      }
    }
  });

  test('rungs that differ only in bitrate share one scale and split after it (Apple ladder: two 720p, two 1080p)', () => {
    const renditions = [rung(360, 365, r30), rung(720, 3000, r60), rung(720, 4500, r60), rung(1080, 6000, r60), rung(1080, 7800, r60), rung(720, 2000, r30)];
    const graph = buildVideoFilterGraph(makePlan({ renditions, thumbs: false, poster: false }));
    assert.deepEqual(graph.split(';'), [
      '[0:0]fps=60,split=4[s0][s1][s2][s3]',
      '[s0]fps=30,scale=640:360:flags=bicubic,setsar=1,format=yuv420p[v0]',
      '[s1]scale=1280:720:flags=bicubic,setsar=1,format=yuv420p,split=2[v1][v2]',
      '[s2]scale=1920:1080:flags=bicubic,setsar=1,format=yuv420p,split=2[v3][v4]',
      '[s3]fps=30,scale=1280:720:flags=bicubic,setsar=1,format=yuv420p[v5]',
    ], 'a 720p rung at a lower rate is its own picture');
  });

  test('a rate cap only on branches below the source rate (59.94 source)', () => {
    const ntsc60: Rational = { num: 60000, den: 1001 };
    const ntsc30: Rational = { num: 30000, den: 1001 };
    const plan = makePlan({ video: sourceVideo({ frameRate: ntsc60 }), renditions: [rung(360, 365, ntsc30), rung(540, 2000, ntsc60), rung(720, 3000, ntsc60)], thumbs: false, poster: false });
    const chains = buildVideoFilterGraph(plan).split(';');
    assert.equal(chains[0], '[0:0]fps=60000/1001,split=3[s0][s1][s2]');
    assert.equal(chains[1], '[s0]fps=30000/1001,scale=640:360:flags=bicubic,setsar=1,format=yuv420p[v0]');
    assert.ok(!chains[2]?.includes('fps='), chains[2]);
    assert.ok(!chains[3]?.includes('fps='), chains[3]);
  });

  test('a source at or under every rung rate gets no per-branch fps filter', () => {
    const plan = makePlan({ video: sourceVideo({ frameRate: { num: 25, den: 1 } }), renditions: threeRungs.map((r) => ({ ...r, frameRate: { num: 25, den: 1 } })), thumbs: false, poster: false });
    const graph = buildVideoFilterGraph(plan);
    assert.equal(graph.split('fps=').length - 1, 1, graph);
    assert.ok(graph.startsWith('[0:0]fps=25,split=3'));
  });

  test('bwdif only when the plan deinterlaces, and before the rate conversion', () => {
    const progressive = buildVideoFilterGraph(makePlan({ renditions: threeRungs }));
    assert.ok(!progressive.includes('bwdif'));
    const interlaced = buildVideoFilterGraph(makePlan({ video: sourceVideo({ interlaced: true, frameRate: { num: 30000, den: 1001 } }), renditions: [rung(360, 365, { num: 30000, den: 1001 })], deinterlace: true }));
    assert.ok(interlaced.startsWith('[0:0]bwdif=mode=send_frame:parity=auto:deint=interlaced,fps=30000/1001,split=3[s0][s1][s2];'), interlaced);
    assert.equal(interlaced.split('bwdif').length - 1, 1);
  });

  test('the graph reads the real video stream index, past cover art', () => {
    const graph = buildVideoFilterGraph(makePlan({ video: sourceVideo({ index: 2 }), renditions: threeRungs }));
    assert.ok(graph.startsWith('[0:2]fps=60,'), graph);
  });

  test('poster candidates spread over the duration; never zero', () => {
    const interval = (duration: number) => /\[s\d+\]select='lt\(mod\(t\+[\d.]+,([\d.]+)\),[\d.]+\)',scale=1280:720/.exec(buildVideoFilterGraph(makePlan({ renditions: threeRungs, duration })))?.[1];
    assert.equal(interval(60), '5.000000');
    assert.equal(interval(3600), '300.000000');
    assert.equal(interval(0.5), '0.083333', 'under a second counts as one second');
    assert.equal(interval(100_000), '1000.000000', 'at most one candidate per 1000 s');
  });

  test('without a video stream there is no graph', () => {
    const plan = makePlan({ renditions: threeRungs });
    delete plan.source.video;
    assert.throws(() => buildVideoFilterGraph(plan), /no video stream/);
    assert.throws(() => buildVideoCommand('ffmpeg', '/in.mp4', plan), /needs a video source/);
    assert.throws(() => buildVideoCommand('ffmpeg', '/in.mp4', makePlan({ renditions: [] })), /needs a video source and renditions/);
  });
});

// --- the command ------------------------------------------------------------------------------------

describe('buildVideoCommand', () => {
  test('golden: one rendition + thumbnails + poster', () => {
    const plan = makePlan({ video: sourceVideo({ frameRate: r30 }), renditions: [rung(720, 3000, r30)], duration: 60 });
    assert.deepEqual(buildVideoCommand('/usr/bin/ffmpeg', '/data/in/event 2024.mp4', plan), [
      '/usr/bin/ffmpeg',
      '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
      '-progress', 'pipe:1', '-nostats',
      '-protocol_whitelist', 'file',
      '-format_whitelist', 'mov,mp4,m4a,3gp,3g2,mj2,flv,live_flv,mpegts,matroska,webm,avi,mxf,asf,wav,w64,mp3,aac,ogg,flac,caf',
      '-i', 'file:/data/in/event 2024.mp4',
      '-filter_complex', [
        '[0:0]fps=30,split=3[s0][s1][s2]',
        '[s0]scale=1280:720:flags=bicubic,setsar=1,format=yuv420p[v0]',
        "[s1]select='lt(mod(t+0.008333,2.000000),0.033333)',scale=160:90,setsar=1,entropy,metadata=mode=print:file=sprite-scores.txt[thumbs]",
        "[s2]select='lt(mod(t+0.008333,5.000000),0.033333)',scale=1280:720,setsar=1,entropy,metadata=mode=print:file=poster-scores.txt[poster]",
      ].join(';'),
      '-map', '[v0]',
      '-c:v', 'libx264', '-profile:v', 'high', '-preset', 'veryfast', '-crf', '23', '-maxrate', '3000k', '-bufsize', '6000k',
      '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)', '-forced-idr', '1',
      '-x264-params', 'open-gop=0:scenecut=0:stitchable=1', '-pix_fmt', 'yuv420p',
      '-map_metadata', '-1',
      '-f', 'mp4', '-flush_packets', '1', '-movflags', '+frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets',
      'video-720p-3000k.mp4',
      '-map', '[thumbs]', '-c:v', 'mjpeg', '-q:v', '2', '-fps_mode', 'passthrough', '-f', 'image2', '-start_number', '0', 'thumb-%05d.jpg',
      '-map', '[poster]', '-c:v', 'mjpeg', '-q:v', '2', '-fps_mode', 'passthrough', '-f', 'image2', '-start_number', '0', 'poster-%03d.jpg',
    ]);
  });

  test('one -filter_complex, one input, one output per rendition, each a fragmented MP4', () => {
    const plan = makePlan({ renditions: threeRungs });
    const command = buildVideoCommand('ffmpeg', '/data/in.flv', plan);
    assert.equal(command.filter((a) => a === '-filter_complex').length, 1);
    assert.equal(command.filter((a) => a === '-i').length, 1);
    assert.deepEqual(outputsOf(command), ['video-360p-365k.mp4', 'video-720p-3000k.mp4', 'video-1080p-6000k.mp4', 'thumb-%05d.jpg', 'poster-%03d.jpg']);
    for (const [i, r] of threeRungs.entries()) {
      const block = outputBlock(command, `[v${i}]`);
      assert.deepEqual(block.slice(-videoFmp4Args.length - 1, -1), [...videoFmp4Args], `${r.id} is fragmented MP4`);
      assert.equal(block.at(-1), `video-${r.id}.mp4`);
      assert.deepEqual(block.slice(-videoFmp4Args.length - 3, -videoFmp4Args.length - 1), ['-map_metadata', '-1']);
      // The encoder settings of this very rendition (GOP frames at its own rate).
      const expected = encoders.libx264.videoArgs(r, { seconds: 2, frames: r.frameRate.num === 30 ? 60 : 120 }, {});
      assert.deepEqual(block.slice(2, 2 + expected.length), expected);
    }
    assert.ok(videoFmp4Args.includes('+frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets'));
    // Every output name is distinct and relative (the command runs in the scratch directory).
    const outputs = outputsOf(command);
    assert.equal(new Set(outputs).size, outputs.length);
    for (const name of outputs) assert.ok(!path.isAbsolute(name) && !name.includes('/'), name);
  });

  test('the encoder and preset of the plan are used for every rendition', () => {
    const plan = { ...makePlan({ renditions: threeRungs, thumbs: false, poster: false }), encoder: 'libx265' as const, encoderPreset: 'slow' };
    const command = buildVideoCommand('ffmpeg', '/in.mp4', plan);
    assert.equal(command.filter((a) => a === 'libx265').length, 3);
    assert.equal(command.filter((a) => a === 'libx264').length, 0);
    assert.equal(command.filter((a) => a === 'slow').length, 3);
    assert.deepEqual(outputsOf(command), ['video-360p-365k.mp4', 'video-720p-3000k.mp4', 'video-1080p-6000k.mp4']);
    assert.ok(!command.includes('mjpeg'));
  });

  test('the input is guarded: file protocol only, container whitelist, absolute file: path', () => {
    const command = buildVideoCommand('ffmpeg', 'relative/dir/in.mp4', makePlan({ renditions: threeRungs }));
    const input = command.indexOf('-i');
    assert.deepEqual(command.slice(input - 4, input), ['-protocol_whitelist', 'file', '-format_whitelist', allowedDemuxers.join(',')]);
    assert.equal(command[input + 1], `file:${path.resolve('relative/dir/in.mp4')}`);
    assert.ok(path.isAbsolute((command[input + 1] ?? '').slice('file:'.length)));
    for (const refused of ['hls', 'concat', 'image2', 'lavfi', 'applehttp', 'dash', 'tty', 'data']) {
      assert.ok(!allowedDemuxers.includes(refused), `${refused} must not be whitelisted`);
    }
    // Names that look like protocols stay file names.
    for (const trick of ['concat:a.mp4|b.mp4', 'http://example.com/x.mp4', 'pipe:0']) {
      const arg = buildVideoCommand('ffmpeg', trick, makePlan({ renditions: threeRungs }))[input + 1] ?? '';
      assert.ok(arg.startsWith(`file:${path.sep}`), arg);
    }
    // Guards come before -i: ffmpeg applies input options only to the input that follows them.
    assert.ok(command.indexOf('-protocol_whitelist') < input && command.indexOf('-format_whitelist') < input);
  });

  test('it is an argv array: hostile names stay one argument, nothing is shell-quoted or joined', () => {
    const hostile = "/data/in/$(touch pwned); rm -rf ~ && echo `id` | tee 'x' > y.mp4";
    const command = buildVideoCommand('ffmpeg', hostile, makePlan({ renditions: threeRungs }));
    assert.deepEqual(command.filter((a) => a.includes('pwned')), [`file:${hostile}`]);
    const graph = command[command.indexOf('-filter_complex') + 1] ?? '';
    for (const [i, arg] of command.entries()) {
      if (arg === `file:${hostile}`) continue;
      // No shell syntax: substitutions, pipes, redirections, chaining, quoting, globbing by a shell.
      // The graph's own quoting (a select expression holds commas) is filter syntax, not a shell's.
      const text = arg === graph ? arg.replace(/select='[^']*'/g, 'select') : arg;
      assert.doesNotMatch(text, /\$\(|`|\|\||&&|\||>|<|'|"|\\|\n/, `argument ${i}: ${arg}`);
      // `;` only separates filter chains inside the single filter graph argument.
      if (arg !== graph) assert.ok(!arg.includes(';'), `argument ${i}: ${arg}`);
      // No option glued to its value ("-c:v libx264" as one string) and no empty arguments.
      assert.ok(!/^-\S+ \S/.test(arg), `argument ${i} joins an option and its value: ${arg}`);
      assert.notEqual(arg, '');
    }
    // The copy-pasteable rendering quotes what a shell would otherwise interpret.
    assert.ok(formatCommand(command).includes(`'file:/data/in/$(touch pwned); rm -rf ~ && echo \`id\` | tee '\\''x'\\'' > y.mp4'`), formatCommand(command));
  });
});

describe('buildVideoCommand for a chunk', () => {
  const plan = makePlan({ video: sourceVideo({ frameRate: r30 }), renditions: [rung(720, 3000, r30)], duration: 30 });
  const chunk = (index: number, startFrame: number, endFrame: number | undefined) => ({
    index, startFrame, ...(endFrame === undefined ? {} : { endFrame }), startSeconds: startFrame / 30, endSeconds: endFrame === undefined ? 30 : endFrame / 30, firstGop: startFrame / 60, firstSegment: startFrame / 180 + 1,
  });

  test('reads from a grid point a second early and trims to its own frames on the constant-rate timeline', () => {
    const first = buildVideoCommand('ffmpeg', '/in.mp4', plan, chunk(0, 0, 360));
    const middle = buildVideoCommand('ffmpeg', '/in.mp4', plan, chunk(1, 360, 720));
    const last = buildVideoCommand('ffmpeg', '/in.mp4', plan, chunk(2, 720, undefined));
    const before = (command: string[]) => command.slice(command.indexOf('-nostats') + 1, command.indexOf('-protocol_whitelist'));
    const head = (command: string[]) => (command[command.indexOf('-filter_complex') + 1] ?? '').split(';')[0];
    assert.deepEqual(before(first), ['-t', '13.016667']);
    assert.equal(head(first), '[0:0]fps=30,trim=end_pts=360,split=3[s0][s1][s2]');
    // 30 frames of lead-in: the seek lands on frame 330 (11 s); after fps= a timestamp is a frame
    // number from there, so the trim keeps frames 30 to 389 of it: 360 to 719 of the recording.
    assert.deepEqual(before(middle), ['-ss', '11.000000', '-t', '14.016667']);
    assert.equal(head(middle), '[0:0]fps=30,trim=start_pts=30:end_pts=390,setpts=PTS-STARTPTS,split=3[s0][s1][s2]');
    assert.deepEqual(before(last), ['-ss', '23.000000']);
    assert.equal(head(last), '[0:0]fps=30,trim=start_pts=30,setpts=PTS-STARTPTS,split=3[s0][s1][s2]');
  });

  test('keyframes on the recording\'s grid; pictures picked by absolute time, one file each, not tiled', () => {
    const command = buildVideoCommand('ffmpeg', '/in.mp4', plan, chunk(1, 360, 720));
    assert.equal(command[command.indexOf('-force_key_frames') + 1], 'expr:gte(t+12.000000000,(n_forced+6)*2)');
    const graph = command[command.indexOf('-filter_complex') + 1] ?? '';
    assert.match(graph, /\[s1\]select='lt\(mod\(t\+12\.008333,2\.000000\),0\.033333\)',scale=160:90,setsar=1,entropy,metadata=mode=print:file=sprite-scores\.txt\[thumbs\]/);
    assert.match(graph, /\[s2\]select='lt\(mod\(t\+12\.008333,2\.500000\),0\.033333\)',scale=1280:720/);
    assert.doesNotMatch(graph, /tile=/);
    assert.deepEqual(outputBlock(command, '[thumbs]'), ['-map', '[thumbs]', '-c:v', 'mjpeg', '-q:v', '2', '-fps_mode', 'passthrough', '-f', 'image2', '-start_number', '0', 'thumb-%05d.jpg']);
    // The whole encode is unchanged by all this.
    assert.equal(buildVideoCommand('ffmpeg', '/in.mp4', plan)[buildVideoCommand('ffmpeg', '/in.mp4', plan).indexOf('-force_key_frames') + 1], 'expr:gte(t,n_forced*2)');
  });
});
