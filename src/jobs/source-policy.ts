// Which sources a job may name: local files only under configured roots (record directory, inbox,
// uploads, extra source roots), checked by their real path (local-source.ts); S3 objects whose key
// holds no control characters; http(s) URLs (checked where they are fetched: the address policy on
// every hop, the size limit). Everything else is refused before a job exists.
import path from 'node:path';
import { checkLocalFile, type LocalFile } from './local-source.ts';
import type { SourceLocation } from './source-location.ts';

// C0 controls and DEL: S3 allows them in keys, but no recorder writes them, and they turn up in
// logs, object listings and file names where they mislead or break.
const controlCharacters = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(text: string): boolean {
  return controlCharacters.test(text);
}

export type SourceCheck = { source: SourceLocation; file?: LocalFile } | { refusal: string };

export class SourcePolicy {
  readonly #roots: string[];

  constructor(roots: string[]) {
    this.#roots = roots.map((r) => path.resolve(r));
  }

  /**
   * The source as a job will carry it (a local path canonical, so the worker opens what was
   * checked), or a refusal saying what is allowed.
   */
  async check(source: SourceLocation): Promise<SourceCheck> {
    switch (source.kind) {
      case 'url':
        return { source };
      case 's3':
        if (hasControlCharacters(source.key)) return { refusal: `the S3 key ${JSON.stringify(source.key)} contains control characters; rename the object` };
        return { source };
      case 'local': {
        const checked = await checkLocalFile(this.#roots, source.path);
        if ('refusal' in checked) return checked;
        return { source: { kind: 'local', path: checked.file.path }, file: checked.file };
      }
    }
  }
}
