// Which test files `npm test` runs together in one process. A test file's own process costs ~0.3
// CPU-s before its first test (Node, the test runner, the modules it imports), more than most unit
// files' tests take; on a CPU-bound 2-core machine that was ~40 CPU-s of the suite. The files of the
// directories below run one process per directory, imported one after another into it as node:test's
// `--test-isolation=none` does (static imports: one file that fails to load stops the group). Each
// file's tests are at the top level as on their own, but its top-level hooks are the group's: a
// top-level before() runs before the group's first test, after() after its last, beforeEach() for
// every file's tests. The files that start the pipeline, serve, a browser or a fault run alone, as
// do those listed in `ownProcess` (for the reason given there); `node --test <file>` runs any alone.
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
  /** Whether it holds every file of its directory that `everyFile` (groupFiles) named: only then is its time kept. */
  whole: boolean;
}

/**
 * The files (named from the repository root) split into groups of two or more and files run alone.
 * `everyFile`: all the test files there are, to tell a whole directory from part of one.
 */
export function groupFiles(files: readonly string[], everyFile: readonly string[] = files): { groups: ProcessGroup[]; alone: string[] } {
  const byDirectory = new Map<string, string[]>();
  const alone: string[] = [];
  for (const file of files) {
    const name = groupOf(file);
    if (name === undefined) alone.push(file);
    else byDirectory.set(name, [...(byDirectory.get(name) ?? []), file]);
  }
  const groups: ProcessGroup[] = [];
  for (const [name, members] of byDirectory) {
    if (members.length === 1) alone.push(...members);
    else groups.push({ name, files: [...members].sort(), whole: members.length === everyFile.filter((file) => groupOf(file) === name).length });
  }
  return { groups, alone };
}

/** The group a file runs in (test/media/), or undefined for a file run alone. */
function groupOf(file: string): string | undefined {
  const [top, directory] = file.split('/');
  if (top !== 'test' || directory === undefined || !sharedDirectories.includes(directory) || ownProcess.has(file)) return undefined;
  return `test/${directory}/`;
}

/**
 * A group's time: the one recorded for its whole directory, else the sum of its files' own (a fresh
 * clone's file-times.json has them). A file without a time adds nothing: the files grouped are short.
 */
export function groupTime(group: ProcessGroup, times: Readonly<Record<string, number>>): number {
  const recorded = group.whole ? times[group.name] : undefined;
  return recorded ?? group.files.reduce((sum, file) => sum + (times[file] ?? 0), 0);
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
