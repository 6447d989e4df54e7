// A clip whose parts run side by side fails with the error of the part that failed, not with the
// cancel that failure caused in the others, and leaves nothing behind: a real parent, an ffmpeg
// that fails only the pictures (a wrapper around the real one).
import assert from 'node:assert/strict';
import { chmod, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { CancelledError } from '../../src/errors/index.ts';
import { transcodeProfileSchema } from '../../src/jobs/transcode-profile.ts';
import { makeClip } from '../../src/pipeline/clip/make-clip.ts';
import { makeTempDir, makeTestPattern, runCliOk, writeLadder, type TempDir } from '../helpers/media.ts';

const rungs = [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }];
let tmp: TempDir;
let parent: string;

before(async () => {
  tmp = await makeTempDir('live2vod-clip-failure-');
  const ladder = await writeLadder(tmp.dir, 'one', rungs);
  const source = await makeTestPattern(tmp.dir, { seconds: 20, width: 320, height: 180, rate: 30, audio: 'sine' });
  parent = path.join(tmp.dir, 'parent');
  await runCliOk(['transcode', source, '--out', parent, '--ladder', ladder, '--preset', 'ultrafast', '--chunk-seconds', '0', '--no-quality', '--json']);
});
after(() => tmp?.cleanup());

it('the pictures fail: the clip rejects with that ffmpeg failure, not a cancel, and no output is left', async () => {
  const ffmpeg = path.join(tmp.dir, 'ffmpeg-no-pictures.sh');
  await writeFile(ffmpeg, ['#!/bin/sh', 'case " $* " in *pictures-source*) echo "simulated failure of the pictures" >&2; exit 1 ;; esac', 'exec ffmpeg "$@"', ''].join('\n'));
  await chmod(ffmpeg, 0o755);
  const output = path.join(tmp.dir, 'clip');
  await assert.rejects(
    makeClip({ ffmpeg, parent, output, startSeconds: 3.3, endSeconds: 15.5, profile: transcodeProfileSchema.parse({ ladder: rungs }), signal: new AbortController().signal }),
    (error: unknown) => !(error instanceof CancelledError) && error instanceof Error && /simulated failure of the pictures|exit(ed)? (code )?1/.test(`${error.message} ${'stderrTail' in error ? String(error.stderrTail) : ''}`),
  );
  assert.deepEqual((await readdir(tmp.dir)).filter((name) => name.startsWith('clip')), [], 'no clip directory is left');
});
