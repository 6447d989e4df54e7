// The one parser of sources as users write them: local paths, file:// URLs, s3:// with literal
// keys, http(s) URLs; everything else refused with a message that says what to write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors/index.ts';
import { formatSourceLocation, parseSourceLocation, sourceLocationSchema } from '../../src/jobs/source-location.ts';

function refused(text: string, message: RegExp, options: { cwd?: string } = {}): void {
  assert.throws(() => parseSourceLocation(text, options), (error: unknown) => {
    assert.ok(error instanceof InputError, `InputError for ${text}`);
    assert.match(error.message, message, text);
    return true;
  });
}

describe('parseSourceLocation', () => {
  it('reads absolute local paths, normalised', () => {
    assert.deepEqual(parseSourceLocation('/data/rec/keynote.flv'), { kind: 'local', path: '/data/rec/keynote.flv' });
    assert.deepEqual(parseSourceLocation('/data/rec/../rec/./a b.flv'), { kind: 'local', path: '/data/rec/a b.flv' });
  });

  it('reads file:// URLs as local paths, percent-decoded', () => {
    assert.deepEqual(parseSourceLocation('file:///data/rec/my%20show%2B1.mp4'), { kind: 'local', path: '/data/rec/my show+1.mp4' });
    assert.deepEqual(parseSourceLocation('FILE:///data/a.mp4'), { kind: 'local', path: '/data/a.mp4' });
  });

  it('resolves a relative path against cwd only when one is given (the CLI), and refuses it otherwise', () => {
    assert.deepEqual(parseSourceLocation('rec/a.mp4', { cwd: '/home/me' }), { kind: 'local', path: '/home/me/rec/a.mp4' });
    refused('rec/a.mp4', /is not an absolute path: use an absolute local path, file:\/\/\/absolute\/path, s3:\/\/bucket\/key or an https:\/\/ URL/);
  });

  it('keeps S3 keys literally: spaces, plus signs, percent escapes, query characters, unicode', () => {
    for (const key of ['live/my show+1.mp4', 'a%2Fb/%20.flv', 'x?y=1#z.mp4', 'café 演讲.mp4', 'a//b.mp4', '100%']) {
      const location = parseSourceLocation(`s3://rec/${key}`);
      assert.deepEqual(location, { kind: 's3', bucket: 'rec', key });
      assert.equal(formatSourceLocation(location), `s3://rec/${key}`);
    }
  });

  it('accepts the bucket names uri.ts accepts (S3-compatible servers allow upper case and underscores)', () => {
    assert.deepEqual(parseSourceLocation('s3://Legacy_Bucket.1/x.mp4'), { kind: 's3', bucket: 'Legacy_Bucket.1', key: 'x.mp4' });
    assert.deepEqual(parseSourceLocation('S3://rec/x.mp4'), { kind: 's3', bucket: 'rec', key: 'x.mp4' });
  });

  it('refuses bad buckets and prefixes', () => {
    refused('s3://-rec/x.mp4', /invalid bucket name "-rec"/);
    refused('s3://bad bucket/x.mp4', /invalid bucket name "bad bucket"/);
    refused('s3:///x.mp4', /has no bucket/);
    refused('s3://rec', /names an S3 prefix, not an object/);
    refused('s3://rec/live/', /names an S3 prefix, not an object: write s3:\/\/bucket\/path\/to\/recording.ext/);
  });

  it('reads http(s) URLs, normalised', () => {
    assert.deepEqual(parseSourceLocation('https://Media.Example/rec/a b.mp4?sig=1'), { kind: 'url', url: 'https://media.example/rec/a%20b.mp4?sig=1' });
    assert.deepEqual(parseSourceLocation('HTTP://10.0.0.5:9000/rec/x.mp4'), { kind: 'url', url: 'http://10.0.0.5:9000/rec/x.mp4' });
    refused('https://', /malformed/);
  });

  it('refuses other schemes and saying what to write', () => {
    for (const text of ['ftp://host/x.mp4', 'rtmp://host/live/key', 'gs://bucket/x.mp4']) {
      refused(text, /is not supported in .*: use an absolute local path, file:\/\/\/absolute\/path, s3:\/\/bucket\/key or an https:\/\/ URL/);
    }
    // Without `//` it is no scheme but a relative name: refused without a cwd, a file with one
    // (so `concat:a|b` never reaches ffmpeg as a protocol).
    for (const text of ['data:video/mp4;base64,AAAA', 's3:rec/x.mp4', 'concat:/a.mp4|/b.mp4']) refused(text, /is not an absolute path/);
    assert.deepEqual(parseSourceLocation('concat:/a.mp4|/b.mp4', { cwd: '/work' }), { kind: 'local', path: '/work/concat:/a.mp4|/b.mp4' });
    refused('', /empty source/);
    refused('/data/a\0b.mp4', /NUL/);
  });

  it('reads every formatted location back unchanged (the store keeps the formatted string)', () => {
    for (const text of ['/data/rec/a b.flv', 's3://rec/live/my show+1 100%.mp4', 'https://media.example/a%20b.mp4?x=1']) {
      const location = parseSourceLocation(text);
      assert.deepEqual(parseSourceLocation(formatSourceLocation(location)), location);
    }
  });
});

describe('sourceLocationSchema (the task side)', () => {
  it('accepts what the parser makes and refuses what it would not', () => {
    for (const text of ['/a.mp4', 's3://rec/a b.mp4', 'https://h/x.mp4']) assert.ok(sourceLocationSchema.safeParse(parseSourceLocation(text)).success, text);
    for (const bad of [
      { kind: 'local', path: 'relative.mp4' },
      { kind: 's3', bucket: '-x', key: 'a.mp4' },
      { kind: 's3', bucket: 'rec', key: 'live/' },
      { kind: 'url', url: 'ftp://h/x.mp4' },
      { kind: 'gcs', url: 'gs://x' },
    ]) assert.equal(sourceLocationSchema.safeParse(bad).success, false, JSON.stringify(bad));
  });
});
