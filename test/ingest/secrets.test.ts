import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertTokenConfig, bearerToken, constantTimeEqual, headerValue, queryValue, requestTokens, requireToken } from '../../src/ingest/secrets.ts';
import { expectIntakeError, inbound } from './helpers.ts';

describe('constantTimeEqual', () => {
  it('compares strings and bytes of any length', () => {
    assert.equal(constantTimeEqual('s3cret', 's3cret'), true);
    assert.equal(constantTimeEqual('s3cret', 's3creT'), false);
    assert.equal(constantTimeEqual('short', 'a much longer value'), false);
    assert.equal(constantTimeEqual('', ''), true);
    assert.equal(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3])), true);
    assert.equal(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2])), false);
  });
});

describe('token extraction', () => {
  it('reads headers case-insensitively, first value of a repeated header', () => {
    assert.equal(headerValue({ 'X-Thing': 'a' }, 'x-thing'), 'a');
    assert.equal(headerValue({ 'x-thing': ['a', 'b'] }, 'X-Thing'), 'a');
    assert.equal(headerValue({}, 'x-thing'), undefined);
  });

  it('reads Bearer tokens, scheme case-insensitive', () => {
    assert.equal(bearerToken({ authorization: 'Bearer abc.def' }), 'abc.def');
    assert.equal(bearerToken({ authorization: 'bearer   abc' }), 'abc');
    assert.equal(bearerToken({ authorization: 'Basic dXNlcjpwYXNz' }), undefined);
    assert.equal(bearerToken({ authorization: 'Bearer' }), undefined);
  });

  it('takes the first value of a repeated query parameter (frameworks hand over arrays)', () => {
    const repeated = JSON.parse('{"token":["a","b"]}') as Record<string, string | undefined>;
    assert.equal(queryValue(repeated, 'token'), 'a');
    assert.deepEqual(requestTokens(inbound({ query: repeated })), ['a']);
    assert.equal(queryValue({}, 'token'), undefined);
  });

  it('collects ?token= and Bearer, and the raw Authorization value only when asked', () => {
    const request = inbound({ query: { token: 'q' }, headers: { authorization: 'Bearer b' } });
    assert.deepEqual(requestTokens(request), ['q', 'b']);
    const raw = inbound({ headers: { authorization: 'rawtoken' } });
    assert.deepEqual(requestTokens(raw), []);
    assert.deepEqual(requestTokens(raw, { rawAuthorization: true }), ['rawtoken']);
  });
});

describe('requireToken', () => {
  it('passes when no token is configured', () => {
    requireToken(undefined, [], 'anywhere');
  });

  it('refuses a missing token with 401 and says where to put it', async () => {
    await expectIntakeError(() => requireToken('abc', [undefined, ''], 'add ?token='), 401, /missing token: add \?token=/);
  });

  it('refuses a wrong token with 401, accepts when any offered token matches', async () => {
    await expectIntakeError(() => requireToken('abc', ['abd'], 'x'), 401, /invalid token/);
    requireToken('abc', ['nope', 'abc'], 'x');
  });

  it('refuses an empty configured token at construction', () => {
    assert.throws(() => assertTokenConfig('  ', 'nginx-rtmp'), /empty string/);
    assertTokenConfig(undefined, 'nginx-rtmp');
  });
});
