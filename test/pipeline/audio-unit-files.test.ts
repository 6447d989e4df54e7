// The files the audio unit leaves for the stitch (uploaded to and fetched from an object store
// work area): every audio track's init segment and segments, not only the default track's. Pure.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audioUnitFiles } from '../../src/pipeline/chunked/unit-files.ts';
import { makeTrack } from '../helpers/packaged-tracks.ts';

test('every audio track of the unit is listed, under the unit prefix and at its place in the asset', () => {
  const english = makeTrack({ id: 'aac-128k', kind: 'audio', durations: [6.016, 1], peak: 131_000, average: 129_000, codec: 'mp4a.40.2' });
  const german = makeTrack({ id: 'aac-128k-2', kind: 'audio', durations: [6.016, 1], peak: 131_000, average: 129_000, codec: 'mp4a.40.2' });
  const files = audioUnitFiles({ track: english, alternateTracks: [german] });
  assert.deepEqual(files.map((f) => f.rel), [
    'audio/aac-128k/init.mp4', 'audio/aac-128k/seg-00001.m4s', 'audio/aac-128k/seg-00002.m4s',
    'audio/aac-128k-2/init.mp4', 'audio/aac-128k-2/seg-00001.m4s', 'audio/aac-128k-2/seg-00002.m4s',
  ]);
  assert.ok(files.every((f) => f.key === `.live2vod-chunks/audio/${f.rel}`));
  assert.equal(audioUnitFiles({ track: english }).length, 3, 'one track: as before');
});
