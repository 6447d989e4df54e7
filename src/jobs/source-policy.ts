// Which sources a job may name: local files only under configured roots (record directory, inbox,
// uploads, extra source roots); S3 objects and http(s) URLs (checked where they are fetched: the
// address policy on every hop, the size limit). Everything else is refused before a job exists.
import path from 'node:path';
import type { SourceLocation } from './source-location.ts';

export class SourcePolicy {
  readonly #roots: string[];

  constructor(roots: string[]) {
    this.#roots = roots.map((r) => path.resolve(r));
  }

  /** Undefined when the source is allowed, else a message saying what is. */
  refusal(source: SourceLocation): string | undefined {
    switch (source.kind) {
      case 's3':
      case 'url':
        return undefined;
      case 'local': {
        const resolved = path.resolve(source.path);
        if (this.#roots.some((root) => resolved === root || resolved.startsWith(root + path.sep))) return undefined;
        return `local sources must lie under ${this.#roots.join(' or ') || 'a configured source root'}: add the directory to sourceRoots in the configuration (see docs/operations.md, "Source roots"), or upload the file (POST /v1/uploads)`;
      }
    }
  }
}
