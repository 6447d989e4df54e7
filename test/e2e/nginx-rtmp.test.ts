// End to end with a real nginx-rtmp: `live2vod serve` (in-process, through startService) with its
// record directory; nginx records a stream published by ffmpeg into it and calls on_record_done;
// the job runs in a real `live2vod worker` child process with real ffmpeg; the asset is checked on
// disk and over HTTP, and the SSE streams are checked for the job's state events.
// Skipped where nginx, the RTMP module or ffmpeg is missing.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { assertCompleteAsset, assertMpdMatchesHls, loadAsset, videoVariants } from '../helpers/asset-checks.ts';
import { ffprobeJson, makeTestPattern } from '../helpers/media.ts';
import { nginxModule, nginxPath, nginxRtmpSkip } from '../helpers/nginx.ts';
import { api, descendants, isAlive, killLeftovers, makeTemp, openSse, processRef, startTestService, waitFor, waitForJob, type ProcessRef, type SseStream, type TestService } from '../helpers/serve.ts';

const execFileAsync = promisify(execFile);
const hookToken = 'rtmp-e2e-token';

const skip = nginxRtmpSkip;

/** A random port in 20000–40000 that a bind test finds free. */
async function freeRtmpPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 20000–40000');
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

describe('nginx-rtmp → live2vod serve → asset', { skip, timeout: 120_000 }, () => {
  let root: string;
  let recordDir: string;
  let source: string;
  let service: TestService;
  let nginx: ChildProcess | undefined;
  let nginxProcesses: ProcessRef[] = [];
  let rtmpPort: number;
  let allEvents: SseStream | undefined;
  let jobEvents: SseStream | undefined;

  before(async () => {
    root = await makeTemp('live2vod-e2e-rtmp-');
    recordDir = path.join(root, 'rec');
    await mkdir(recordDir);
    // 4 s (two GOPs: the publish is real time, so every second is a second of wall time),
    // 320x180, H.264 + AAC with a 2 s GOP: what a contribution encoder would send.
    // Both at once; each is kept as it comes, so after() disposes of the service if it started.
    const started = await Promise.allSettled([
      makeTestPattern(root, { seconds: 4, width: 320, height: 180, rate: 30, audio: 'sine', name: 'keynote.mp4' }).then((file) => { source = file; }),
      startTestService({
        overrides: {
          recordDir,
          ingest: { nginxRtmp: { token: hookToken, priority: 'high' } },
          // The instant remux too: the job is playable before the ladder is done.
          transcode: { instantRemux: true },
        },
      }).then((running) => { service = running; }),
    ]);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    rtmpPort = await freeRtmpPort();
    const conf = [
      `load_module ${nginxModule};`,
      ...(userInfo().uid === 0 ? ['user root;'] : []),
      `daemon off; worker_processes 1; pid ${root}/nginx.pid; error_log ${root}/nginx.err;`,
      'events {}',
      `rtmp { server { listen 127.0.0.1:${rtmpPort}; application live { live on; record all;`,
      `  record_path ${recordDir}; record_unique on;`,
      `  on_record_done ${service.url}/hooks/nginx-rtmp?token=${hookToken}; } } }`,
    ].join('\n');
    await writeFile(path.join(root, 'nginx.conf'), conf);
    nginx = spawn(nginxPath ?? 'nginx', ['-c', path.join(root, 'nginx.conf'), '-p', root], { stdio: 'ignore' });
    await waitFor('nginx to listen', async () => (nginx?.exitCode !== null ? Promise.reject(new Error(`nginx exited: ${await readFile(path.join(root, 'nginx.err'), 'utf8').catch(() => '')}`)) : listening(rtmpPort)), { timeoutMs: 10_000, intervalMs: 50 });
    const master = nginx.pid === undefined ? undefined : processRef(nginx.pid);
    assert.ok(master, 'nginx is running');
    // Master and worker, remembered with their start times.
    nginxProcesses = [master, ...descendants(master.pid)];
    assert.ok(nginxProcesses.length >= 2, 'an nginx worker process runs');
  });

  after(async () => {
    allEvents?.close();
    jobEvents?.close();
    // nginx: by its pid file, then check that master and worker are gone.
    const pidFile = path.join(root, 'nginx.pid');
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    const master = nginxProcesses.find((p) => p.pid === pid);
    // Only the nginx this test started (the pid file names it), never a stranger with its pid.
    if (master && isAlive(master)) process.kill(pid, 'SIGTERM');
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      await Promise.race([new Promise((resolve) => nginx?.once('exit', resolve)), sleep(5000)]);
    }
    await waitFor('nginx processes to exit', () => nginxProcesses.every((p) => !isAlive(p)), { timeoutMs: 5000 }).catch(() => undefined);
    const leftover = killLeftovers(nginxProcesses);
    await service?.dispose();
    await rm(root, { recursive: true, force: true });
    assert.deepEqual(leftover, [], 'nginx did not stop on SIGTERM');
  });

  it('a published stream becomes a complete, playable asset', async () => {
    allEvents = await openSse(`${service.url}/v1/events`);
    const publishedAt = Date.now();
    await execFileAsync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-i', source, '-c', 'copy', '-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/keynote`]);
    assert.ok(Date.now() - publishedAt >= 3500, 'published in real time (-re)');

    // The job appears once nginx closes the recording and calls on_record_done.
    const created = await waitFor('the job from on_record_done', async () => {
      const list = await api<{ items: ApiJob[] }>(service.url, '/v1/jobs?source=nginx-rtmp');
      return list.body.items[0];
    }, { timeoutMs: 15_000, intervalMs: 50 });
    jobEvents = await openSse(`${service.url}/v1/jobs/${created.id}/events`);
    assert.equal(created.sourceKind, 'nginx-rtmp');
    assert.equal(created.priority, 'high', 'the configured priority of the nginx-rtmp intake');
    assert.equal(created.metadata['stream'], 'keynote');
    assert.equal(created.metadata['app'], 'live');
    assert.ok(created.source.startsWith(`${recordDir}/keynote-`) && created.source.endsWith('.flv'), created.source);

    const job = await waitForJob(service.url, created.id, 'succeeded', { timeoutMs: 90_000 });
    assert.equal(job.attempts, 1);
    assert.equal(job.progress, 1);
    assert.equal(job.error, null);
    assert.ok(job.asset, 'a succeeded job has asset links');
    assert.equal(job.playableUrl, job.asset.master);
    assert.ok(job.asset.master.startsWith(`${service.url}/media/`), job.asset.master);

    // On disk, under <data>/media/<outputPrefix>.
    const prefix = new URL(job.asset.master).pathname.replace(/^\/media\//, '').replace(/\/master\.m3u8$/, '');
    assert.equal(prefix, `assets/${job.id}`);
    const dir = path.join(service.dataDir, 'media', prefix);
    const asset = await loadAsset(dir);
    await assertCompleteAsset(asset);
    assertMpdMatchesHls(asset);
    assert.equal(videoVariants(asset).length, 1, 'the one-rung ladder of the test config');
    assert.equal(videoVariants(asset)[0]?.attributes.RESOLUTION, '320x180');

    // The asset is as long as the recording.
    const recorded = await ffprobeJson(created.source);
    const recordedDuration = Number(recorded.format?.duration);
    assert.ok(recordedDuration > 3 && recordedDuration < 5, `recorded ${recordedDuration} s`);
    assert.ok(Math.abs(asset.manifest.duration - recordedDuration) <= 0.5, `asset ${asset.manifest.duration} s vs recording ${recordedDuration} s`);
    const variant = videoVariants(asset)[0];
    const playlist = variant ? asset.playlists.get(variant.uri) : undefined;
    assert.ok(playlist);
    const listed = playlist.entries.reduce((sum, e) => sum + e.duration, 0);
    assert.ok(Math.abs(listed - recordedDuration) <= 0.5, `playlist sums to ${listed} s vs recording ${recordedDuration} s`);

    // Over HTTP from the server.
    const master = await fetch(job.asset.master);
    assert.equal(master.status, 200);
    assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    const masterText = await master.text();
    assert.match(masterText, /^#EXTM3U/);
    assert.ok(variant);
    const media = await fetch(new URL(variant.uri, job.asset.master));
    assert.equal(media.status, 200);
    assert.match(await media.text(), /#EXT-X-ENDLIST/);
    const mpd = await fetch(job.asset.dash);
    assert.equal(mpd.status, 200);
    assert.match(await mpd.text(), /<MPD/);
    const assetView = await api<{ id: string; manifest: { duration: number } }>(service.url, `/v1/assets/${job.id}`);
    assert.equal(assetView.status, 200);
    assert.equal(assetView.body.manifest.duration, asset.manifest.duration);

    // The job's own SSE stream: its log so far, then live changes up to asset.ready.
    const ready = await jobEvents.waitFor((e) => e.event === 'asset.ready', 10_000);
    const readyJob = (ready.data as { job: ApiJob }).job;
    assert.equal(readyJob.state, 'succeeded');
    assert.equal(readyJob.asset?.master, job.asset.master);
    const types = jobEvents.events.map((e) => e.event);
    assert.equal(types[0], 'job.queued', `first event: ${types.join(', ')}`);
    assert.ok(types.includes('job.snapshot'));
    assert.ok(types.indexOf('asset.ready') > types.indexOf('job.snapshot'));

    // The stream of every job saw the whole life, in order.
    await allEvents.waitFor((e) => e.event === 'asset.ready', 10_000);
    const mine = allEvents.events.filter((e) => (e.data as { job?: ApiJob }).job?.id === job.id).map((e) => e.event);
    const at = (type: string) => mine.indexOf(type);
    assert.ok(at('job.queued') >= 0 && at('job.queued') < at('job.started'), mine.join(', '));
    assert.ok(at('job.started') < at('asset.ready'), mine.join(', '));
    assert.ok(at('asset.playable') > at('job.started') && at('asset.playable') < at('asset.ready'), `playable before ready: ${mine.join(', ')}`);
    const progress = allEvents.events.filter((e) => e.event === 'job.progress' && (e.data as { job: ApiJob }).job.id === job.id).map((e) => (e.data as { progress: number }).progress);
    assert.ok(progress.every((p, i) => i === 0 || p >= (progress[i - 1] ?? 0)), `progress never goes back: ${progress.join(', ')}`);
    assert.equal(mine.filter((t) => t === 'job.failed' || t === 'job.requeued').length, 0);
  });
});
