// A bare static server for browser tests of an asset: the test's page at /, hls.js's ES module
// build at /hls.mjs, and the asset directory under /asset/. The tests are about the asset, not
// the dashboard.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { repoRoot } from './media.ts';

const types: Record<string, string> = { '.m3u8': 'application/vnd.apple.mpegurl', '.mpd': 'application/dash+xml', '.m4s': 'video/iso.segment', '.mp4': 'video/mp4', '.mjs': 'text/javascript', '.html': 'text/html' };

export function serveAsset(assetDir: string, page: string): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const file = url.pathname === '/hls.mjs' ? path.join(repoRoot, 'node_modules', 'hls.js', 'dist', 'hls.mjs')
      : url.pathname.startsWith('/asset/') ? path.join(assetDir, path.normalize(url.pathname.slice('/asset/'.length)).replace(/^(\.\.[/\\])+/, '')) : undefined;
    if (url.pathname === '/') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
