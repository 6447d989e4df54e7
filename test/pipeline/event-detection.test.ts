// Pre-show, post-show and chapters found in the encode's own decode, with real ffmpeg on generated
// recordings, encoded whole and in chunks (the stitch merges the chunks' findings).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { ChapterEditError } from '../../src/media/event/chapter-edit.ts';
import { OutputDir } from '../../src/pipeline/output-dir.ts';
import { rewriteChapters } from '../../src/pipeline/event/rewrite-chapters.ts';
import { makeClip } from '../../src/pipeline/clip/make-clip.ts';
import { transcodeProfileSchema } from '../../src/jobs/transcode-profile.ts';
import { ffmpeg, makeTempDir, runCliOk, writeLadder, type TempDir } from '../helpers/media.ts';

const size = '320x180';
// 10 fps: the detection samples 4 pictures a second, and nothing here looks at the frame rate.
const rate = 10;

/** 15 s of black and silence, 35 s of moving picture and tone, 10 s of a frozen slide and silence. */
async function makeEventRecording(dir: string): Promise<string> {
  const out = path.join(dir, 'event.mp4');
  await ffmpeg([
    '-f', 'lavfi', '-i', `color=black:s=${size}:r=${rate}:d=15`,
    '-f', 'lavfi', '-i', `testsrc2=s=${size}:r=${rate}:d=35`,
    '-f', 'lavfi', '-i', `smptebars=s=${size}:r=${rate}:d=10`,
    '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo:d=15',
    '-f', 'lavfi', '-i', 'sine=f=440:r=48000:d=35',
    '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo:d=10',
    '-filter_complex', '[0:v][1:v][2:v]concat=n=3:v=1:a=0[v];[4:a]aformat=channel_layouts=stereo[tone];[3:a][tone][5:a]concat=n=3:v=0:a=1[a]',
    '-map', '[v]', '-map', '[a]', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(2 * rate), '-c:a', 'aac', out,
  ]);
  return out;
}

/** Four slides of 32 s (solid colours, still) over a steady tone: slide changes at 32, 64 and 96 s. */
async function makeSlideDeck(dir: string): Promise<string> {
  const out = path.join(dir, 'slides.mp4');
  const colours = ['navy', 'darkred', 'darkgreen', 'white'];
  await ffmpeg([
    ...colours.flatMap((c) => ['-f', 'lavfi', '-i', `color=${c}:s=${size}:r=${rate}:d=32`]),
    '-f', 'lavfi', '-i', 'sine=f=330:r=48000:d=128',
    '-filter_complex', `${colours.map((_, i) => `[${i}:v]`).join('')}concat=n=4:v=1:a=0[v]`,
    // 128k: a mono tone at AAC's default (69k) decodes with a noise floor that costs its re-encode 4× the CPU.
    '-map', '[v]', '-map', '4:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(2 * rate), '-c:a', 'aac', '-b:a', '128k', out,
  ]);
  return out;
}

