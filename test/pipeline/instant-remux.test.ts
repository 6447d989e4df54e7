// The instant remux is playable from its first segment, not after the whole copy: `playable` is
// announced while the copy still runs (held to real time here by a wrapper that adds -re, as a
// long recording would take its time), with an EVENT playlist that lists what exists so far and
// ends with ENDLIST once the copy is done — locally and mirrored to an S3 destination.

import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { S3Client, HeadObjectCommand } from '@aws-sdk/client-s3';
import { resolveBinaries } from '../../src/ffmpeg/binaries.ts';
import type { TranscodeEvent } from '../../src/pipeline/events.ts';
import { requestFromProfile } from '../../src/pipeline/request-from-profile.ts';
import { transcodeAnywhere } from '../../src/pipeline/transcode-anywhere.ts';
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import { transcodeProfileSchema } from '../../src/jobs/transcode-task.ts';
import { makeTempDir, makeTestPattern, type TempDir } from '../helpers/media.ts';
import { getBytes, s3rverCredentials, startS3, useS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

function segmentsListed(playlist: string): string[] {
  return playlist.split('\n').filter((line) => line.endsWith('.m4s'));
}

// The two copies run side by side: each waits on real time, not on the CPU.
describe('instant remux: playable at the first segment, the playlist grows to ENDLIST', { concurrency: true }, () => {
  let tmp: TempDir;
  let source: string;
  let slowFfmpeg: string;

  before(async () => {
    tmp = await makeTempDir('live2vod-instant-');
    source = await makeTestPattern(tmp.dir, { seconds: 14, width: 320, height: 180, rate: 30, audio: 'sine', name: 'rec.mp4' });
    // Real ffmpeg; the remux (the only HLS output) reads its input at real-time speed.
    slowFfmpeg = path.join(tmp.dir, 'ffmpeg-realtime-remux');
    await writeFile(slowFfmpeg, ['#!/bin/sh', 'case " $* " in *" hls "*) exec ffmpeg -re "$@" ;; esac', 'exec ffmpeg "$@"', ''].join('\n'));
    await chmod(slowFfmpeg, 0o755);
  });
  after(() => tmp?.cleanup());

  const request = (outDir: string, onEvent: (event: TranscodeEvent) => void) => {
    const profile = transcodeProfileSchema.parse({ ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], thumbnails: false, download: false, loudness: false, preset: 'ultrafast' });
    const built = requestFromProfile(profile, { outDir, binaries: { ...resolveBinaries({}), ffmpeg: slowFfmpeg } });
    built.onEvent = onEvent;
    return built;
  };

  test('local: announced while the copy runs, EVENT playlist without ENDLIST then; ENDLIST and every segment at the end', async () => {
    const out = path.join(tmp.dir, 'local');
    const playlistFile = path.join(out, 'instant', 'index.m3u8');
    let atPlayable: { playlist: string; ms: number } | undefined;
    let remuxEndMs: number | undefined;
    const started = performance.now();
    const pending: Promise<void>[] = [];
    await transcodeAnywhere({ kind: 'local', path: source }, request(out, (event) => {
      if (event.type === 'playable') pending.push(readFile(playlistFile, 'utf8').then((playlist) => { atPlayable = { playlist, ms: performance.now() - started }; }));
      if (event.type === 'step' && event.step === 'remux' && event.state === 'end') remuxEndMs = performance.now() - started;
    }), defaultSourceFetch);
    await Promise.all(pending);
    assert.ok(atPlayable && remuxEndMs !== undefined);
    assert.ok(atPlayable.ms < remuxEndMs - 5000, `playable at ${Math.round(atPlayable.ms)} ms, the copy ended at ${Math.round(remuxEndMs)} ms`);
    assert.match(atPlayable.playlist, /#EXT-X-PLAYLIST-TYPE:EVENT/);
    assert.doesNotMatch(atPlayable.playlist, /#EXT-X-ENDLIST/);
    assert.ok(segmentsListed(atPlayable.playlist).length >= 1);
    const final = await readFile(playlistFile, 'utf8');
    assert.match(final, /#EXT-X-ENDLIST/);
    const listed = segmentsListed(final);
    assert.ok(listed.length > segmentsListed(atPlayable.playlist).length, 'the playlist grew');
    for (const name of listed) assert.ok((await readFile(path.join(out, 'instant', name))).length > 0, `${name} exists`);
  });

  describe('S3 destination', () => {
    let s3: RunningS3;
    let restoreEnv: () => void;
    let client: S3Client;
    before(async () => {
      s3 = await startS3(['vod']);
      restoreEnv = useS3rverEnv(s3.endpoint);
      client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    });
    after(async () => {
      client?.destroy();
      restoreEnv?.();
      await s3?.dispose();
    });

    test('the growing playlist is mirrored: at playable its segments are there, at the end ENDLIST, no-cache', async () => {
      const prefix = 'assets/instant-job';
      let checked: Promise<{ listed: string[]; missing: string[] }> | undefined;
      await transcodeAnywhere({ kind: 'local', path: source }, {
        ...request(`s3://vod/${prefix}`, (event) => {
          if (event.type !== 'playable') return;
          checked = (async () => {
            const playlist = (await getBytes(client, 'vod', `${prefix}/instant/index.m3u8`)).toString('utf8');
            const listed = ['init.mp4', ...segmentsListed(playlist)];
            const missing: string[] = [];
            for (const name of listed) await getBytes(client, 'vod', `${prefix}/instant/${name}`).catch(() => missing.push(name));
            return { listed, missing };
          })();
        }),
        scratchRoot: path.join(tmp.dir, 'scratch'),
      }, defaultSourceFetch);
      assert.ok(checked, 'playable was announced');
      const atPlayable = await checked;
      assert.ok(atPlayable.listed.length >= 2, 'the playlist at the destination lists a segment when playable is announced');
      assert.deepEqual(atPlayable.missing, [], 'every file it lists is already there');
      const final = (await getBytes(client, 'vod', `${prefix}/instant/index.m3u8`)).toString('utf8');
      assert.match(final, /#EXT-X-ENDLIST/);
      for (const name of segmentsListed(final)) await getBytes(client, 'vod', `${prefix}/instant/${name}`);
      const head = await client.send(new HeadObjectCommand({ Bucket: 'vod', Key: `${prefix}/instant/index.m3u8` }));
      assert.equal(head.CacheControl, 'no-cache', 'a growing playlist must not be cached');
    });
  });
});
