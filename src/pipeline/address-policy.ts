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

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

/** The setting an operator edits to allow more; named in every refusal. */
export const DEFAULT_ALLOWLIST_SETTING = 'sourceFetch.allow';

// --- parsing ------------------------------------------------------------------------------------------

interface ParsedIp {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
}

function stripBracketsAndZone(ip: string): string {
  let text = ip.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  return text;
}

function parseIPv4(text: string): Uint8Array | undefined {
  if (isIP(text) !== 4) return undefined;
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
  return Uint8Array.from(parts);
}

function parseIPv6(text: string): Uint8Array | undefined {
  if (isIP(text) !== 6) return undefined;
  let head = text;
  const tailWords: number[] = [];
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) is two 16-bit words.
  const lastColon = head.lastIndexOf(':');
  const maybeV4 = head.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIPv4(maybeV4);
    if (v4 === undefined) return undefined;
    tailWords.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
    head = head.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::", "a::1.2.3.4" leaves "a::", "a:b:c:d:e:f:1.2.3.4" leaves "a:…:f:".
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const toWords = (part: string): number[] => (part === '' ? [] : part.split(':').map((word) => Number.parseInt(word, 16)));
  let words: number[];
  const gap = head.indexOf('::');
  if (gap === -1) {
    words = [...toWords(head), ...tailWords];
  } else {
    const left = toWords(head.slice(0, gap));
    const right = [...toWords(head.slice(gap + 2)), ...tailWords];
    const missing = 8 - left.length - right.length;
    if (missing < 0) return undefined;
    words = [...left, ...new Array<number>(missing).fill(0), ...right];
  }
  if (words.length !== 8 || words.some((word) => !Number.isInteger(word) || word < 0 || word > 0xffff)) return undefined;
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
}

function parseIp(ip: string): ParsedIp | undefined {
  const text = stripBracketsAndZone(ip);
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(text);
  if (v6 !== undefined) return { family: 6, bytes: v6 };
  return undefined;
}

/** `::ffff:a.b.c.d` is the IPv4 address a.b.c.d; everything else stays as it is. */
function unmap(ip: ParsedIp): ParsedIp {
  if (ip.family === 6 && ip.bytes.subarray(0, 10).every((byte) => byte === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff) {
    return { family: 4, bytes: ip.bytes.slice(12, 16) };
  }
  return ip;
}

function formatIp(ip: ParsedIp): string {
  if (ip.family === 4) return Array.from(ip.bytes).join('.');
  const words: number[] = [];
  for (let index = 0; index < 16; index += 2) words.push(((ip.bytes[index] ?? 0) << 8) | (ip.bytes[index + 1] ?? 0));
  // Compress the longest run of two or more zero words (RFC 5952).
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    if (words[start] !== 0) {
      start++;
      continue;
    }
    let end = start;
    while (end < 8 && words[end] === 0) end++;
    if (end - start > bestLength && end - start >= 2) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** The canonical text of an IP address (IPv4-mapped IPv6 becomes IPv4), or undefined if it is not one. */
export function canonicalIp(ip: string): string | undefined {
  const parsed = parseIp(ip);
  return parsed === undefined ? undefined : formatIp(unmap(parsed));
}

// --- CIDR ---------------------------------------------------------------------------------------------

interface Cidr {
  family: 4 | 6;
  bytes: Uint8Array;
  prefix: number;
}

function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (ip === undefined) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  // An IPv4-mapped network (::ffff:10.0.0.0/104) is the IPv4 network it maps.
  const unmapped = unmap(ip);
  if (unmapped.family === 4 && ip.family === 6) {
    if (prefix < 96) return { family: 6, bytes: ip.bytes, prefix };
    return { family: 4, bytes: unmapped.bytes, prefix: prefix - 96 };
  }
  return { family: ip.family, bytes: ip.bytes, prefix };
}

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`bad built-in CIDR ${text}`);
  return parsed;
}

function inCidr(ip: ParsedIp, range: Cidr): boolean {
  if (ip.family !== range.family) return false;
  let bits = range.prefix;
  for (let index = 0; bits > 0; index++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((ip.bytes[index] ?? 0) & mask) !== ((range.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
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
  if (address.family === 4) {
    for (const [range, kind] of ipv4Table) if (inCidr(address, range)) return kind;
    return 'public';
  }
  if (inCidr(address, nat64)) return classifyParsed({ family: 4, bytes: address.bytes.slice(12, 16) });
  if (inCidr(address, sixToFour)) return classifyParsed({ family: 4, bytes: address.bytes.slice(2, 6) });
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
  | { kind: 'cidr'; range: Cidr; exact: boolean; port?: number; text: string }
  | { kind: 'host'; host: string; wildcard: boolean; port?: number; text: string };

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
    const exact = range.prefix === (range.family === 4 ? 32 : 128);
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
  check(target: { address: string; port: number; host?: string }): AddressDecision {
    const parsed = parseIp(target.address);
    if (parsed === undefined) return { allowed: false, address: target.address, class: 'reserved', reason: `"${target.address}" is not an IP address` };
    const ip = unmap(parsed);
    const address = formatIp(ip);
    const kind = classifyParsed(parsed);
    const allowed = (reason: string): AddressDecision => ({ allowed: true, address, family: ip.family, class: kind, reason });
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
      how = `to allow it, add "${shown}:${target.port}" (or a CIDR such as "${shown}/${ip.family === 4 ? 32 : 128}") to ${this.setting} in the live2vod configuration`;
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
