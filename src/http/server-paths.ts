// Absolute server paths in what API callers read (job errors, ffmpeg's stderr and command line,
// the job log) are shown relative to the data directory or the source root they lie in: a caller
// learns which recording failed, not how the server's disk is laid out.
import { realpathSync } from 'node:fs';
import path from 'node:path';

export interface PathSettings {
  dataDir: string;
  recordDir?: string | undefined;
  sourceRoots: string[];
  ingest: { watch: { dir?: string | undefined } };
}

export class ServerPaths {
  /** Longest first, so a root inside another (the inbox in the data dir) wins. */
  readonly #prefixes: string[];

  constructor(roots: readonly string[]) {
    const spellings = roots.flatMap((root) => {
      const absolute = path.resolve(root);
      let real: string | undefined;
      try {
        real = realpathSync(absolute);
      } catch {
        real = undefined;
      }
      return real !== undefined && real !== absolute ? [absolute, real] : [absolute];
    });
    this.#prefixes = [...new Set(spellings.filter((p) => p !== path.sep).map((p) => p + path.sep))].sort((a, b) => b.length - a.length);
  }

  static of(settings: PathSettings): ServerPaths {
    return new ServerPaths([
      settings.dataDir,
      ...(settings.recordDir !== undefined ? [settings.recordDir] : []),
      ...(settings.ingest.watch.dir !== undefined ? [settings.ingest.watch.dir] : []),
      ...settings.sourceRoots,
    ]);
  }

  relative(text: string): string {
    let out = text;
    for (const prefix of this.#prefixes) out = out.split(prefix).join('');
    return out;
  }

  /** A record's strings, made relative (see deep). */
  record(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, this.deep(v)]));
  }

  /** Every string inside `value` (objects and arrays walked), made relative. */
  deep(value: unknown): unknown {
    if (typeof value === 'string') return this.relative(value);
    if (Array.isArray(value)) return value.map((v) => this.deep(v));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v)]));
    return value;
  }
}
