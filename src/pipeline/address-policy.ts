// Which network addresses a source download may reach. Sources given as http(s) URLs come from
// webhooks and API callers, so without a policy a job could make the worker fetch the cloud
// metadata service, the control plane's internal API or anything else on the private network
// (server-side request forgery). Only public unicast addresses are allowed by default; an operator
// allowlists the private ones a deployment needs (a MinIO on the cluster network, a test server).
//
// The decision is made on the RESOLVED address, never on the name: `classifyAddress` is pure, and
// `AddressPolicy.vet` resolves a host once (injectable resolver, `dns.lookup` by default) and
// checks every address it got. The downloader then connects to exactly those vetted addresses.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

/** The setting an operator edits to allow more; named in every refusal. */
export const DEFAULT_ALLOWLIST_SETTING = 'sourceFetch.allow';

// --- parsing ------------------------------------------------------------------------------------------

type ParsedIp = ipaddr.IPv4 | ipaddr.IPv6;

function stripBracketsAndZone(ip: string): string {
  let text = ip.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  return text;
}

function parseIp(ip: string): ParsedIp | undefined {
  const text = stripBracketsAndZone(ip);
  // Only the standard forms (node's isIP): ipaddr.js alone would also read 0x7f.1 or 2130706433,
  // which URLs and resolvers may not see as the same address.
  const family = isIP(text);
  if (family === 0) return undefined;
  return ipaddr.parse(family === 6 ? hexTail(text) : text);
}

/**
 * A dotted IPv4 tail as two hex words: ipaddr.js reads "::1.2.3.4" (IPv4-compatible, reserved) as
 * "::ffff:1.2.3.4" (IPv4-mapped), which would let an allowlisted IPv4 address cover it.
 */
