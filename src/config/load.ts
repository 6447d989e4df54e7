// Loads configuration: defaults < file (YAML or JSON) < LIVE2VOD_* environment < flags, validated
// once by the schema. Errors name the key and where it came from.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors/index.ts';
import { isRecord } from '../is-record.ts';
import { closestKey, knownKeys } from './key-suggestion.ts';
import { configSchema, type Config } from './schema.ts';

type Tree = { [key: string]: unknown };

/**
 * `LIVE2VOD_SERVER__PORT=9000` → server.port; `__` separates levels, snake case becomes camel
 * case. Values are JSON when they parse as JSON (numbers, booleans, arrays), text otherwise.
 * A few short names are kept for the common cases.
 */
const aliases: Record<string, string> = {
  LIVE2VOD_PORT: 'server.port',
  LIVE2VOD_HOST: 'server.host',
  LIVE2VOD_PUBLIC_URL: 'server.publicUrl',
  LIVE2VOD_DATA_DIR: 'dataDir',
  LIVE2VOD_RECORD_DIR: 'recordDir',
  LIVE2VOD_CONCURRENCY: 'executor.concurrency',
  LIVE2VOD_LOG_LEVEL: 'logLevel',
};
// Read directly where they are used (secrets, worker-only settings), not configuration keys.
const ignoredEnv = new Set(['LIVE2VOD_CONFIG', 'LIVE2VOD_FFMPEG', 'LIVE2VOD_FFPROBE', 'LIVE2VOD_TASK', 'LIVE2VOD_DATABASE_URL', 'LIVE2VOD_API_TOKENS', 'LIVE2VOD_CALLBACK_SECRET', 'LIVE2VOD_CALLBACK_TOKEN', 'LIVE2VOD_TERMINATION_MESSAGE_PATH']);

export function envToTree(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('LIVE2VOD_') || raw === undefined || ignoredEnv.has(name)) continue;
    const dotted = aliases[name] ?? name.slice('LIVE2VOD_'.length).split('__').map(camel).join('.');
    setPath(tree, dotted.split('.'), parseValue(raw));
  }
  // Shortcuts whose value needs shaping.
  if (env.LIVE2VOD_DATABASE_URL) setPath(tree, ['store'], { kind: 'postgres', url: env.LIVE2VOD_DATABASE_URL });
  if (env.LIVE2VOD_API_TOKENS) setPath(tree, ['auth', 'tokens'], env.LIVE2VOD_API_TOKENS.split(',').map((t) => t.trim()).filter(Boolean));
  return tree;
}

export async function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Tree }): Promise<Config> {
  const env = options.env ?? process.env;
  const file = options.file ?? env.LIVE2VOD_CONFIG;
  const layers: { origin: string; tree: Tree }[] = [];
  if (file) layers.push({ origin: file, tree: await readConfigFile(file) });
  layers.push({ origin: 'LIVE2VOD_* environment', tree: envToTree(env) });
  if (options.overrides) layers.push({ origin: 'command-line flags', tree: options.overrides });

  const merged = layers.reduce<Tree>((acc, layer) => deepMerge(acc, layer.tree), {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).flatMap((issue) => {
      // An unknown key is reported on its parent object: name the key itself, and the layer it came from.
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path.map(String), k]) : [issue.path.map(String)];
      return paths.map((keys) => {
        const key = keys.join('.') || '(root)';
        const origin = (at: string[]) => layers.filter((l) => hasPath(l.tree, at)).map((l) => l.origin).pop();
        const found = origin(keys);
        if (issue.code === 'unrecognized_keys') {
          const meant = closestKey(keys.at(-1) ?? '', knownKeys(configSchema, issue.path));
          return `  ${key}: unknown key${meant ? ` (did you mean ${meant}?)` : ''} (from ${found ?? 'defaults'})`;
        }
        if (found !== undefined) return `  ${key}: ${issue.message} (from ${found})`;
        // Set nowhere (a key the section around it lacks): name where that section came from.
        const section = keys.slice(0, -1);
        const around = section.length > 0 ? origin(section) : undefined;
        const where = around !== undefined ? ` (in ${section.join('.')}, from ${around})` : '';
        return issue.code === 'invalid_type' ? `  ${key}: required, and not set${where}: add it` : `  ${key}: ${issue.message}${where}`;
      });
    });
    throw new UsageError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

async function readConfigFile(file: string): Promise<Tree> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`the configuration file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // yaml (~50 ms of start-up) is loaded only for a YAML file.
  const parse: (text: string) => unknown = path.extname(file) === '.json' ? JSON.parse : (await import('yaml')).parse;
  try {
    const value: unknown = parse(text);
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error('the top level must be a mapping');
    return value as Tree;
  } catch (error) {
    throw new UsageError(`the configuration file ${file} is not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
}

function camel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function setPath(tree: Tree, keys: string[], value: unknown): void {
  let node = tree;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value;
    else {
      const next = node[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
      node = node[key] as Tree;
    }
  });
}

function hasPath(tree: Tree, keys: string[]): boolean {
  let node: unknown = tree;
  for (const key of keys) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Tree)[key];
  }
  return true;
}

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    // A later layer that switches a discriminated section (`store.kind`) replaces it whole: the
    // keys of the other kind (`store.file` of sqlite) would otherwise make it invalid.
    const switchesKind = isRecord(current) && isRecord(value) && 'kind' in value && value['kind'] !== current['kind'];
    out[key] = isRecord(current) && isRecord(value) && !switchesKind ? deepMerge(current, value) : value;
  }
  return out;
}
