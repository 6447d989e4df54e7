import { GetObjectCommand, ListObjectsV2Command, type S3Client, type _Object } from '@aws-sdk/client-s3';
// A real S3 API (s3rver) on loopback for the storage tests, and a TCP relay that can cut every
// connection mid-transfer. s3rver runs in a child process (see s3rver-child.ts for why), which
// also makes "the server went away" real: stop() ends that process.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface RunningS3 {
  endpoint: string;
  port: number;
  dir: string;
  /** Stops the server, dropping open connections. */
  stop(): Promise<void>;
  /** Stops the server and removes its directory. */
  dispose(): Promise<void>;
}

const childScript = fileURLToPath(new URL('./s3rver-child.ts', import.meta.url));

export async function startS3(buckets: string[] = ['vod', 'rec']): Promise<RunningS3> {
  const dir = await mkdtemp(join(tmpdir(), 'live2vod-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', childScript, dir, ...buckets], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => String(line)),
    exited.then(() => undefined),
  ]);
  if (first === undefined) throw new Error(`s3rver did not start: ${stderr}`);
  const { port } = JSON.parse(first) as { port: number };
  let running = true;
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Relay {
  port: number;
  /** Bytes relayed from the target to clients so far. */
  downstreamBytes(): number;
  /** Destroys every connection (as a reset) and refuses new ones. */
  cut(): Promise<void>;
}

/** A loopback TCP relay to `targetPort`; `bytesPerSecond` throttles what each connection receives (a slow link). */
export async function startRelay(targetPort: number, options: { bytesPerSecond?: number } = {}): Promise<Relay> {
  const sockets = new Set<Socket>();
  let downstream = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const opened = performance.now();
    let received = 0;
    upstream.on('data', (chunk: Buffer) => {
      downstream += chunk.length;
      received += chunk.length;
      client.write(chunk);
      const rate = options.bytesPerSecond;
      if (rate === undefined) return;
      // Ahead of the rate: hold the connection until the link would have carried this much.
      const wait = (received / rate) * 1000 - (performance.now() - opened);
      if (wait > 0) {
        upstream.pause();
        setTimeout(() => upstream.resume(), wait);
      }
    });
    client.pipe(upstream);
    upstream.on('end', () => client.end());
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  return {
    port: address.port,
    downstreamBytes: () => downstream,
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      await closed;
    },
  };
}

/** Every object under a prefix, across ListObjectsV2 pages. */
export async function listAll(client: S3Client, bucket: string, prefix = ''): Promise<_Object[]> {
  const out: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    out.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return out;
}

/** An object's whole body. */
export async function getBytes(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!response.Body) throw new Error(`s3://${bucket}/${key} has no body`);
  return Buffer.from(await response.Body.transformToByteArray());
}

const awsNames = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'] as const;

/**
 * Points this process's AWS_* variables at s3rver (workers started by an in-process service
 * inherit process.env), clearing any others of the machine; returns the function that restores them.
 */
export function useS3rverEnv(endpoint: string): () => void {
  const saved = new Map<string, string | undefined>(awsNames.map((name) => [name, process.env[name]]));
  for (const name of awsNames) delete process.env[name];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/**
 * Runs `action` (a CLI command in this process, say) with process.env as a child process of the
 * CLI tests got it: without the machine's AWS_* and LIVE2VOD_* settings, pointed at s3rver at
 * `endpoint`, plus `extra`. The whole environment is restored afterwards.
 */
export async function withS3rverEnv<T>(endpoint: string, extra: Record<string, string>, action: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_') || name.startsWith('LIVE2VOD_')) delete process.env[name];
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey, AWS_REGION: 'us-east-1' }, extra);
  try {
    return await action();
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}
