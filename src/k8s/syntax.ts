// The syntax the Kubernetes API server enforces on names and labels (DNS-1123 labels and
// subdomains, label keys and values), defined once: the configuration, the install options, the
// name builder and the manifest validator all check against these. Pure.

/** A DNS-1123 label: Job, Namespace and Service names; at most 63 characters. */
export const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain: dot-separated DNS labels (most object names); at most 253 characters. */
export const dnsSubdomainPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** `prefix/name` or `name`: the name part at most 63 characters, the prefix a subdomain. */
export const labelKeyPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Empty, or alphanumerics around "-", "_" and "."; at most 63 characters. */
export const labelValuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

export const maxDnsLabel = 63;
export const maxDnsSubdomain = 253;
export const maxLabelValue = 63;
/** A 253-character prefix, "/", a 63-character name. */
export const maxLabelKey = maxDnsSubdomain + 1 + 63;

export function isDnsLabel(value: string): boolean {
  return value.length <= maxDnsLabel && dnsLabelPattern.test(value);
}

export function isDnsSubdomain(value: string): boolean {
  return value.length <= maxDnsSubdomain && dnsSubdomainPattern.test(value);
}

export function isLabelKey(value: string): boolean {
  // The pattern bounds the name part; the prefix (before the "/") is bounded here.
  const prefixLength = value.indexOf('/');
  return value.length <= maxLabelKey && prefixLength <= maxDnsSubdomain && labelKeyPattern.test(value);
}

export function isLabelValue(value: string): boolean {
  return value.length <= maxLabelValue && labelValuePattern.test(value);
}
