import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectHeaders } from '../../src/storage/content-types.ts';

const immutable = 'public, max-age=31536000, immutable';
const short = 'public, max-age=60';

describe('objectHeaders', () => {
  const table: [string, string, string][] = [
    ['master.m3u8', 'application/vnd.apple.mpegurl', short],
    ['video/720p/index.m3u8', 'application/vnd.apple.mpegurl', short],
    // The instant remux's playlist grows while it is copied: never cached.
    ['instant/index.m3u8', 'application/vnd.apple.mpegurl', 'no-cache'],
    ['assets/job-1/instant/index.m3u8', 'application/vnd.apple.mpegurl', 'no-cache'],
    ['assets/job-1/instant/seg-00001.m4s', 'video/iso.segment', immutable],
    ['manifest.mpd', 'application/dash+xml', short],
    ['video/720p/seg-00001.m4s', 'video/iso.segment', immutable],
    ['video/720p/init.mp4', 'video/mp4', immutable],
    ['download/asset.mp4', 'video/mp4', immutable],
    ['audio/en/audio.m4a', 'audio/mp4', immutable],
    ['subtitles/en.vtt', 'text/vtt', short],
    ['thumbs/0001.jpg', 'image/jpeg', immutable],
    ['thumbs/0001.JPG', 'image/jpeg', immutable],
    ['manifest.json', 'application/json', 'no-cache'],
    ['a/b/manifest.json', 'application/json', 'no-cache'],
    ['notes.bin', 'application/octet-stream', short],
    ['no-extension', 'application/octet-stream', short],
    ['.m3u8', 'application/octet-stream', short],
    ['dir.m3u8/file', 'application/octet-stream', short],
  ];
  for (const [name, contentType, cacheControl] of table) {
    it(`${name} → ${contentType}; ${cacheControl}`, () => {
      assert.deepEqual(objectHeaders(name), { contentType, cacheControl });
    });
  }

  it('returns a fresh object each time', () => {
    const a = objectHeaders('x.m4s');
    a.contentType = 'changed';
    assert.equal(objectHeaders('x.m4s').contentType, 'video/iso.segment');
  });
});
