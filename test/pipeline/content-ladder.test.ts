// The content-aware ladder on generated recordings, real ffmpeg: the analysed ladder of a talk and
// of a sport is the same on every run; probe shows it and why; a chunked job analyses once, in
// the split, and every chunk and the stitch use that ladder (manifest.json says which).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveBinaries } from '../../src/ffmpeg/binaries.ts';
import { transcodeProfileSchema } from '../../src/jobs/transcode-profile.ts';
import type { LadderChoice, TranscodePlan } from '../../src/media/plan.ts';
import type { WorkPlan } from '../../src/pipeline/chunked/work-area.ts';
import { prepareTranscode } from '../../src/pipeline/prepare.ts';
import { requestFromProfile } from '../../src/pipeline/request-from-profile.ts';
import { assertCompleteAsset, loadAsset } from '../helpers/asset-checks.ts';
import { makeSportSource, makeTalkSource } from '../helpers/content-sources.ts';
import { makeTempDir, runCli, writeLoggingFfmpeg, type TempDir } from '../helpers/media.ts';
import { cliInProcess, runCliInProcess } from '../helpers/cli-in-process.ts';

describe('content-aware ladder on generated recordings', () => {
  let tmp: TempDir;
  let talk: string;
  let sport: string;

  before(async () => {
    tmp = await makeTempDir('live2vod-content-ladder-');
    talk = path.join(tmp.dir, 'talk.mp4');
    sport = path.join(tmp.dir, 'sport.mp4');
    // 720p, slides every 3 s: one rung per size is enough for it. The sport: noise over every pixel.
    // Both made with x264 ultrafast: the analysis gives the talk the same ladder (and ±1 % of the
    // bits per pixel) as from a veryfast file, at half the CPU. Each is analysed in one 2 s window
    // (the talk's spans a slide change), so 6 s of talk (two chunks, of 4 s and 2 s) and 2 s of
    // sport are enough.
    await makeTalkSource(talk, { seconds: 6, width: 1280, height: 720, slideSeconds: 3, preset: 'ultrafast' });
    await makeSportSource(sport, { seconds: 2, width: 1280, height: 720, preset: 'ultrafast' });
  });
  after(() => tmp?.cleanup());

  const plan = async (input: string, ladderKind: 'fixed' | 'content-aware', preset?: string): Promise<TranscodePlan> => {
    const profile = transcodeProfileSchema.parse({ ladderKind, ...(preset ? { preset } : {}) });
    return (await prepareTranscode({ ...requestFromProfile(profile, { outDir: tmp.dir, binaries: resolveBinaries() }), input })).plan;
  };
  // The talk's first content-aware plan, shared by the talk and sport tests (an analysis encode each).
  let talkPlan: Promise<TranscodePlan> | undefined;
  const firstTalkPlan = (): Promise<TranscodePlan> => (talkPlan ??= plan(talk, 'content-aware'));

  test('talk: the same recording gives the same ladder every time, thinner than the fixed one', async () => {
    const [first, second, fixed] = [await firstTalkPlan(), await plan(talk, 'content-aware'), await plan(talk, 'fixed')];
    assert.deepEqual(second.video, first.video);
    assert.deepEqual(second.ladder, first.ladder);
    assert.equal(fixed.ladder, undefined);
    assert.equal(first.ladder?.kind, 'content-aware');
    assert.ok(first.video.length < fixed.video.length, `${first.video.map((r) => r.id).join(', ')} vs ${fixed.video.map((r) => r.id).join(', ')}`);
    const dropped = first.ladder?.rungs?.find((r) => r.rung === '720p-3000k');
    assert.equal(dropped?.kept, false);
    const richer = first.ladder?.rungs?.find((r) => r.rung === '720p-4500k');
    assert.match(dropped?.reason ?? '', new RegExp(`same size as ${richer?.as ?? '720p-4500k'}:`), 'named as the ladder lists it');
    assert.equal(first.video.filter((r) => r.height === 720).length, 1);
    assert.equal(first.video.find((r) => r.height === 720)?.crf, 21);
    // A still talk: a few hundredths of a bit per pixel at most.
    assert.ok((first.ladder?.analysis?.bitsPerPixel ?? 1) < 0.05, `bits/pixel ${first.ladder?.analysis?.bitsPerPixel}`);
  });

  test('sport: the same recording gives the same ladder every time, and it is the fixed one', async () => {
    const [first, second, fixed] = [await plan(sport, 'content-aware'), await plan(sport, 'content-aware'), await plan(sport, 'fixed')];
    assert.deepEqual(second.video, first.video);
    assert.deepEqual(second.ladder, first.ladder);
    assert.deepEqual(first.video, fixed.video);
    assert.ok((first.ladder?.analysis?.bitsPerPixel ?? 0) > (await firstTalkPlan()).ladder!.analysis!.bitsPerPixel * 5);
  });

  // The probe command through main() in this process (the command's code and output; the process
  // around it is transcode-cli.test.ts's): each run saves a Node start-up.
  test('probe --ladder content-aware: the analysis and every rung with its reason (JSON), briefly for people', async () => {
    const { stdout } = await runCliInProcess(['probe', talk, '--ladder', 'content-aware', '--json']);
    const out = JSON.parse(stdout) as { plan: { video: { id: string }[]; ladder: LadderChoice & { analysisCpuSeconds: number | null } } };
    assert.equal(out.plan.ladder.kind, 'content-aware');
    assert.ok(out.plan.ladder.analysis && out.plan.ladder.analysis.windows.length >= 1 && out.plan.ladder.analysis.bitsPerPixel > 0);
    assert.ok(out.plan.ladder.rungs?.every((r) => r.reason.length > 0));
    assert.deepEqual(out.plan.ladder.rungs?.filter((r) => r.kept).map((r) => r.as).sort(), out.plan.video.map((r) => r.id).sort());
    assert.ok(out.plan.ladder.analysisCpuSeconds === null || out.plan.ladder.analysisCpuSeconds > 0);

    const human = (await runCliInProcess(['probe', talk, '--ladder', 'content-aware'])).stdout;
    assert.match(human, /ladder \(libx264; content-aware, [\d.]+ bits\/pixel \(crf 21, 960x540, 1 × 2 s/);
    // The rung it merged into, named as the ladder above lists it.
    const richer = out.plan.ladder.rungs?.find((r) => r.rung === '720p-4500k')?.as;
    assert.ok(richer !== undefined && out.plan.video.some((r) => r.id === richer), `720p-4500k is kept as ${richer}`);
    assert.match(human, new RegExp(`dropped 720p-3000k: same size as ${richer}:`));
    assert.match(human, new RegExp(`^ {2}${richer} `, 'm'));
    // The fixed ladder by name; a file called so is still reachable as ./apple.
    const fixed = JSON.parse((await runCliInProcess(['probe', talk, '--ladder', 'apple', '--json'])).stdout) as { plan: { video: { id: string }[]; ladder: { kind: string } } };
    assert.equal(fixed.plan.ladder.kind, 'fixed');
    assert.deepEqual(fixed.plan.video.map((r) => r.id), ['360p-365k', '432p-730k', '540p-2000k', '720p-3000k', '720p-4500k']);
    const missing = await cliInProcess(['probe', talk, '--ladder', './apple']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--ladder \.\/apple cannot be read/);
  });

  test('chunked: the split analyses once, every chunk and the stitch use its ladder, manifest.json says so', async () => {
    const out = path.join(tmp.dir, 'asset');
    const logged = await writeLoggingFfmpeg(tmp.dir);
    const env = { ...process.env, LIVE2VOD_FFMPEG: logged.path };
    let tasks = 0;
    const worker = async (stage: Record<string, unknown>) => {
      const file = path.join(tmp.dir, `task-${tasks++}.json`);
      await writeFile(file, JSON.stringify({
        version: 2, jobId: 'job-content', attempt: 1, source: { kind: 'local', path: talk }, output: out,
        profile: { ladderKind: 'content-aware', preset: 'ultrafast', loudness: false, segmentSeconds: 2, chunkSeconds: 4, thumbnails: false, download: false, instantRemux: false, quality: false },
        sourceFetch: { maxBytes: 1e9, timeoutMs: 60_000, allow: [] },
        ...stage,
      }));
      const result = await runCli(['worker', '--task-file', file], { env });
      assert.equal(result.code, 0, result.stderr);
    };
    await worker({ stage: 'split', parallelism: 2 });
    const stored = JSON.parse(await readFile(path.join(out, '.live2vod-chunks', 'plan.json'), 'utf8')) as WorkPlan;
    assert.equal(stored.plan.ladder?.kind, 'content-aware');
    assert.deepEqual(stored.plan.video.map((r) => r.id), (await plan(talk, 'content-aware', 'ultrafast')).video.map((r) => r.id), 'the split made the ladder a plan made here makes');
    // The analysis (its windows' -ss have 3 decimals; a chunk's 6, or none) ran in the split only.
    const analysis = (lines: string[]) => lines.filter((l) => /^\d+\.\d{3}$/.test(l));
    const afterSplit = await logged.encodes();
    assert.ok(analysis(afterSplit).length >= 1, `the split analysed: ${afterSplit.join(' ')}`);

    for (const [index, chunk] of stored.chunks.chunks.entries()) {
      await worker({ stage: 'chunk', plan: stored.fingerprint, chunk: { index, count: stored.chunks.chunks.length, startSeconds: chunk.startSeconds, endSeconds: chunk.endSeconds } });
    }
    await worker({ stage: 'stitch', plan: stored.fingerprint });
    const later = (await logged.encodes()).slice(afterSplit.length);
    assert.deepEqual(analysis(later), [], 'no chunk analysed again');
    assert.equal(later.length, stored.chunks.chunks.length);

    const asset = await loadAsset(out);
    await assertCompleteAsset(asset);
    assert.deepEqual(asset.manifest.renditions.map((r) => r.id), stored.plan.video.map((r) => r.id));
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { ladder: { kind: string; complexity: { bitsPerPixel: number } | null; dropped: string[] } };
    assert.equal(manifest.ladder.kind, 'content-aware');
    assert.equal(manifest.ladder.complexity?.bitsPerPixel, stored.plan.ladder?.analysis?.bitsPerPixel);
    assert.ok(manifest.ladder.dropped.includes('720p-3000k'));
  });

  test('a split that finds the recording too short to cut and encodes it whole (wholeHere) probes and analyses once', async () => {
    const out = path.join(tmp.dir, 'asset-whole-here');
    const logged = await writeLoggingFfmpeg(tmp.dir);
    const file = path.join(tmp.dir, 'task-whole-here.json');
    await writeFile(file, JSON.stringify({
      version: 2, jobId: 'job-whole-here', attempt: 1, source: { kind: 'local', path: sport }, output: out,
      // Two small rungs: the encode after the analysis stays cheap.
      profile: { ladderKind: 'content-aware', ladder: [{ width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 30 }, { width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], preset: 'ultrafast', loudness: false, segmentSeconds: 2, thumbnails: false, download: false, instantRemux: false, quality: false },
      sourceFetch: { maxBytes: 1e9, timeoutMs: 60_000, allow: [] },
      stage: 'split', parallelism: 2, wholeHere: {},
    }));
    const result = await runCli(['worker', '--task-file', file], { env: { ...process.env, LIVE2VOD_FFMPEG: logged.path } });
    assert.equal(result.code, 0, result.stderr);
    const events = result.stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { type: string; step?: string; state?: string; width?: number; durationSeconds?: number });
    assert.equal(events.filter((e) => e.type === 'step' && e.step === 'probe' && e.state === 'start').length, 1, 'one probe and plan');
    const sources = events.filter((e) => e.type === 'source');
    assert.equal(sources.length, 1, 'what the probe found is reported once');
    assert.equal(sources[0]?.width, 1280);
    assert.ok(Math.abs((sources[0]?.durationSeconds ?? 0) - 2) < 0.1, `duration ${sources[0]?.durationSeconds}`);
    assert.ok(events.some((e) => e.type === 'plan'), 'the encode announced its plan');
    const encodes = await logged.encodes();
    const analysis = encodes.filter((l) => /^\d+\.\d{3}$/.test(l));
    assert.ok(analysis.length >= 1, `analysed: ${encodes.join(' ')}`);
    assert.equal(new Set(analysis).size, analysis.length, `each window analysed once: ${analysis.join(' ')}`);
    assert.deepEqual(encodes.filter((l) => !analysis.includes(l)), ['0'], 'then one whole encode');
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { ladder: { kind: string }; timingsMs: { probe?: number; total: number }; renditions: unknown[]; cost: { byStage?: Record<string, number> } };
    assert.equal(manifest.ladder.kind, 'content-aware');
    assert.ok(manifest.renditions.length >= 1);
    assert.ok((manifest.timingsMs.probe ?? 0) > 0 && manifest.timingsMs.total > (manifest.timingsMs.probe ?? 0), `the split's probe is in the timings: ${JSON.stringify(manifest.timingsMs)}`);
    assert.ok((manifest.cost.byStage?.['analyse'] ?? 0) > 0 && (manifest.cost.byStage?.['probe'] ?? 0) > 0, `the split's probe and analysis are in the cost: ${JSON.stringify(manifest.cost)}`);
  });
});
