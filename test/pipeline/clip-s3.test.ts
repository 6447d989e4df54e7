// A clip whose parent and destination are s3:// prefixes, against a real S3 API (s3rver): the
// worker reads the parent asset from the bucket and publishes the clip there, manifest.json and all.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { transcodeProfileSchema } from '../../src/jobs/transcode-profile.ts';
import { makeClip } from '../../src/pipeline/clip/make-clip.ts';
import { openObjectStore } from '../../src/storage/open-store.ts';
import { assertCompleteAsset, assertMpdMatchesHls, loadAsset } from '../helpers/asset-checks.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';
import { makeTempDir, makeTestPattern, writeLadder, type TempDir } from '../helpers/media.ts';
import { getBytes, listAll, s3rverCredentials, startS3, useS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

const rungs = [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }];

describe('a clip from an S3 parent to an S3 destination', { timeout: 300_000 }, () => {
  let tmp: TempDir;
  let s3: RunningS3;
  let restoreEnv: () => void;

  before(async () => {
    tmp = await makeTempDir('live2vod-clip-s3-');
    s3 = await startS3(['vod']);
    restoreEnv = useS3rverEnv(s3.endpoint);
    const ladder = await writeLadder(tmp.dir, 'one', rungs);
    const source = await makeTestPattern(tmp.dir, { seconds: 20, width: 320, height: 180, rate: 30, audio: 'sine' });
    const local = path.join(tmp.dir, 'parent');
    // Only its renditions are read by the clip: no download or loudness pass either.
    await runCliInProcess(['transcode', source, '--out', local, '--ladder', ladder, '--preset', 'ultrafast', '--chunk-seconds', '0', '--no-quality', '--no-thumbnails', '--no-download', '--no-loudnorm', '--json']);
    // The parent as a finished asset in the bucket.
    const store = openObjectStore('s3://vod/assets/parent');
    for (const entry of await readdir(local, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.join(entry.parentPath, entry.name);
      const body = await readFile(file);
      await store.put(path.relative(local, file).split(path.sep).join('/'), body, { contentType: 'application/octet-stream', cacheControl: 'no-cache', size: body.length });
    }
    await store.close();
  });

  after(async () => {
    restoreEnv?.();
    await s3?.dispose();
    await tmp?.cleanup();
  });

  it('reads the parent from the bucket and publishes a complete clip there', async () => {
    // No download file: the renditions, playlists and manifest.json published to the bucket are the point.
    const manifest = await makeClip({ ffmpeg: 'ffmpeg', parent: 's3://vod/assets/parent', output: 's3://vod/assets/clip', startSeconds: 4.4, endSeconds: 13.1, profile: transcodeProfileSchema.parse({ ladder: rungs, thumbnails: false, download: false }), signal: new AbortController().signal });
    assert.ok(Math.abs(manifest.duration - (Math.ceil(13.1 * 30) - Math.ceil(4.4 * 30)) / 30) < 0.05, `duration ${manifest.duration}`);
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    const dir = path.join(tmp.dir, 'clip');
    for (const object of await listAll(client, 'vod', 'assets/clip/')) {
      const key = object.Key ?? '';
      const file = path.join(dir, key.slice('assets/clip/'.length));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await getBytes(client, 'vod', key));
    }
    client.destroy();
    const asset = await loadAsset(dir);
    await assertCompleteAsset(asset);
    assertMpdMatchesHls(asset);
  });
});
