// `bin/live2vod` as a child process: --dry-run --json (argument arrays, nothing written), --json
// event lines of a real run, probe --json's shape, and the exit codes of common mistakes.

import assert from 'node:assert/strict';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exists } from '../helpers/asset-checks.ts';
import { makeTempDir, makeTestPattern, runCli, runCliOk, writeLadder, type TempDir } from '../helpers/media.ts';

interface JsonEvent {
  type: string;
  [key: string]: unknown;
}

function jsonLines(stdout: string): JsonEvent[] {
  const lines = stdout.split('\n').filter((l) => l !== '');
  return lines.map((line) => {
    try {
      return JSON.parse(line) as JsonEvent;
    } catch {
      return assert.fail(`stdout line is not JSON: ${line}`);
    }
  });
}

describe('live2vod CLI', () => {
  let tmp: TempDir;
  let source: string;
  /** The same file under a name a shell would mangle or execute. */
  let hostile: string;
  let ladder: string;
  /** The events of the real --json run, for the todo test below. */
  let jsonRunEvents: JsonEvent[] = [];

  before(async () => {
    tmp = await makeTempDir('live2vod-cli-');
    source = await makeTestPattern(tmp.dir, { seconds: 8, width: 1280, height: 720, rate: 30, audio: 'sine', name: 'recording.mp4' });
    hostile = path.join(tmp.dir, `rec $(touch pwned) 'quoted' "double" ;&|.mp4`);
    await copyFile(source, hostile);
    ladder = await writeLadder(tmp.dir, 'one', [{ width: 640, height: 360, bitrateKbps: 800 }]);
  });
  after(() => tmp?.cleanup());

  test('transcode --dry-run --json prints the ffmpeg argument arrays and writes nothing', async () => {
    const out = path.join(tmp.dir, 'dry-out');
    const { stdout, stderr, code } = await runCliOk(['transcode', hostile, '--out', out, '--dry-run', '--json', '--ladder', ladder], { cwd: tmp.dir });
    assert.equal(code, 0);
    assert.equal(stderr, '');
    const lines = stdout.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, 'one JSON document');
    const commands = JSON.parse(lines[0]!) as unknown;
    assert.ok(Array.isArray(commands) && commands.length > 0, 'an array of commands');
    for (const command of commands as unknown[]) {
      assert.ok(Array.isArray(command) && command.length > 1 && command.every((a) => typeof a === 'string'), 'each command is an array of strings');
      const [program, ...args] = command as string[];
      assert.equal(path.basename(program!), 'ffmpeg', 'every command runs ffmpeg itself, not a shell');
      assert.ok(args.every((a) => !a.includes('\n')), 'no multi-line arguments');
      // The source is one argument, exactly as given: a shell string would have had to quote it.
      const inputs = args.filter((_, i) => args[i - 1] === '-i');
      assert.ok(inputs.length >= 1, 'an -i argument');
      assert.ok(inputs.every((i) => i.startsWith('file:/')), `inputs are file: paths: ${inputs.join(' ')}`);
      assert.ok(args.includes('-protocol_whitelist'));
    }
    const all = commands as string[][];
    assert.ok(all.some((c) => c.includes(`file:${hostile}`)), 'the hostile name is passed verbatim as one argument');
    const video = all.find((c) => c.includes('-filter_complex'));
    assert.ok(video, 'the video command (one decode, -filter_complex)');
    assert.ok(video.includes('libx264'));
    assert.ok(all.some((c) => c.some((a) => a.includes('ebur128')) && c.includes('null')), 'the loudness measuring pass');
    assert.ok(all.some((c) => c.includes('aac')), 'the audio encode');
    const download = all.find((c) => c.includes('+faststart'));
    assert.ok(download && download.at(-1)?.startsWith(out + path.sep), 'the download is written inside --out');
    assert.ok(!(await exists(out)), '--dry-run must not create the output directory');
    assert.ok(!(await exists(path.join(tmp.dir, 'pwned'))));
  });

  test('transcode --dry-run without --json prints copy-pasteable command lines', async () => {
    const out = path.join(tmp.dir, 'dry-text');
    const { stdout } = await runCliOk(['transcode', hostile, '--out', out, '--dry-run', '--ladder', ladder]);
    const commands = stdout.split('\n\n').map((c) => c.trim()).filter((c) => c !== '');
    assert.ok(commands.length >= 3);
    for (const command of commands) assert.match(command, /^ffmpeg /);
    // The name is quoted for a shell, with the single quotes in it escaped.
    assert.ok(stdout.includes(`'file:${hostile.replaceAll("'", `'\\''`)}'`), 'the source path is single-quoted');
    assert.ok(!(await exists(out)));
  });

  test('transcode --json prints JSON lines: plan, steps, progress rising to 100, and a final done line', async () => {
    const out = path.join(tmp.dir, 'json-out');
    // x264 ultrafast and no sampled quality: the events are the point, not the encode.
    const { stdout } = await runCliOk(['transcode', hostile, '--out', out, '--json', '--ladder', ladder, '--preset', 'ultrafast', '--no-quality'], { cwd: tmp.dir });
    assert.ok(!stdout.includes('\r') && !stdout.includes('\x1b'), 'no progress bar or terminal codes in --json output');
    const events = jsonLines(stdout);
    jsonRunEvents = events;
    const types = new Set(events.map((e) => e.type));
    for (const type of types) assert.ok(['source', 'plan', 'step', 'progress', 'warning', 'done'].includes(type), `unknown event type ${type}`);
    // What the probe found, before the plan: 8 s of 1280x720 at 30 fps.
    const source = events.find((e) => e.type === 'source');
    assert.deepEqual({ ...source, durationSeconds: Math.round(Number(source?.durationSeconds)), bytes: typeof source?.bytes }, { type: 'source', durationSeconds: 8, bytes: 'number', width: 1280, height: 720, frameRate: 30 });
    assert.ok(events.indexOf(source!) < events.findIndex((e) => e.type === 'plan'), 'the source line comes before the plan');

    const plan = events.find((e) => e.type === 'plan');
    assert.deepEqual(plan, { type: 'plan', renditions: ['360p-800k', 'aac-128k'], encoder: 'libx264' });

    const progress = events.filter((e) => e.type === 'progress');
    assert.ok(progress.length >= 1, 'at least one progress event');
    const percents = progress.map((e) => e.percent as number);
    percents.forEach((p, i) => {
      assert.ok(typeof p === 'number' && p >= 0 && p <= 100, `percent ${p}`);
      if (i > 0) assert.ok(p >= percents[i - 1]!, `percent went down: ${percents.join(', ')}`);
    });
    assert.equal(percents.at(-1), 100, 'progress ends at 100');

    const steps = events.filter((e) => e.type === 'step');
    for (const step of ['probe', 'encode', 'loudness', 'audio', 'package', 'thumbnails', 'download', 'manifest']) {
      const start = steps.findIndex((e) => e.step === step && e.state === 'start');
      const end = steps.findIndex((e) => e.step === step && e.state === 'end');
      assert.ok(start >= 0 && end > start, `step ${step} starts and then ends`);
      assert.ok(typeof steps[end]?.ms === 'number', `step ${step} reports ms`);
    }

    const done = events.at(-1);
    assert.equal(done?.type, 'done', 'the last line is done');
    assert.equal(events.filter((e) => e.type === 'done').length, 1);
    assert.equal(done.outDir, out);
    assert.deepEqual(done.renditions, ['360p-800k']);
    assert.ok(typeof done.duration === 'number' && Math.abs(done.duration - 8) < 0.05, `duration ${String(done.duration)}`);
    const timings = done.timingsMs as Record<string, number>;
    assert.ok(timings.total !== undefined && timings.encode !== undefined && timings.total >= timings.encode);
    assert.ok(await exists(path.join(out, 'manifest.json')));
    assert.ok(!(await exists(path.join(tmp.dir, 'pwned'))), 'the file name was never run by a shell');
  });

  test('probe --json: the source analysis and the plan', async () => {
    const { stdout } = await runCliOk(['probe', source, '--json', '--ladder', 'apple']);
    const out = JSON.parse(stdout) as { source: Record<string, unknown> & { video: Record<string, unknown>; audio: Record<string, unknown> }; plan: Record<string, unknown> };
    assert.deepEqual(Object.keys(out).sort(), ['plan', 'source']);
    assert.match(String(out.source.formatName), /mp4/);
    assert.ok(Math.abs(Number(out.source.duration) - 8) < 0.05);
    assert.ok(Number(out.source.sizeBytes) > 0);
    assert.deepEqual(
      { codec: out.source.video.codec, width: out.source.video.width, height: out.source.video.height, displayWidth: out.source.video.displayWidth, displayHeight: out.source.video.displayHeight, frameRate: out.source.video.frameRate, rotation: out.source.video.rotation, interlaced: out.source.video.interlaced, variableFrameRate: out.source.video.variableFrameRate },
      { codec: 'h264', width: 1280, height: 720, displayWidth: 1280, displayHeight: 720, frameRate: { num: 30, den: 1 }, rotation: 0, interlaced: false, variableFrameRate: false },
    );
    assert.deepEqual({ codec: out.source.audio.codec, channels: out.source.audio.channels, sampleRate: out.source.audio.sampleRate }, { codec: 'aac', channels: 2, sampleRate: 48000 });
    assert.deepEqual(Object.keys(out.plan).sort(), ['alternateAudio', 'audio', 'deinterlace', 'download', 'encoder', 'fallback', 'gopSeconds', 'ladder', 'poster', 'segmentSeconds', 'thumbnails', 'video']);
    assert.deepEqual(out.plan.ladder, { kind: 'fixed', analysisCpuSeconds: null });
    assert.equal(out.plan.encoder, 'libx264');
    assert.equal(out.plan.fallback, null);
    const video = out.plan.video as { id: string; width: number; height: number }[];
    assert.deepEqual(video.map((r) => r.id), ['360p-365k', '432p-730k', '540p-2000k', '720p-3000k', '720p-4500k']);
    assert.deepEqual(out.plan.audio, { id: 'aac-128k', sourceIndex: 1, bitrateKbps: 128, sampleRate: 48000, channels: 2, language: 'en', name: 'English' });
    assert.deepEqual(out.plan.thumbnails, { intervalSeconds: 2, width: 160, height: 90, columns: 10, rows: 10 });
    assert.deepEqual(out.plan.poster, { candidates: 12, width: 1280, height: 720 });
    assert.equal(out.plan.download, '540p-2000k');
  });

  test('probe of a missing file → exit 3 and a JSON error line', async () => {
    const missing = path.join(tmp.dir, 'nope.mp4');
    const result = await runCli(['probe', missing, '--json']);
    assert.equal(result.code, 3);
    const [error, ...rest] = jsonLines(result.stdout);
    assert.equal(rest.length, 0);
    assert.equal(error?.type, 'error');
    assert.equal(error?.error, 'InputError');
    assert.equal(error?.exitCode, 3);
    assert.match(String(error?.message), /does not exist/);
  });

  test('usage errors exit 2 and name the flag', async () => {
    const noOut = await runCli(['transcode', source]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /--out/);
    const badGop = await runCli(['transcode', source, '--out', path.join(tmp.dir, 'x'), '--segment', '5', '--gop', '2']);
    assert.equal(badGop.code, 2);
    assert.match(badGop.stderr, /--segment/);
    assert.ok(!(await exists(path.join(tmp.dir, 'x'))));
  });

  test('a file that is not media → exit 3 and nothing left in the output directory', async () => {
    const fake = path.join(tmp.dir, 'notes.mp4');
    await writeFile(fake, 'this is not a video\n'.repeat(100));
    const out = path.join(tmp.dir, 'bad-out');
    const result = await runCli(['transcode', fake, '--out', out, '--json']);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    const events = jsonLines(result.stdout);
    assert.equal(events.at(-1)?.type, 'error');
    assert.ok(!(await exists(out)) || (await readdir(out)).length === 0, 'no partial asset');
  });

  test('progress events never report an output time beyond the source', () => {
    const progress = jsonRunEvents.filter((e) => e.type === 'progress');
    assert.ok(progress.length > 0, 'needs the --json run above');
    for (const p of progress) assert.ok((p.outTime as number) <= 8 + 0.1, `outTime ${String(p.outTime)} s of an 8 s source (speed ${String(p.speed)}x)`);
  });
});
