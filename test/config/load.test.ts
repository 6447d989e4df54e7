// Configuration: defaults < file (YAML or JSON) < LIVE2VOD_* environment < flags, one strict
// schema, and errors that name the key and where it came from; `live2vod serve` exits 2 on them.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startService } from '../../src/cli/serve-command.ts';
import { envToTree, loadConfig } from '../../src/config/load.ts';
import { UsageError } from '../../src/errors/index.ts';
import { runCli } from '../helpers/media.ts';
import { cleanEnv, makeTemp } from '../helpers/serve.ts';

let dir: string;

before(async () => {
  dir = await makeTemp('live2vod-config-');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

async function refusal(action: Promise<unknown>): Promise<string> {
  let message = '';
  await assert.rejects(action, (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    message = error.message;
    return true;
  });
  return message;
}

const yamlConfig = `
server:
  port: 9001
  host: 0.0.0.0
dataDir: /srv/live2vod
recordDir: /srv/rec
auth:
  tokens: [file-token-1]
executor:
  concurrency: 3
ingest:
  nginxRtmp:
    token: nginx-secret
    priority: high
  watch:
    intervalMs: 250
transcode:
  preset: fast
  ladder:
    - { width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 30 }
logLevel: warn
`;

describe('loadConfig', () => {
  it('has defaults when nothing is configured', async () => {
    const config = await loadConfig({ env: {} });
    assert.equal(config.server.port, 8080);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.dataDir, './data');
    assert.deepEqual(config.store, { kind: 'sqlite' });
    assert.deepEqual(config.auth.tokens, []);
    assert.equal(config.ingest.watch.priority, 'low');
    assert.equal(config.jobs.maxAttempts, 3);
    assert.equal(config.jobs.trim, 'none', 'suggest only unless asked');
    assert.ok(config.executor.concurrency >= 1);
  });

  it('reads YAML and JSON files alike', async () => {
    const fromYaml = await loadConfig({ file: await file('a.yaml', yamlConfig), env: {} });
    assert.equal(fromYaml.server.port, 9001);
    assert.equal(fromYaml.server.host, '0.0.0.0');
    assert.equal(fromYaml.dataDir, '/srv/live2vod');
    assert.deepEqual(fromYaml.auth.tokens, ['file-token-1']);
    assert.equal(fromYaml.executor.concurrency, 3);
    assert.equal(fromYaml.ingest.nginxRtmp.token, 'nginx-secret');
    assert.equal(fromYaml.ingest.nginxRtmp.priority, 'high');
    assert.equal(fromYaml.ingest.srs.priority, 'normal', 'siblings keep their defaults');
    assert.equal(fromYaml.ingest.watch.intervalMs, 250);
    assert.equal(fromYaml.transcode.preset, 'fast');
    assert.equal(fromYaml.transcode.ladder?.[0]?.width, 640);
    assert.equal(fromYaml.transcode.segmentSeconds, 6, 'profile defaults fill in');
    assert.equal(fromYaml.logLevel, 'warn');

    const json = JSON.stringify({ server: { port: 9001, host: '0.0.0.0' }, dataDir: '/srv/live2vod', recordDir: '/srv/rec', auth: { tokens: ['file-token-1'] }, executor: { concurrency: 3 }, ingest: { nginxRtmp: { token: 'nginx-secret', priority: 'high' }, watch: { intervalMs: 250 } }, transcode: { preset: 'fast', ladder: [{ width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 30 }] }, logLevel: 'warn' });
    const fromJson = await loadConfig({ file: await file('a.json', json), env: {} });
    assert.deepEqual(fromJson, fromYaml);

    const empty = await loadConfig({ file: await file('empty.yaml', '# nothing here\n'), env: {} });
    assert.equal(empty.server.port, 8080);
  });

  it('takes the file from LIVE2VOD_CONFIG when no file is given', async () => {
    const config = await loadConfig({ env: { LIVE2VOD_CONFIG: await file('via-env.yaml', 'server: { port: 7070 }\n') } });
    assert.equal(config.server.port, 7070);
  });

  it('environment over file, flags over environment', async () => {
    const yaml = await file('layers.yaml', yamlConfig);
    const env = {
      LIVE2VOD_SERVER__PORT: '9002',
      LIVE2VOD_EXECUTOR__CONCURRENCY: '5',
      LIVE2VOD_INGEST__NGINX_RTMP__PRIORITY: 'urgent',
      LIVE2VOD_SOURCE_ROOTS: '["/mnt/a", "/mnt/b"]',
      LIVE2VOD_INGEST__WATCH__ENABLED: 'false',
      LIVE2VOD_LOG_LEVEL: 'error',
    };
    const fromEnv = await loadConfig({ file: yaml, env });
    assert.equal(fromEnv.server.port, 9002);
    assert.equal(fromEnv.server.host, '0.0.0.0', 'what the environment does not set stays from the file');
    assert.equal(fromEnv.executor.concurrency, 5);
    assert.equal(fromEnv.ingest.nginxRtmp.priority, 'urgent');
    assert.equal(fromEnv.ingest.nginxRtmp.token, 'nginx-secret', 'deep merge keeps the file\'s sibling');
    assert.deepEqual(fromEnv.sourceRoots, ['/mnt/a', '/mnt/b']);
    assert.equal(fromEnv.ingest.watch.enabled, false);
    assert.equal(fromEnv.ingest.watch.intervalMs, 250);
    assert.equal(fromEnv.logLevel, 'error');

    const fromFlags = await loadConfig({ file: yaml, env, overrides: { server: { port: 9003 }, executor: { concurrency: 7 } } });
    assert.equal(fromFlags.server.port, 9003);
    assert.equal(fromFlags.server.host, '0.0.0.0');
    assert.equal(fromFlags.executor.concurrency, 7);
    assert.equal(fromFlags.ingest.nginxRtmp.priority, 'urgent');
  });

  it('short names: LIVE2VOD_PORT, LIVE2VOD_API_TOKENS, LIVE2VOD_DATABASE_URL', async () => {
    const yaml = await file('short.yaml', yamlConfig);
    const config = await loadConfig({
      file: yaml,
      env: { LIVE2VOD_PORT: '9100', LIVE2VOD_API_TOKENS: ' env-token-1 , env-token-2,, ', LIVE2VOD_DATABASE_URL: 'postgres://live2vod@db:5432/live2vod', LIVE2VOD_DATA_DIR: '/var/lib/live2vod' },
    });
    assert.equal(config.server.port, 9100);
    assert.deepEqual(config.auth.tokens, ['env-token-1', 'env-token-2'], 'comma separated, trimmed, empties dropped; replaces the file\'s list');
    assert.deepEqual(config.store, { kind: 'postgres', url: 'postgres://live2vod@db:5432/live2vod' });
    assert.equal(config.dataDir, '/var/lib/live2vod');
    const flagged = await loadConfig({ file: yaml, env: { LIVE2VOD_PORT: '9100' }, overrides: { server: { port: 0 } } });
    assert.equal(flagged.server.port, 0, 'a flag beats the short name too');
    assert.deepEqual(envToTree({ LIVE2VOD_PORT: '1', LIVE2VOD_FFMPEG: '/opt/ffmpeg', LIVE2VOD_TASK: '{}', LIVE2VOD_CONFIG: 'x.yaml', OTHER: 'y' }), { server: { port: 1 } }, 'settings of other parts are not configuration keys');
  });

  it('a later layer that switches store.kind replaces the store section of an earlier one', async () => {
    const yaml = await file('sqlite-store.yaml', 'store:\n  kind: sqlite\n  file: /srv/live2vod/jobs.db\n');
    assert.deepEqual((await loadConfig({ file: yaml, env: {} })).store, { kind: 'sqlite', file: '/srv/live2vod/jobs.db' });
    const viaEnv = await loadConfig({ file: yaml, env: { LIVE2VOD_DATABASE_URL: 'postgres://db/live2vod' } });
    assert.deepEqual(viaEnv.store, { kind: 'postgres', url: 'postgres://db/live2vod' });
    const viaFlags = await loadConfig({ file: yaml, env: {}, overrides: { store: { kind: 'postgres', url: 'postgres://db/other' } } });
    assert.deepEqual(viaFlags.store, { kind: 'postgres', url: 'postgres://db/other' });
    // Within one kind, layers still merge.
    const pgFile = await file('pg-store.yaml', 'store:\n  kind: postgres\n  url: postgres://db/a\n  schema: vod\n');
    const merged = await loadConfig({ file: pgFile, env: { LIVE2VOD_DATABASE_URL: 'postgres://db/b' } });
    assert.deepEqual(merged.store, { kind: 'postgres', url: 'postgres://db/b', schema: 'vod' });
  });

  it('refuses unknown keys, naming the key and the layer it came from', async () => {
    const yaml = await file('unknown.yaml', 'sever:\n  port: 1\nserver:\n  prot: 2\n');
    const message = await refusal(loadConfig({ file: yaml, env: { LIVE2VOD_LOG_LEVEL: 'info' }, overrides: { server: { port: 1 } } }));
    assert.match(message, /invalid configuration/);
    assert.match(message, new RegExp(`^  sever: unknown key \\(did you mean server\\?\\) \\(from ${yaml.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)$`, 'm'));
    assert.match(message, new RegExp(`^  server\\.prot: unknown key \\(did you mean port\\?\\) \\(from ${yaml.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)$`, 'm'));

    const fromEnv = await refusal(loadConfig({ env: { LIVE2VOD_INGEST__NGINXRTMP__TOKEN: 'abcdefgh1' } }));
    assert.match(fromEnv, /^ {2}ingest\.nginxrtmp: unknown key \(did you mean nginxRtmp\?\) \(from LIVE2VOD_\* environment\)$/m);
    const fromFlags = await refusal(loadConfig({ env: {}, overrides: { executor: { slots: 2 } } }));
    assert.match(fromFlags, /^ {2}executor\.slots: unknown key \(from command-line flags\)$/m);
    // A near miss names the key meant, wherever it sits (through the executor's union, in a list).
    const typo = await refusal(loadConfig({ env: {}, overrides: { executor: { concurency: 2 }, server: { Port: 9 }, notifications: { endpoints: [{ url: 'https://cms.example/hook', secret: `whsec_${Buffer.from('0123456789abcdef01234567').toString('base64')}`, evnets: ['asset.ready'] }] } } }));
    assert.match(typo, /^ {2}executor\.concurency: unknown key \(did you mean concurrency\?\) \(from command-line flags\)$/m);
    assert.match(typo, /^ {2}server\.Port: unknown key \(did you mean port\?\)/m);
    assert.match(typo, /^ {2}notifications\.endpoints\.0\.evnets: unknown key \(did you mean events\?\)/m);
  });

  it('refuses wrong types and values, naming the key and the layer', async () => {
    const yaml = await file('types.yaml', 'server:\n  port: "eighty"\nexecutor:\n  concurrency: 0\n');
    const message = await refusal(loadConfig({ file: yaml, env: {} }));
    assert.match(message, /^ {2}server\.port: .*expected number.* \(from .*types\.yaml\)$/m);
    assert.match(message, /^ {2}executor\.concurrency: .* \(from .*types\.yaml\)$/m);

    const env = await refusal(loadConfig({ env: { LIVE2VOD_SERVER__PORT: 'abc' } }));
    assert.match(env, /^ {2}server\.port: .*expected number.* \(from LIVE2VOD_\* environment\)$/m);
    const range = await refusal(loadConfig({ env: { LIVE2VOD_PORT: '70000' } }));
    assert.match(range, /server\.port: .*65535.* \(from LIVE2VOD_\* environment\)/);
    const shortToken = await refusal(loadConfig({ env: { LIVE2VOD_API_TOKENS: 'short' } }));
    assert.match(shortToken, /auth\.tokens\.0: must be at least 8 characters \(from LIVE2VOD_\* environment\)/);
    const badUrl = await refusal(loadConfig({ env: { LIVE2VOD_DATABASE_URL: 'mysql://db/x' } }));
    assert.match(badUrl, /store\.url: must be a postgres:\/\/ URL \(from LIVE2VOD_\* environment\)/);
    const priority = await refusal(loadConfig({ env: {}, overrides: { ingest: { srs: { priority: 'asap' } } } }));
    assert.match(priority, /ingest\.srs\.priority: .* \(from command-line flags\)/);    // jobs.trim is a service-wide default: auto or none, never a range (ranges are per recording).
    assert.equal((await loadConfig({ env: {}, overrides: { jobs: { trim: 'auto' } } })).jobs.trim, 'auto');
    const trim = await refusal(loadConfig({ env: {}, overrides: { jobs: { trim: { start: 1, end: 5 } } } }));
    assert.match(trim, /jobs\.trim: .* \(from command-line flags\)/);
  });

  it('refuses a transcode preset the encoder does not take, at start rather than in every job', async () => {
    const message = await refusal(loadConfig({ env: {}, overrides: { transcode: { codec: 'av1', preset: 'veryfast' } } }));
    assert.match(message, /^ {2}transcode\.preset: veryfast is not a preset of libsvtav1: use one of 0, 1, .*13 \(from command-line flags\)$/m);
    assert.equal((await loadConfig({ env: {}, overrides: { transcode: { preset: 'slow' } } })).transcode.preset, 'slow');
  });

  it('says a required key that is set nowhere is missing, and where its section came from', async () => {
    const yaml = await file('endpoint.yaml', 'notifications:\n  endpoints:\n    - url: https://cms.example.com/hooks\n');
    const message = await refusal(loadConfig({ file: yaml, env: {} }));
    assert.match(message, /^ {2}notifications\.endpoints\.0\.secret: required, and not set \(in notifications\.endpoints\.0, from .*endpoint\.yaml\): add it$/m);
    assert.doesNotMatch(message, /from defaults/);
  });

  it('refuses an unreadable or malformed file with its name', async () => {
    const missing = path.join(dir, 'missing.yaml');
    assert.match(await refusal(loadConfig({ file: missing, env: {} })), new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} cannot be read \\(ENOENT\\)`));
    assert.match(await refusal(loadConfig({ file: await file('broken.json', '{"server": '), env: {} })), /broken\.json is not valid JSON/);
    assert.match(await refusal(loadConfig({ file: await file('broken.yaml', 'server: [1, 2\n'), env: {} })), /broken\.yaml is not valid YAML/);
    assert.match(await refusal(loadConfig({ file: await file('list.yaml', '- 1\n- 2\n'), env: {} })), /top level must be a mapping/);
  });
});

describe('live2vod serve with a bad configuration', () => {
  it('exits 2 with the readable message, before listening', async () => {
    const bad = await file('bad.yaml', 'server:\n  port: 8080\n  prot: 9\nexecutor:\n  concurrency: "two"\n');
    const result = await runCli(['serve', '--config', bad, '--data', path.join(dir, 'never')], { env: cleanEnv(), timeoutMs: 30_000 });
    assert.equal(result.code, 2, `exit ${result.code}\n${result.stderr}`);
    assert.match(result.stderr, /^live2vod: invalid configuration:$/m);
    assert.match(result.stderr, /^ {2}server\.prot: unknown key \(did you mean port\?\) \(from .*bad\.yaml\)$/m);
    assert.match(result.stderr, /^ {2}executor\.concurrency: .*expected number.* \(from .*bad\.yaml\)$/m);
    assert.doesNotMatch(result.stdout, /dashboard/, 'it never listened');
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace for a usage error');
  });

  it('names the environment as the origin of a bad LIVE2VOD_* value', async () => {
    const result = await runCli(['serve', '--data', path.join(dir, 'never')], { env: { ...cleanEnv(), LIVE2VOD_SERVER__PORT: 'eighty' }, timeoutMs: 30_000 });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /server\.port: .* \(from LIVE2VOD_\* environment\)/);
  });

  it('refuses a record directory that is missing or not a directory, naming it and the fix, before anything is made', async () => {
    const data = path.join(dir, 'never-made');
    const notADirectory = await file('recordings.txt', 'not a directory');
    for (const [recordDir, why] of [[path.join(dir, 'no-such-dir'), /cannot be used \(ENOENT\)/], [notADirectory, /is not a directory/], ['relative/rec', /\("relative\/rec", relative to the working directory /]] as const) {
      const config = await loadConfig({ env: {}, overrides: { dataDir: data, recordDir } });
      const message = await refusal(startService(config));
      assert.match(message, why);
      assert.match(message, /set recordDir \(--record-dir, LIVE2VOD_RECORD_DIR\) to the directory your recorder writes its recordings into/);
      assert.equal(existsSync(data), false, 'no data directory was made');
    }
  });

  it('makes a record directory inside the data directory, as it makes the inbox', async () => {
    const data = path.join(dir, 'data-with-rec');
    const config = await loadConfig({ env: {}, overrides: { dataDir: data, recordDir: path.join(data, 'rec'), server: { port: 0 }, logLevel: 'silent' } });
    const service = await startService(config);
    try {
      assert.equal(statSync(path.join(data, 'rec')).isDirectory(), true);
    } finally {
      await service.close();
    }
  });

  it('a bad flag value is reported as coming from the flags', async () => {
    const result = await runCli(['serve', '--port', 'x', '--data', path.join(dir, 'never')], { env: cleanEnv(), timeoutMs: 30_000 });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /server\.port: .* \(from command-line flags\)/);
  });
});
