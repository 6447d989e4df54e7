// A PostgreSQL server of a test's own (initdb + pg_ctl into a temp directory, on a free port), for
// tests that stop or restart the server: doing that to the shared test server would disturb every
// other test. As root, the server runs as the `postgres` user (initdb refuses root).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest /usr/lib/postgresql/<version>/bin that has initdb, or undefined. */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(base, versions[0], 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string;
  start(): Promise<void>;
  /** `immediate`: as a crash (no checkpoint, clients cut off); `fast`: a clean shutdown. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
  const root = await mkdtemp(path.join(tmpdir(), 'live2vod-pg-'));
  const data = path.join(root, 'data');
  const socketDir = path.join(root, 'socket');
  await mkdir(socketDir);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await Promise.all([chown(root, uid, gid), chown(socketDir, uid, gid)]);
  }
  // runuser lives in sbin, which a PATH set for CI (or a non-login shell) may leave out.
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((f) => existsSync(f)) ?? 'runuser';
  const pgRun = (tool: string, args: string[]) => (asRoot ? run(runuser, ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args));
  const port = await freePort();
  await pgRun('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']).catch(async (error: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw error;
  });
  const server: PrivatePostgres = {
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      // fsync off: a test server, thrown away afterwards.
      await pgRun('pg_ctl', ['-D', data, '-l', path.join(root, 'server.log'), '-w', '-t', '30', '-o', `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    },
    async stop(mode = 'fast') {
      await pgRun('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']).catch(() => undefined);
    },
    async dispose() {
      await server.stop('immediate');
      // The postmaster may still be unlinking its socket files as pg_ctl returns: retried, not left in /tmp.
      await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
  await server.start();
  return server;
}