function hexTail(text: string): string {
  const tail = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail === null) return text;
  const [a, b, c, d] = tail.slice(2).map(Number) as [number, number, number, number];
  return `${tail[1] ?? ''}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

function familyOf(ip: ParsedIp): 4 | 6 {
  return ip.kind() === 'ipv4' ? 4 : 6;
}

/** `::ffff:a.b.c.d` is the IPv4 address a.b.c.d; everything else stays as it is. */
function unmap(ip: ParsedIp): ParsedIp {
  return ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() ? ip.toIPv4Address() : ip;
}

/** The canonical text of an IP address (IPv4-mapped IPv6 becomes IPv4, IPv6 as RFC 5952), or undefined if it is not one. */
export function canonicalIp(ip: string): string | undefined {
  const parsed = parseIp(ip);
  return parsed === undefined ? undefined : unmap(parsed).toString();
}

// --- CIDR ---------------------------------------------------------------------------------------------

/** A network: ipaddr.js's own [address, prefix length] pair. */
type Cidr = [ParsedIp, number];

function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const max = familyOf(ip) === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  // An IPv4-mapped network (::ffff:10.0.0.0/104) is the IPv4 network it maps.
  if (ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() && prefix >= 96) return [ip.toIPv4Address(), prefix - 96];
  return [ip, prefix];
}

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`bad built-in CIDR ${text}`);
  return parsed;
}

function inCidr(ip: ParsedIp, range: Cidr): boolean {
  // ipaddr.js throws on a family mismatch; for us it is simply no match.
  return ip.kind() === range[0].kind() && ip.match(range);
}

// --- classification -----------------------------------------------------------------------------------

const metadata = 'metadata' as const;

/** First match wins; anything else IPv4 is public. */
const ipv4Table: ReadonlyArray<readonly [Cidr, AddressClass]> = [
  [cidr('169.254.169.254/32'), metadata], // AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean…
  [cidr('169.254.170.2/32'), metadata], // AWS ECS task credentials
  [cidr('169.254.170.23/32'), metadata], // AWS EKS pod identity
  [cidr('100.100.100.200/32'), metadata], // Alibaba Cloud
  [cidr('0.0.0.0/8'), 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'private'], // carrier-grade NAT, also used inside clusters
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved'], // IETF protocol assignments
  [cidr('192.0.2.0/24'), 'reserved'], // TEST-NET-1
  [cidr('192.88.99.0/24'), 'reserved'], // 6to4 relay anycast (deprecated)
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'reserved'], // benchmarking
  [cidr('198.51.100.0/24'), 'reserved'], // TEST-NET-2
  [cidr('203.0.113.0/24'), 'reserved'], // TEST-NET-3
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('240.0.0.0/4'), 'reserved'], // future use, and 255.255.255.255 broadcast
];

/** First match wins; outside 2000::/3 everything is reserved. IPv4-mapped addresses never get here. */
const ipv6Table: ReadonlyArray<readonly [Cidr, AddressClass]> = [
  [cidr('fd00:ec2::254/128'), metadata], // AWS instance metadata over IPv6
  [cidr('fd00:ec2::23/128'), metadata], // AWS EKS pod identity over IPv6
  [cidr('fd20:ce::254/128'), metadata], // GCP metadata over IPv6
  [cidr('::/128'), 'unspecified'],
  [cidr('::1/128'), 'loopback'],
  [cidr('64:ff9b:1::/48'), 'private'], // local-use NAT64
  [cidr('100::/64'), 'reserved'], // discard-only
  [cidr('2001:db8::/32'), 'reserved'], // documentation
  [cidr('2001::/23'), 'reserved'], // IETF protocol assignments (Teredo, benchmarking, ORCHID…)
  [cidr('3fff::/20'), 'reserved'], // documentation
  [cidr('5f00::/16'), 'reserved'], // SRv6 SIDs
  [cidr('fc00::/7'), 'private'], // unique local
  [cidr('fe80::/10'), 'link-local'],
  [cidr('fec0::/10'), 'private'], // site-local (deprecated)
  [cidr('ff00::/8'), 'multicast'],
  [cidr('2000::/3'), 'public'],
];

/** Prefixes that carry an IPv4 address; they are as dangerous as the address they carry. */
const nat64 = cidr('64:ff9b::/96');
const sixToFour = cidr('2002::/16');

function classifyParsed(ip: ParsedIp): AddressClass {
  const address = unmap(ip);
  if (address.kind() === 'ipv4') {
    for (const [range, kind] of ipv4Table) if (inCidr(address, range)) return kind;
    return 'public';
  }
  const bytes = address.toByteArray();
  if (inCidr(address, nat64)) return classifyParsed(ipaddr.fromByteArray(bytes.slice(12, 16)));
  if (inCidr(address, sixToFour)) return classifyParsed(ipaddr.fromByteArray(bytes.slice(2, 6)));
  for (const [range, kind] of ipv6Table) if (inCidr(address, range)) return kind;
  return 'reserved';
}

/**
 * What kind of address `ip` is (IPv4 or IPv6, with or without brackets or a zone). IPv4-mapped,
 * NAT64 and 6to4 IPv6 addresses are classified by the IPv4 address they carry. Text that is not
 * an IP address is 'reserved', so it is never mistaken for a public address.
 */
export function classifyAddress(ip: string): AddressClass {
  const parsed = parseIp(ip);
  return parsed === undefined ? 'reserved' : classifyParsed(parsed);
}

const describeClass: Record<AddressClass, string> = {
  public: 'a public address',
  loopback: 'a loopback address',
  private: 'a private-network address',
  'link-local': 'a link-local address',
  metadata: 'a cloud metadata endpoint',
  unspecified: 'an unspecified address (0.0.0.0 / ::)',
  multicast: 'a multicast address',
  reserved: 'a reserved or special-purpose address',
};

/** Classes that only an entry naming that exact address can allow (no CIDR, no host name). */
const exactOnly: ReadonlySet<AddressClass> = new Set(['metadata', 'unspecified', 'multicast']);

// --- allowlist ----------------------------------------------------------------------------------------

type AllowEntry =
  | { kind: 'cidr'; range: Cidr; exact: boolean; port?: number | undefined; text: string }
  | { kind: 'host'; host: string; wildcard: boolean; port?: number | undefined; text: string };

function normalizeHost(host: string): string | undefined {
  let name = host.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  const ascii = domainToASCII(name);
  if (ascii === '' || !/^[a-z0-9.-]+$/.test(ascii) || ascii.startsWith('.') || ascii.includes('..')) return undefined;
  return ascii;
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Parses one allowlist entry: an IP (`10.1.2.3`, `::1`, `[::1]`), a CIDR (`10.0.0.0/8`,
 * `fd00::/8`), a host name (`minio.internal`, `*.svc.cluster.local`), each optionally with a port
 * (`127.0.0.1:9000`, `[::1]:9000`, `[fd00::]/8:9000`, `minio.internal:9000`).
 */
export function parseAllowEntry(entry: string): AllowEntry | undefined {
  const text = entry.trim();
  let address = text;
  let port: number | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return undefined;
    let rest = text.slice(close + 1);
    address = text.slice(1, close);
    const slash = rest.match(/^\/(\d{1,3})/);
    if (slash) {
      address += `/${slash[1]}`;
      rest = rest.slice(slash[0].length);
    }
    if (rest !== '') {
      if (!rest.startsWith(':')) return undefined;
      port = parsePort(rest.slice(1));
      if (port === undefined) return undefined;
    }
  } else if (!text.includes('::') && text.split(':').length === 2) {
    // host:port or a.b.c.d[/n]:port (a bare IPv6 address has at least two colons).
    const colon = text.lastIndexOf(':');
    address = text.slice(0, colon);
    port = parsePort(text.slice(colon + 1));
    if (port === undefined) return undefined;
  }
  const range = parseCidr(address);
  if (range !== undefined) {
    const exact = range[1] === (familyOf(range[0]) === 4 ? 32 : 128);
    return { kind: 'cidr', range, exact, port, text };
  }
  if (address.includes('/') || address.includes(':')) return undefined;
  const wildcard = address.startsWith('*.');
  const host = normalizeHost(wildcard ? address.slice(2) : address);
  if (host === undefined) return undefined;
  return { kind: 'host', host, wildcard, port, text };
}

// --- policy -------------------------------------------------------------------------------------------

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has; the policy checks all of them. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** `dns.lookup(host, { all: true })`: what the system (hosts file, resolv.conf) would connect to. */
export const systemResolver: Resolver = async (hostname) => {
  const results = await lookup(hostname, { all: true, order: 'verbatim' });
  return results.map((result) => ({ address: result.address, family: result.family === 6 ? 6 : 4 }));
};

export interface AddressPolicyOptions {
  /** Entries that are allowed even though not public; see `parseAllowEntry` for the forms. */
  allow?: readonly string[];
  /** How host names are resolved (tests inject one); `dns.lookup` by default. */
  resolve?: Resolver;
  /** The configuration setting named in refusals; `sourceFetch.allow` by default. */
  setting?: string;
}

export type AddressDecision =
  | { allowed: true; address: string; family: 4 | 6; class: AddressClass; reason: string }
  | { allowed: false; address: string; class: AddressClass; reason: string };

export type VetResult =
  | { allowed: true; addresses: ResolvedAddress[] }
  | { allowed: false; reason: string };

function hostForDisplay(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export class AddressPolicy {
  readonly #entries: readonly AllowEntry[];
  readonly #resolve: Resolver;
  readonly setting: string;

  constructor(options: AddressPolicyOptions = {}) {
    const entries: AllowEntry[] = [];
    for (const text of options.allow ?? []) {
      const entry = parseAllowEntry(text);
      if (entry === undefined) {
        throw new RangeError(`${options.setting ?? DEFAULT_ALLOWLIST_SETTING}: "${text}" is not an IP address, CIDR or host name (optionally with :port)`);
      }
      entries.push(entry);
    }
    this.#entries = entries;
    this.#resolve = options.resolve ?? systemResolver;
    this.setting = options.setting ?? DEFAULT_ALLOWLIST_SETTING;
  }

  /** The allowlist as given, normalized. */
  get allowlist(): string[] {
    return this.#entries.map((entry) => entry.text);
  }

  #hostEntry(host: string, port: number): AllowEntry | undefined {
    const name = normalizeHost(host);
    if (name === undefined) return undefined;
    return this.#entries.find(
      (entry) => entry.kind === 'host' && (entry.port === undefined || entry.port === port) && (entry.wildcard ? name.endsWith(`.${entry.host}`) : name === entry.host),
    );
  }

  /**
   * Decides whether a connection to `address` (reached as `host`, on `port`) is allowed: public
   * addresses always; others when an allowlist entry covers them. Metadata, unspecified and
   * multicast addresses are allowed only by an entry naming that exact address.
   */
  check(target: { address: string; port: number; host?: string | undefined }): AddressDecision {
    const parsed = parseIp(target.address);
    if (parsed === undefined) return { allowed: false, address: target.address, class: 'reserved', reason: `"${target.address}" is not an IP address` };
    const ip = unmap(parsed);
    const address = ip.toString();
    const kind = classifyParsed(parsed);
    const allowed = (reason: string): AddressDecision => ({ allowed: true, address, family: familyOf(ip), class: kind, reason });
    if (kind === 'public') return allowed('public address');

    for (const entry of this.#entries) {
      if (entry.kind !== 'cidr' || (entry.port !== undefined && entry.port !== target.port)) continue;
      if (!inCidr(ip, entry.range) && !inCidr(parsed, entry.range)) continue;
      if (exactOnly.has(kind) && !entry.exact) continue;
      return allowed(`allowlisted by ${entry.text}`);
    }
    const byName = target.host === undefined || isIP(stripBracketsAndZone(target.host)) !== 0 ? undefined : this.#hostEntry(target.host, target.port);
    if (byName !== undefined && !exactOnly.has(kind)) return allowed(`allowlisted by ${byName.text}`);

    const shown = hostForDisplay(address);
    const via = target.host !== undefined && canonicalIp(target.host) !== address ? ` (resolved from ${target.host})` : '';
    const what = `${address}${via} is ${describeClass[kind]}`;
    let how: string;
    if (exactOnly.has(kind)) {
      how = `these are refused unless "${shown}:${target.port}" itself is listed in ${this.setting}`;
    } else if (via !== '' && target.host !== undefined) {
      how = `to allow it, add "${target.host}:${target.port}" (or "${shown}:${target.port}", or a CIDR) to ${this.setting} in the live2vod configuration`;
    } else {
      how = `to allow it, add "${shown}:${target.port}" (or a CIDR such as "${shown}/${familyOf(ip) === 4 ? 32 : 128}") to ${this.setting} in the live2vod configuration`;
    }
    return { allowed: false, address, class: kind, reason: `${what}; ${how}` };
  }

  /**
   * Resolves `host` (an IP literal is taken as it is) and checks every address it resolves to: one
   * refused address refuses the host, so a name cannot smuggle a private address in beside a public
   * one. Resolver errors are thrown as they are.
   */
  async vet(host: string, port: number): Promise<VetResult> {
    const literal = stripBracketsAndZone(host);
    const family = isIP(literal);
    const resolved: ResolvedAddress[] = family !== 0 ? [{ address: literal, family: family === 6 ? 6 : 4 }] : await this.#resolve(host);
    if (resolved.length === 0) return { allowed: false, reason: `${host} resolved to no address` };
    const addresses: ResolvedAddress[] = [];
    for (const entry of resolved) {
      const decision = this.check({ address: entry.address, port, host: family !== 0 ? undefined : host });
      if (!decision.allowed) return { allowed: false, reason: decision.reason };
      // Connect with the address as resolved (an IPv4-mapped one stays IPv6 for the socket).
      const parsedFamily = isIP(stripBracketsAndZone(entry.address));
      addresses.push({ address: stripBracketsAndZone(entry.address), family: parsedFamily === 6 ? 6 : 4 });
    }
    return { allowed: true, addresses };
  }
}
