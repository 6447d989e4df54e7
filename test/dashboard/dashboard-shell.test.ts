// composePage: the shared page header put into a dashboard page (src/http/dashboard-shell.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composePage } from '../../src/http/dashboard-shell.ts';

const header = '<!-- what this file is -->\n  <header><nav><a href="/">Jobs</a> <a href="/api">API $&</a></nav></header>\n';

describe('composePage', () => {
  it('puts the fragment in place of the marker, without its own comment, and marks the current link', () => {
    assert.equal(composePage('<body>\n  <!-- page-header -->\n</body>', header), '<body>\n  <header><nav><a href="/">Jobs</a> <a href="/api">API $&</a></nav></header>\n</body>');
    assert.match(composePage('<!-- page-header current="/api" -->', header), /<a href="\/api" aria-current="page">API \$&<\/a>/);
  });

  it('refuses a page without exactly one marker, or a current link the header lacks', () => {
    assert.throws(() => composePage('<body></body>', header), /exactly one/);
    assert.throws(() => composePage('<!-- page-header --><!-- page-header -->', header), /not 2/);
    assert.throws(() => composePage('<!-- page-header current="/nope" -->', header), /no link to \/nope/);
  });
});
