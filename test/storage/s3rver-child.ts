// Runs s3rver in its own process for the storage tests. It is started with
// --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which
// Node 24's OpenSSL 3 only offers through the legacy provider (without it, any truncated listing
// answers 500 InternalError). Usage: node --openssl-legacy-provider s3rver-child.ts <dir> <bucket>...
// Prints {"port":N} on stdout once listening; exits on SIGTERM or when stdin closes.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rverInstance;

const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;
const [dir, ...buckets] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: s3rver-child.ts <dir> <bucket>...');
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: buckets.map((name) => ({ name })) });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);

const shutdown = (): void => {
  const closing = server.close();
  server.httpServer?.closeAllConnections();
  void closing.finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.stdin.on('end', shutdown);
process.stdin.resume();
