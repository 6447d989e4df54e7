// The nginx-rtmp adapter against a real nginx-rtmp (Debian nginx + libnginx-mod-rtmp, recipe in
// shared/TESTING.md): publish a short stream with ffmpeg, capture the on_record_done request nginx
// sends, and hand it to the adapter exactly as received. Skipped where nginx, the module or ffmpeg
// is missing.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createNginxRtmpAdapter } from '../../src/ingest/nginx-rtmp.ts';
import { nginxModule, nginxPath, nginxRtmpSkip } from '../helpers/nginx.ts';
import { fixedNow } from './helpers.ts';

const execFileAsync = promisify(execFile);

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

interface Captured {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

const skip = nginxRtmpSkip;

describe('nginx-rtmp on_record_done from a real nginx', { skip }, () => {
  let root: string;
  let recordDir: string;
  let hookServer: Server;
  let nginx: ChildProcess | undefined;
  let rtmpPort: number;
  const captured: Captured[] = [];

  before(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'live2vod-nginx-')));
    recordDir = path.join(root, 'rec');
    await mkdir(recordDir);
    hookServer = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        captured.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    const hookAddress = hookServer.address();
    if (hookAddress === null || typeof hookAddress === 'string') throw new Error('no hook port');
    rtmpPort = await freePort();
    const conf = [
      `load_module ${nginxModule};`,
      ...(userInfo().uid === 0 ? ['user root;'] : []),
      `daemon off; worker_processes 1; pid ${root}/nginx.pid; error_log ${root}/nginx.err;`,
      'events {}',
      `rtmp { server { listen 127.0.0.1:${rtmpPort}; application live { live on; record all;`,
      `  record_path ${recordDir}; record_unique on;`,
      `  on_record_done http://127.0.0.1:${hookAddress.port}/hooks/nginx-rtmp?token=hooktoken; } } }`,
    ].join('\n');
    await writeFile(path.join(root, 'nginx.conf'), conf);
    nginx = spawn(nginxPath ?? 'nginx', ['-c', path.join(root, 'nginx.conf'), '-p', root], { stdio: 'ignore' });
    await sleep(300);
  });

  after(async () => {
    if (nginx?.pid !== undefined && nginx.exitCode === null) {
      nginx.kill('SIGTERM');
      await new Promise((resolve) => nginx?.once('exit', resolve));
    }
    await new Promise<void>((resolve) => hookServer.close(() => resolve()));
    await rm(root, { recursive: true, force: true });
  });

  it('the request nginx sends becomes one job for the recorded file', async () => {
    await execFileAsync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac',
      '-f', 'flv', `rtmp://127.0.0.1:${rtmpPort}/live/keynote?token=abc`,
    ]);
    const deadline = Date.now() + 10_000;
    while (captured.length === 0 && Date.now() < deadline) await sleep(50);
    const hook = captured[0];
    assert.ok(hook, 'nginx sent no on_record_done request');
    assert.equal(hook.method, 'POST');
    assert.equal(hook.contentType, 'application/x-www-form-urlencoded');
    const hookUrl = new URL(hook.url, 'http://127.0.0.1');
    assert.equal(hookUrl.pathname, '/hooks/nginx-rtmp');
    // The publisher's query string is appended to the body as is.
    assert.match(hook.body.toString(), /&call=record_done&recorder=&name=keynote&path=[^&]+&token=abc$/);

    const request = { headers: {}, query: Object.fromEntries(hookUrl.searchParams), rawBody: hook.body, contentType: hook.contentType, now: fixedNow };
    // Either token works: the hook URL's or the publisher's.
    for (const token of ['hooktoken', 'abc']) {
      const outcome = await createNginxRtmpAdapter({ recordDir, token }).handle(request);
      assert.equal(outcome.jobs.length, 1);
      const job = outcome.jobs[0];
      const file = job?.source.kind === 'local' ? job.source.path : '';
      assert.ok(job && file.startsWith(`${recordDir}/keynote-`) && file.endsWith('.flv'), file);
      assert.match(job.idempotencyKey, /^file:.+\.flv:\d+:\d+$/);
      assert.deepEqual(job.metadata, { app: 'live', stream: 'keynote', addr: '127.0.0.1', clientId: job.metadata['clientId'] ?? '' });
    }
  });
});
