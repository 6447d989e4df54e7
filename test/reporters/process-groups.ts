// Which test files `npm test` runs together in one process. A test file's own process costs ~0.3
// CPU-s before its first test (Node, the test runner, the modules it imports), more than most unit
// files' tests take; on a CPU-bound 2-core machine that was ~40 CPU-s of the suite. The files of the
// directories below run one process per directory, imported one after another into it as node:test's
// `--test-isolation=none` does, each file's tests at the top level as they are on their own. The
// files that start the pipeline, serve, a browser or a fault run alone, as do those listed in
// `ownProcess` (for the reason given there); `node --test <file>` still runs any file alone.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** test/<directory>/ whose files share one process. */
export const sharedDirectories: readonly string[] = [
  'architecture', 'config', 'docs', 'executors', 'ffmpeg', 'helpers', 'http', 'ingest', 'jobs', 'k8s', 'media',
  'notify', 'observability', 'reporters', 'retry', 'security', 'store', 'storage',
];

/** Files of those directories that keep a process of their own, and why. */
export const ownProcess: ReadonlyMap<string, string> = new Map([
  ['test/ffmpeg/run-process.test.ts', 'it finds its ffmpeg among the process\'s children and checks that no zombie is left'],
  ['test/notify/delivery-worker.test.ts', 'it checks that the worker leaves no timer or socket behind in the process'],
  // Long ones: a group cannot be split across the cores, so they start on their own, early.
  ['test/k8s/worker-pod.test.ts', 'long (real encodes and signals)'],
  ['test/http/chapters.test.ts', 'long (real encodes)'],
  ['test/helpers/asset-checks.test.ts', 'long (real encodes)'],
  ['test/store/postgres.test.ts', 'long (a private PostgreSQL)'],
]);

export interface ProcessGroup {
  /** The directory, as `test/media/`: the group's name in the times and the summary. */
  name: string;
  files: string[];
}

/** The files (named from the repository root) split into groups of two or more and files run alone. */
export function groupFiles(files: readonly string[]): { groups: ProcessGroup[]; alone: string[] } {
  const byDirectory = new Map<string, string[]>();
  const alone: string[] = [];
  for (const file of files) {
    const [top, directory] = file.split('/');
    if (top !== 'test' || directory === undefined || !sharedDirectories.includes(directory) || ownProcess.has(file)) {
      alone.push(file);
      continue;
    }
    const name = `test/${directory}/`;
    byDirectory.set(name, [...(byDirectory.get(name) ?? []), file]);
  }
  const groups: ProcessGroup[] = [];
  for (const [name, members] of byDirectory) {
    if (members.length === 1) alone.push(...members);
    else groups.push({ name, files: [...members].sort() });
  }
  return { groups, alone };
}

/**
 * A group's time: the one recorded for it, else the sum of its files' own (a fresh clone's
 * file-times.json has them). A file without a time adds nothing: the files grouped are the short ones.
 */
export function groupTime(group: ProcessGroup, times: Readonly<Record<string, number>>): number {
  return times[group.name] ?? group.files.reduce((sum, file) => sum + (times[file] ?? 0), 0);
}

/**
 * Writes the test file a group runs as (`<dir>/<directory>.test.mjs`, importing its files in
 * order) and returns its path. Imported, not run: one process, one module graph.
 */
export async function writeGroupEntry(dir: string, repoRoot: string, group: ProcessGroup): Promise<string> {
  const entry = path.join(dir, `${group.name.split('/')[1]}.test.mjs`);
  const imports = group.files.map((file) => `import ${JSON.stringify(pathToFileURL(path.join(repoRoot, file)).href)};`);
  await writeFile(entry, `// ${group.name}: ${group.files.length} test files in one process (test/reporters/process-groups.ts)\n${imports.join('\n')}\n`);
  return entry;
}
