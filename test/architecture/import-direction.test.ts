// Dependencies point inward (docs/architecture.md): every relative import in src/**/*.ts — static,
// dynamic, type-only or re-export, as TypeScript's own pre-processor reads them — goes to the
// importer's own part or to a part of a lower rank. The ranks are the table below, which the
// document states in words; a new folder under src/ must be placed in it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

const srcRoot = path.resolve(import.meta.dirname, '../../src');

/** Inner to outer. A part may import its own files and those of lower ranks, never a peer's. */
const ranks: ReadonlyArray<readonly string[]> = [
  ['.', 'errors', 'retry', 'webhooks'], // foundation: top-level helpers, error classes, retry, Standard Webhooks signing
  ['media'], // pure media functions
  ['ffmpeg', 'storage'],
  ['jobs'], // the domain, with the two interfaces it drives (below)
  ['store', 'ingest', 'notify', 'pipeline', 'observability', 'k8s'],
  ['executors', 'config'],
  ['k8s/install', 'http'],
  ['cli'], // composition roots
];

/** The store and executor interfaces are part of `jobs`: they speak its types, and it drives them. */
const partOfJobs = ['store/store.ts', 'executors/executor.ts'];

/** `src/web` is the dashboard's browser code (plain JS, its own tsconfig); it reads only the API's types from http/, in JSDoc. */
const outsideTheGraph = ['web'];

/** The part a src-relative path belongs to: the longest matching entry of the table. */
function partOf(relative: string): string | undefined {
  if (partOfJobs.includes(relative)) return 'jobs';
  const candidates = ranks.flat().filter((part) => part !== '.' && (relative === part || relative.startsWith(`${part}/`)));
  if (candidates.length > 0) return candidates.reduce((a, b) => (b.length > a.length ? b : a));
  return relative.includes('/') ? undefined : '.';
}

function rankOf(part: string): number {
  return ranks.findIndex((parts) => parts.includes(part));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !outsideTheGraph.some((skip) => file === skip || file.startsWith(`${skip}/`)))
    .map((file) => file.split(path.sep).join('/'));
}

interface Import {
  from: string;
  to: string;
}

function relativeImports(file: string): Import[] {
  const text = readFileSync(path.join(srcRoot, file), 'utf8');
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ from: file, to: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)) }));
}

/** Why `edge` goes against the direction, or undefined when it is fine. */
function violation(edge: Import): string | undefined {
  const from = partOf(edge.from);
  const to = partOf(edge.to);
  if (edge.to.startsWith('../')) return `${edge.from} imports ${edge.to}, outside src/`;
  if (from === undefined || to === undefined) return `${from === undefined ? edge.from : edge.to} is in no part of the table: place its folder in test/architecture/import-direction.test.ts and docs/architecture.md`;
  if (from === to) return undefined;
  const [fromRank, toRank] = [rankOf(from), rankOf(to)];
  if (toRank < fromRank) return undefined;
  return `${edge.from} (${from}, rank ${fromRank}) imports ${edge.to} (${to}, rank ${toRank}): ${toRank === fromRank ? 'parts of one rank do not import each other' : 'an inner part imports an outer one'}`;
}

describe('import direction', () => {
  const files = sourceFiles(srcRoot);
  const edges = files.flatMap(relativeImports);

  it('reads the imports of every source file', () => {
    assert.ok(files.length > 100, `found only ${files.length} files under src/`);
    assert.ok(edges.length > files.length, `found only ${edges.length} imports`);
    // The parser sees the kinds of import a regular expression misses.
    const kinds = relativeImports('pipeline/ranged/s3-range-source.ts').map((edge) => edge.to);
    assert.ok(kinds.includes('storage/open-store.ts'), `the dynamic import of open-store is seen: ${kinds.join(', ')}`);
  });

  it('has every folder of src/ in the table', () => {
    const folders = new Set(files.filter((file) => file.includes('/')).map((file) => file.split('/')[0] ?? ''));
    const unplaced = [...folders].filter((folder) => partOf(`${folder}/x.ts`) === undefined);
    assert.deepEqual(unplaced, []);
  });

  it('has every import point inward', () => {
    const wrong = edges.map(violation).filter((problem) => problem !== undefined);
    assert.deepEqual(wrong, []);
  });

  it('catches an import against the direction', () => {
    assert.match(violation({ from: 'k8s/worker-job.ts', to: 'executors/kubernetes-executor.ts' }) ?? '', /inner part imports an outer one/);
    assert.match(violation({ from: 'k8s/placement.ts', to: 'config/kubernetes-executor.ts' }) ?? '', /inner part imports an outer one/);
    assert.match(violation({ from: 'notify/delivery-worker.ts', to: 'ingest/standard-webhooks.ts' }) ?? '', /parts of one rank/);
    assert.match(violation({ from: 'jobs/scheduler.ts', to: 'executors/local-executor.ts' }) ?? '', /inner part imports an outer one/);
    assert.equal(violation({ from: 'jobs/scheduler.ts', to: 'executors/executor.ts' }), undefined, 'the interface sits with jobs');
    assert.match(violation({ from: 'newpart/a.ts', to: 'jobs/job.ts' }) ?? '', /in no part of the table/);
  });
});
