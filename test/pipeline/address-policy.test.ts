// The address policy: classification of IPv4/IPv6 addresses (table tests), allowlist entries and
// the vetting of resolved host names with an injected resolver. Pure: no network.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AddressPolicy, canonicalIp, classifyAddress, parseAllowEntry, type AddressClass, type Resolver } from '../../src/pipeline/address-policy.ts';

const table: ReadonlyArray<readonly [string, AddressClass]> = [
  // IPv4
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['93.184.216.34', 'public'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['100.63.255.255', 'public'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['100.128.0.0', 'public'],
  ['100.100.100.200', 'metadata'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.0.1', 'link-local'],
  ['169.254.169.254', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['172.15.255.255', 'public'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.0', 'public'],
  ['192.0.0.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.20.0.0', 'public'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  // IPv6
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['[::1]', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['[::ffff:127.0.0.1]', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'metadata'],
  ['::ffff:8.8.8.8', 'public'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::127.0.0.1', 'reserved'], // IPv4-compatible, deprecated
  ['64:ff9b::7f00:1', 'loopback'], // NAT64 of 127.0.0.1
  ['64:ff9b::808:808', 'public'], // NAT64 of 8.8.8.8
  ['64:ff9b:1::1', 'private'],
  ['2002:a00:1::1', 'private'], // 6to4 of 10.0.0.1
  ['2002:808:808::1', 'public'],
  ['fc00::1', 'private'],
  ['fd12:3456::1', 'private'],
  ['fd00:ec2::254', 'metadata'],
  ['fd00:ec2::253', 'private'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'private'],
  ['ff02::1', 'multicast'],
  ['ff05::1:3', 'multicast'],
  ['100::1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['2001::1', 'reserved'], // Teredo
  ['3fff::1', 'reserved'],
  ['2606:4700:4700::1111', 'public'],
  ['2a00:1450:4001:80b::200e', 'public'],
  ['4000::1', 'reserved'], // outside 2000::/3
  // not addresses at all
  ['localhost', 'reserved'],
  ['', 'reserved'],
  ['127.1', 'reserved'],
  ['1.2.3.256', 'reserved'],
];

describe('classifyAddress', () => {
  for (const [ip, expected] of table) {
    test(`${ip || '(empty)'} is ${expected}`, () => {
      assert.equal(classifyAddress(ip), expected);
    });
  }
});

describe('canonicalIp', () => {
  test('unmaps IPv4-mapped IPv6 and compresses IPv6', () => {
    assert.equal(canonicalIp('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(canonicalIp('::ffff:7f00:1'), '127.0.0.1');
    assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canonicalIp('[FD00:0EC2:0:0:0:0:0:254]'), 'fd00:ec2::254');
    assert.equal(canonicalIp('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(canonicalIp('example.com'), undefined);
  });
});

describe('parseAllowEntry', () => {
  test('accepts IPs, CIDRs and hosts, with optional ports', () => {
    for (const entry of ['127.0.0.1', '127.0.0.1:9000', '10.0.0.0/8', '10.0.0.0/8:9000', '::1', '[::1]', '[::1]:9000', 'fd00::/8', '[fd00::]/8:9000', 'minio.internal', 'minio.internal:9000', '*.svc.cluster.local']) {
      assert.notEqual(parseAllowEntry(entry), undefined, entry);
    }
  });
  test('rejects nonsense', () => {
    for (const entry of ['', 'bad entry', '10.0.0.0/33', '127.0.0.1:0', '127.0.0.1:70000', '[::1', '[::1]x', 'host:port', 'a..b']) {
      assert.equal(parseAllowEntry(entry), undefined, entry);
    }
  });
  test('the policy refuses to start with a bad entry, naming the setting', () => {
    assert.throws(() => new AddressPolicy({ allow: ['not an entry'] }), /sourceFetch\.allow: "not an entry"/);
  });
});

describe('AddressPolicy.check', () => {
  const none = new AddressPolicy();
  test('public addresses are allowed without an allowlist', () => {
    assert.equal(none.check({ address: '8.8.8.8', port: 443 }).allowed, true);
    assert.equal(none.check({ address: '2606:4700:4700::1111', port: 443 }).allowed, true);
  });
  test('everything else is refused with a reason that says how to allow it', () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.1', '192.168.1.1', '100.64.0.1', 'fd00::1', 'fe80::1', '169.254.169.254', '0.0.0.0', '224.0.0.1', '240.0.0.1']) {
      const decision = none.check({ address, port: 80 });
      assert.equal(decision.allowed, false, address);
      assert.match(decision.reason, /sourceFetch\.allow|unless/, address);
    }
    const loopback = none.check({ address: '127.0.0.1', port: 8080 });
    assert.match(loopback.reason, /127\.0\.0\.1 is a loopback address; to allow it, add "127\.0\.0\.1:8080"/);
    const named = none.check({ address: '10.1.2.3', port: 9000, host: 'minio.internal' });
    assert.match(named.reason, /10\.1\.2\.3 \(resolved from minio\.internal\) is a private-network address; to allow it, add "minio\.internal:9000"/);
  });
  test('CIDR and IP entries allow what they cover, on their port if they name one', () => {
    const policy = new AddressPolicy({ allow: ['10.0.0.0/8', '127.0.0.1:9000', '[::1]:9001', 'fd00::/8'] });
    assert.equal(policy.check({ address: '10.9.8.7', port: 1 }).allowed, true);
    assert.equal(policy.check({ address: '127.0.0.1', port: 9000 }).allowed, true);
    assert.equal(policy.check({ address: '::ffff:127.0.0.1', port: 9000 }).allowed, true);
    assert.equal(policy.check({ address: '127.0.0.1', port: 9001 }).allowed, false);
    assert.equal(policy.check({ address: '127.0.0.2', port: 9000 }).allowed, false);
    assert.equal(policy.check({ address: '::1', port: 9001 }).allowed, true);
    assert.equal(policy.check({ address: '::1', port: 9000 }).allowed, false);
    assert.equal(policy.check({ address: 'fd12::1', port: 80 }).allowed, true);
    assert.equal(policy.check({ address: '192.168.1.1', port: 80 }).allowed, false);
  });
  test('host entries allow what that name resolves to, but never a metadata endpoint', () => {
    const policy = new AddressPolicy({ allow: ['minio.internal:9000', '*.svc.cluster.local'] });
    assert.equal(policy.check({ address: '10.1.2.3', port: 9000, host: 'minio.internal' }).allowed, true);
    assert.equal(policy.check({ address: '10.1.2.3', port: 9000, host: 'MINIO.internal.' }).allowed, true);
    assert.equal(policy.check({ address: '10.1.2.3', port: 9001, host: 'minio.internal' }).allowed, false);
    assert.equal(policy.check({ address: '10.1.2.3', port: 9000, host: 'other.internal' }).allowed, false);
    assert.equal(policy.check({ address: '10.1.2.3', port: 80, host: 'minio.ns.svc.cluster.local' }).allowed, true);
    assert.equal(policy.check({ address: '10.1.2.3', port: 80, host: 'svc.cluster.local' }).allowed, false);
    assert.equal(policy.check({ address: '169.254.169.254', port: 9000, host: 'minio.internal' }).allowed, false);
    assert.equal(policy.check({ address: '0.0.0.0', port: 9000, host: 'minio.internal' }).allowed, false);
  });
  test('metadata, unspecified and multicast need an entry naming that exact address', () => {
    const wide = new AddressPolicy({ allow: ['0.0.0.0/0', '::/0'] });
    assert.equal(wide.check({ address: '169.254.169.254', port: 80 }).allowed, false);
    assert.equal(wide.check({ address: 'fd00:ec2::254', port: 80 }).allowed, false);
    assert.equal(wide.check({ address: '0.0.0.0', port: 80 }).allowed, false);
    assert.equal(wide.check({ address: '10.0.0.1', port: 80 }).allowed, true);
    const exact = new AddressPolicy({ allow: ['169.254.169.254'] });
    assert.equal(exact.check({ address: '169.254.169.254', port: 80 }).allowed, true);
  });
});

describe('AddressPolicy.vet', () => {
  const fake = (answers: Record<string, string[]>): Resolver & { calls: string[] } => {
    const calls: string[] = [];
    const resolve = async (hostname: string) => {
      calls.push(hostname);
      const addresses = answers[hostname];
      if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      return addresses.map((address) => ({ address, family: address.includes(':') ? (6 as const) : (4 as const) }));
    };
    return Object.assign(resolve, { calls });
  };

  test('IP literals are not resolved', async () => {
    const resolve = fake({});
    const policy = new AddressPolicy({ resolve });
    assert.deepEqual(await policy.vet('8.8.8.8', 80), { allowed: true, addresses: [{ address: '8.8.8.8', family: 4 }] });
    assert.equal((await policy.vet('::1', 80)).allowed, false);
    assert.deepEqual(resolve.calls, []);
  });
  test('one refused address refuses the host', async () => {
    const policy = new AddressPolicy({ resolve: fake({ 'mixed.test': ['8.8.8.8', '10.0.0.1'], 'public.test': ['8.8.8.8', '2606:4700:4700::1111'] }) });
    const mixed = await policy.vet('mixed.test', 80);
    assert.equal(mixed.allowed, false);
    assert.match(mixed.allowed ? '' : mixed.reason, /10\.0\.0\.1 \(resolved from mixed\.test\) is a private-network address/);
    const pub = await policy.vet('public.test', 443);
    assert.equal(pub.allowed, true);
    assert.equal(pub.allowed && pub.addresses.length, 2);
  });
  test('no address at all is refused; resolver errors propagate', async () => {
    const policy = new AddressPolicy({ resolve: fake({ 'empty.test': [] }) });
    assert.equal((await policy.vet('empty.test', 80)).allowed, false);
    await assert.rejects(policy.vet('missing.test', 80), { code: 'ENOTFOUND' });
  });
});