describe('event detection in the encode', () => {
  let tmp: TempDir;
  let ladder: string;
  before(async () => {
    tmp = await makeTempDir('live2vod-event-');
    ladder = await writeLadder(tmp.dir, 'one', [{ width: 320, height: 180, bitrateKbps: 250, maxFrameRate: 30 }]);
  });
  after(() => tmp?.cleanup());

  const transcode = async (source: string, name: string, extra: string[]): Promise<{ dir: string; manifest: AssetManifest }> => {
    const dir = path.join(tmp.dir, name);
    await runCliOk(['transcode', source, '--out', dir, '--ladder', ladder, '--preset', 'ultrafast', '--json', ...extra]);
    return { dir, manifest: JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as AssetManifest };
  };

  test('60 s with 15 s of black and silence before and a 10 s frozen slide after: trim 15–50 s, whole and in chunks', async () => {
    const source = await makeEventRecording(tmp.dir);
    for (const [name, extra] of [['whole', ['--chunk-seconds', '0']], ['chunked', ['--chunk-seconds', '24', '--parallel', '2']]] as const) {
      // The trim comes from the encodes' own decode: thumbnails, download, quality and loudness are left out.
      const { manifest } = await transcode(source, name, [...extra, '--no-thumbnails', '--no-download', '--no-quality', '--no-loudnorm']);
      const trim = manifest.suggestedTrim;
      assert.ok(trim, `${name}: manifest.json has a suggested trim`);
      assert.ok(Math.abs(trim.start - 15) <= 0.5, `${name}: start ${trim.start}`);
      assert.ok(Math.abs(trim.end - 50) <= 0.5, `${name}: end ${trim.end}`);
      assert.equal(trim.why.length, 2, `${name}: ${trim.why.join('; ')}`);
      assert.match(trim.why[0] ?? '', /^black picture and silence/);
      assert.match(trim.why[1] ?? '', /^still picture and silence/);
      assert.equal(manifest.chunks === null, name === 'whole');
    }
  });

  test('a slide deck: a chapter at each slide change, in WebVTT, Apple chapter JSON and the HLS master', async () => {
    const source = await makeSlideDeck(tmp.dir);
    // Thumbnails kept: each chapter names its sprite tile. Nothing here reads the download, quality or loudness.
    const { dir, manifest } = await transcode(source, 'slides', ['--chunk-seconds', '0', '--no-download', '--no-quality', '--no-loudnorm']);
    const chapters = manifest.chapters;
    assert.ok(chapters, 'manifest.json lists chapters');
    const expected = [0, 32, 64, 96];
    assert.equal(chapters.list.length, expected.length, JSON.stringify(chapters.list));
    chapters.list.forEach((c, i) => {
      assert.ok(Math.abs(c.start - (expected[i] ?? -1)) <= 0.5, `chapter ${i + 1} at ${c.start}`);
      assert.equal(c.title, `Chapter ${i + 1}`);
      assert.match(c.thumbnail ?? '', /^thumbnails\/sprite-\d{3}\.jpg#xywh=\d+,\d+,\d+,\d+$/);
    });
    // A steady tone over still slides is the event: nothing to trim.
    assert.deepEqual({ ...manifest.suggestedTrim, end: undefined }, { start: 0, end: undefined, why: [] });
    assert.ok(Math.abs((manifest.suggestedTrim?.end ?? 0) - manifest.duration) < 0.1);
    const vtt = await readFile(path.join(dir, chapters.vtt), 'utf8');
    assert.equal(vtt.split('\n').filter((l) => l.includes(' --> ')).length, 4);
    const apple = JSON.parse(await readFile(path.join(dir, chapters.hls), 'utf8')) as { 'start-time': number }[];
    assert.deepEqual(apple.map((c) => c['start-time']), chapters.list.map((c) => c.start));
    const master = await readFile(path.join(dir, 'master.m3u8'), 'utf8');
    assert.ok(master.includes('#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="chapters.json"'), master);
    assert.ok(manifest.files.some((f) => f.path === 'chapters.vtt') && manifest.files.some((f) => f.path === 'chapters.json'));

    // An edit rewrites the chapter documents and manifest.json, and nothing else.
    const masterBefore = master;
    const edited = await rewriteChapters(new OutputDir(dir), { chapters: [{ start: 0, title: 'Welcome' }, { start: 40, title: 'Q3 results' }] });
    assert.deepEqual(edited.chapters?.list.map((c) => [c.start, c.title]), [[0, 'Welcome'], [40, 'Q3 results']]);
    assert.match(edited.chapters?.list[1]?.thumbnail ?? '', /^thumbnails\/sprite-000\.jpg#xywh=/);
    const stored = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as AssetManifest;
    assert.deepEqual(stored.chapters, edited.chapters);
    const vttAfter = await readFile(path.join(dir, 'chapters.vtt'), 'utf8');
    assert.match(vttAfter, /00:00:40\.000 --> .*\nQ3 results/);
    assert.equal(stored.files.find((f) => f.path === 'chapters.vtt')?.bytes, Buffer.byteLength(vttAfter));
    assert.equal(await readFile(path.join(dir, 'master.m3u8'), 'utf8'), masterBefore);
    await assert.rejects(rewriteChapters(new OutputDir(dir), { chapters: [{ start: 0, title: 'A' }, { start: 500, title: 'B' }] }), ChapterEditError);

    // A clip of 30–100 s carries the chapters of its range: the one in force at its start at 0, the
    // later one moved, their titles kept, thumbnails and documents of its own.
    await rewriteChapters(new OutputDir(dir), { chapters: [{ start: 0, title: 'Welcome' }, { start: 40, title: 'Q3 results' }, { start: 96, title: 'Questions' }] });
    const clipDir = path.join(tmp.dir, 'slides-clip');
    await makeClip({ ffmpeg: 'ffmpeg', parent: dir, output: clipDir, startSeconds: 30, endSeconds: 100, profile: transcodeProfileSchema.parse({ ladder: [{ width: 320, height: 180, bitrateKbps: 250, maxFrameRate: 30 }], download: false }), signal: new AbortController().signal });
    const clipped = JSON.parse(await readFile(path.join(clipDir, 'manifest.json'), 'utf8')) as AssetManifest;
    assert.deepEqual(clipped.chapters?.list.map((c) => [c.start, c.title]), [[0, 'Welcome'], [10, 'Q3 results'], [66, 'Questions']]);
    assert.ok(clipped.chapters?.list.every((c) => /^thumbnails\/sprite-\d{3}\.jpg#xywh=/.test(c.thumbnail ?? '')), JSON.stringify(clipped.chapters));
    assert.equal(clipped.suggestedTrim, null, 'a clip is not looked at for a trim');
    assert.match(await readFile(path.join(clipDir, 'chapters.vtt'), 'utf8'), /00:00:10\.000 --> 00:01:06\.000\nQ3 results/);
    assert.ok((await readFile(path.join(clipDir, 'master.m3u8'), 'utf8')).includes('DATA-ID="com.apple.hls.chapters",URI="chapters.json"'));
    assert.ok(clipped.files.some((f) => f.path === 'chapters.json'), 'the chapter documents are files of the clip');
  });
});
