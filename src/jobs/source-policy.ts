// Which sources a job may name: local files only under configured roots (record directory, inbox,
// extra source roots), s3:// URIs, or http(s):// URLs. Everything else is refused before a job exists.
import path from 'node:path';

export class SourcePolicy {
  readonly #roots: string[];

  constructor(roots: string[]) {
    this.#roots = roots.map((r) => path.resolve(r));
  }

  /** The normalised source, or an error message saying what is allowed. */
  check(source: string): { source: string } | { error: string } {
    if (source.startsWith('s3://')) {
      return /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(source) ? { source } : { error: 'an s3:// source must be s3://<bucket>/<key>' };
    }
    // Remote URLs are checked where they are fetched: address policy on every hop, size limits.
    if (/^https?:\/\//i.test(source)) {
      try {
        return { source: new URL(source).toString() };
      } catch {
        return { error: 'the source URL is malformed' };
      }
    }
    const local = source.startsWith('file://') ? decodeURIComponent(new URL(source).pathname) : source;
    if (/^[a-z][a-z0-9+.-]*:/i.test(local)) return { error: `source scheme not supported: use a local path, s3://bucket/key or https://` };
    if (!path.isAbsolute(local)) return { error: 'a local source must be an absolute path' };
    const resolved = path.resolve(local);
    if (!this.#roots.some((root) => resolved === root || resolved.startsWith(root + path.sep))) {
      return { error: `local sources must lie under ${this.#roots.join(' or ') || 'a configured source root'}` };
    }
    return { source: resolved };
  }
}
