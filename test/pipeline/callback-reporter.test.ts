// The worker's callback reporter against a local HTTP server that answers late or never: progress
// reports coalesce to the latest while one is in flight (every other event is kept, in order),
// a report that comes within the progress interval is sent when the interval is up (not dropped
// until ffmpeg's next one), and flush() gives up after its deadline instead of holding the worker
// for retry after retry.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { CallbackReporter } from '../../src/pipeline/callback-reporter.ts';

interface Held {
  url: string;
  bodies: { type: string; percent?: number }[];
  /** Requests that came in and closed (answered or aborted by the client). */
  closed: number;
  /** From now on, answer every request (the held ones too) with 204. */
  answer(): void;
}

/** A server that holds every request until answer() (never, if not called). */
async function heldServer(t: TestContext): Promise<Held> {
  const waiting: ServerResponse[] = [];
  let answering = false;
  const held: Held = {
    url: '', bodies: [], closed: 0,
    answer() {
      answering = true;
      for (const res of waiting.splice(0)) res.writeHead(204).end();
    },
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      held.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Held['bodies'][number]);
      if (answering) res.writeHead(204).end();
      else waiting.push(res);
    });
    res.on('close', () => held.closed++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  held.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/jobs/j/attempts/1/events`;
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return held;
}

const token = 'token-0123456789abcdef';

describe('CallbackReporter', () => {
  it('keeps only the latest unsent progress report while the control plane is slow, and every other event in order', async (t) => {
    const server = await heldServer(t);
    const reporter = new CallbackReporter({ url: server.url, token }, { progressIntervalMs: 0, requestTimeoutMs: 10_000 });
    reporter.report({ type: 'progress', percent: 1, outTime: 1 });
    for (let i = 0; i < 200 && server.bodies.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // The first report is in flight and held; more reports pile up behind it.
    for (let percent = 2; percent < 60; percent++) reporter.report({ type: 'progress', percent, outTime: percent });
    reporter.report({ type: 'playable', playlist: 'instant/master.m3u8' });
    for (let percent = 60; percent < 99; percent++) reporter.report({ type: 'progress', percent, outTime: percent });
    reporter.report({ type: 'done', manifest: 'manifest.json' });
    server.answer();
    assert.equal(await reporter.flush(), true);
    assert.deepEqual(server.bodies.map((b) => (b.type === 'progress' ? `progress ${b.percent}` : b.type)), ['progress 1', 'playable', 'progress 98', 'done']);
  });

  it('gives up at the flush deadline when the control plane never answers, and lets go of the connection', async (t) => {
    const server = await heldServer(t);
    const reporter = new CallbackReporter({ url: server.url, token }, { flushTimeoutMs: 300 });
    for (let i = 0; i < 20; i++) reporter.report({ type: 'progress', percent: 50 + i, outTime: i });
    reporter.report({ type: 'failed', message: 'stopped', exitCode: 130, retryable: true });
    const started = Date.now();
    assert.equal(await reporter.flush(), false);
    const waited = Date.now() - started;
    assert.ok(waited >= 250 && waited < 2000, `flush waited ${waited} ms, about its deadline (not 5 s per try)`);
    // The held request is cancelled, so no socket or timer keeps the worker alive.
    for (let i = 0; i < 100 && server.closed < server.bodies.length; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(server.closed, server.bodies.length, 'every request the server saw is closed');
    reporter.report({ type: 'done', manifest: 'manifest.json' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.bodies.length, 1, 'nothing is sent after giving up');
  });

  it('sends a progress report that came too soon when the interval is up, and before any later event', async (t) => {
    const server = await heldServer(t);
    server.answer();
    const reporter = new CallbackReporter({ url: server.url, token }, { progressIntervalMs: 300 });
    const seen = () => server.bodies.map((b) => (b.type === 'progress' ? `progress ${b.percent}` : b.type));
    const started = Date.now();
    reporter.report({ type: 'progress', percent: 1, outTime: 1 });
    reporter.report({ type: 'progress', percent: 2, outTime: 2 });
    reporter.report({ type: 'progress', percent: 3, outTime: 3 });
    for (let i = 0; i < 200 && seen().length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    const waited = Date.now() - started;
    assert.deepEqual(seen(), ['progress 1', 'progress 3'], 'the latest held report follows when the interval is up');
    assert.ok(waited >= 250 && waited < 1500, `the held report went ${waited} ms after the first (interval 300 ms)`);

    reporter.report({ type: 'progress', percent: 4, outTime: 4 });
    reporter.report({ type: 'step', step: 'encode', state: 'end', ms: 1 });
    assert.equal(await reporter.flush(), true);
    assert.deepEqual(seen(), ['progress 1', 'progress 3', 'progress 4', 'step'], 'held progress goes before the event that follows it, not after');
  });

  it('drops a held progress report that a final one (100 %) supersedes, and flush() sends a held one at once', async (t) => {
    const server = await heldServer(t);
    server.answer();
    const seen = () => server.bodies.map((b) => `${b.type} ${b.percent}`);
    const superseded = new CallbackReporter({ url: server.url, token }, { progressIntervalMs: 200 });
    superseded.report({ type: 'progress', percent: 1, outTime: 1 });
    for (let i = 0; i < 200 && server.bodies.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    superseded.report({ type: 'progress', percent: 2, outTime: 2 });
    superseded.report({ type: 'progress', percent: 100, outTime: 3 });
    assert.equal(await superseded.flush(), true);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(seen(), ['progress 1', 'progress 100'], 'the held 2 % never follows the 100 %');

    server.bodies.length = 0;
    const flushed = new CallbackReporter({ url: server.url, token }, { progressIntervalMs: 60_000 });
    flushed.report({ type: 'progress', percent: 1, outTime: 1 });
    for (let i = 0; i < 200 && server.bodies.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    flushed.report({ type: 'progress', percent: 2, outTime: 2 });
    const started = Date.now();
    assert.equal(await flushed.flush(), true);
    assert.deepEqual(seen(), ['progress 1', 'progress 2']);
    assert.ok(Date.now() - started < 10_000, 'flush did not wait for the interval');
  });
});
