import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../src/errors/index.ts';
import { encodeKeyForUrl, joinKey, parseStorageUri } from '../../src/storage/uri.ts';

describe('parseStorageUri', () => {
  it('splits s3://bucket/key at the first slash and keeps the key literally', () => {
    assert.deepEqual(parseStorageUri('s3://vod/prefix/with spaces+plus/ünïcode%2Fslash'), {
      kind: 's3',
      bucket: 'vod',
      key: 'prefix/with spaces+plus/ünïcode%2Fslash',
    });
  });

  it('does not decode percent escapes, plus signs, query or fragment characters', () => {
    assert.equal((parseStorageUri('s3://b/a%20b') as { key: string }).key, 'a%20b');
    assert.equal((parseStorageUri('s3://b/a+b') as { key: string }).key, 'a+b');
    assert.equal((parseStorageUri('s3://b/a?x=1#frag') as { key: string }).key, 'a?x=1#frag');
    assert.equal((parseStorageUri('s3://b/%2F') as { key: string }).key, '%2F');
    assert.equal((parseStorageUri('s3://b/100%') as { key: string }).key, '100%');
  });

  it('keeps trailing and doubled slashes', () => {
    assert.deepEqual(parseStorageUri('s3://vod/assets/'), { kind: 's3', bucket: 'vod', key: 'assets/' });
    assert.deepEqual(parseStorageUri('s3://vod/a//b/'), { kind: 's3', bucket: 'vod', key: 'a//b/' });
    assert.deepEqual(parseStorageUri('s3://vod/'), { kind: 's3', bucket: 'vod', key: '' });
    assert.deepEqual(parseStorageUri('s3://vod'), { kind: 's3', bucket: 'vod', key: '' });
  });

  it('accepts an upper-case scheme', () => {
    assert.deepEqual(parseStorageUri('S3://vod/x'), { kind: 's3', bucket: 'vod', key: 'x' });
  });

  it('refuses a missing or invalid bucket', () => {
    assert.throws(() => parseStorageUri('s3://'), (e: unknown) => e instanceof InputError && /has no bucket/.test(e.message));
    assert.throws(() => parseStorageUri('s3:///key'), (e: unknown) => e instanceof InputError && /has no bucket/.test(e.message));
    assert.throws(() => parseStorageUri('s3://my bucket/key'), (e: unknown) => e instanceof InputError && /invalid bucket name/.test(e.message));
  });

  it('treats plain paths as local, resolved against cwd', () => {
    assert.deepEqual(parseStorageUri('/data/out dir'), { kind: 'local', path: '/data/out dir' });
    assert.deepEqual(parseStorageUri('out/a%20b', '/work'), { kind: 'local', path: '/work/out/a%20b' });
    assert.deepEqual(parseStorageUri('./x:y', '/work'), { kind: 'local', path: '/work/x:y' });
  });

  it('decodes file:// URLs', () => {
    assert.deepEqual(parseStorageUri('file:///data/out%20dir/%C3%BC'), { kind: 'local', path: '/data/out dir/ü' });
    assert.deepEqual(parseStorageUri('file:///data/a+b'), { kind: 'local', path: '/data/a+b' });
  });

  it('refuses file URLs that cannot be paths', () => {
    assert.throws(() => parseStorageUri('file:///data/a%2Fb'), (e: unknown) => e instanceof InputError && /file URL/.test(e.message));
    assert.throws(() => parseStorageUri('file://otherhost/data'), (e: unknown) => e instanceof InputError);
  });

  it('refuses other schemes with a message naming the supported ones', () => {
    for (const uri of ['gs://bucket/x', 'https://example.com/x', 'http://h/x', 'ftp://h/x', 'azure://c/x']) {
      assert.throws(
        () => parseStorageUri(uri),
        (e: unknown) => e instanceof InputError && e.message.includes('unsupported storage location scheme') && e.message.includes('s3://bucket/prefix'),
        uri,
      );
    }
  });

  it('refuses an empty location', () => {
    assert.throws(() => parseStorageUri(''), InputError);
  });
});

describe('key helpers', () => {
  it('encodes each key segment for URLs, literal %2F included', () => {
    assert.equal(encodeKeyForUrl('a b/c+d/ü%2Fx.m4s'), 'a%20b/c%2Bd/%C3%BC%252Fx.m4s');
  });

  it('joins prefixes and keys', () => {
    assert.equal(joinKey('', 'a'), 'a');
    assert.equal(joinKey('p', 'a'), 'p/a');
    assert.equal(joinKey('p/', 'a'), 'p/a');
  });
});
