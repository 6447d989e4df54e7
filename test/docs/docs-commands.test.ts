// The docs say what works: every `bin/live2vod …` command in a code block of README.md and
// docs/*.md names a subcommand whose --help lists each flag it uses, and the example
// configuration files load, with placeholder tokens that match between the live2vod config and
// the recorder configs that call it.

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { loadConfig } from '../../src/config/load.ts';
import { repoRoot } from '../helpers/media.ts';

interface DocCommand {
  file: string;
  line: number;
  words: string[];
}

/** The shell words of one command line, up to a comment, pipe, redirection or `&&`. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
      continue;
    }
    if (c === "'" || c === '"') { quote = c; word ??= ''; continue; }
    if (c === '\\') { word = (word ?? '') + (text[++i] ?? ''); continue; }
    if (/\s/.test(c)) { if (word !== undefined) words.push(word); word = undefined; continue; }
    if ((c === '#' && word === undefined) || c === '|' || c === '>' || c === ';' || c === '&') break;
    word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** `bin/live2vod …` commands inside fenced code blocks, with backslash continuations joined. */
function commandsIn(file: string, text: string): DocCommand[] {
  const found: DocCommand[] = [];
  const lines = text.split('\n');
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (/^\s*```/.test(raw)) { fenced = !fenced; continue; }
    if (!fenced) continue;
    let command = raw.trim().replace(/^\$\s+/, '');
    const start = i;
    while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1)} ${(lines[++i] ?? '').trim()}`;
    // One space: `bin/live2vod          CLI entry` in a layout tree is a path, not a command.
    if (!/^bin\/live2vod( \S|$)/.test(command)) continue;
    found.push({ file, line: start + 1, words: shellWords(command).slice(1) });
  }
  return found;
}

async function helpOf(argv: string[]): Promise<string> {
  let out = '';
  const sink = new Writable({ write(chunk: Buffer, _e, done) { out += chunk.toString(); done(); } }) as unknown as NodeJS.WriteStream;
  const io: CliIo = { stdout: sink, stderr: sink, signal: new AbortController().signal };
  const code = await main([...argv, '--help'], io);
  assert.equal(code, 0, `${argv.join(' ')} --help: ${out}`);
  return out;
}

async function docFiles(): Promise<string[]> {
  const docs = (await readdir(path.join(repoRoot, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f));
  return ['README.md', ...docs];
}

describe('the docs', () => {
  test('every bin/live2vod command in a code block uses a real subcommand and flags its --help lists', async () => {
    const commands: DocCommand[] = [];
    for (const file of await docFiles()) commands.push(...commandsIn(file, await readFile(path.join(repoRoot, file), 'utf8')));
    assert.ok(commands.length >= 10, `found ${commands.length} commands: the extraction works`);
    const top = await helpOf([]);
    const subcommands = new Set([...top.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]));
    const problems: string[] = [];
    const helps = new Map<string, string>();
    for (const { file, line, words } of commands) {
      const [sub, ...rest] = words;
      const where = `${file}:${line}: bin/live2vod ${words.join(' ')}`;
      if (sub === undefined || sub.startsWith('-')) continue;
      if (!subcommands.has(sub)) { problems.push(`${where}: no subcommand ${sub}`); continue; }
      const help = helps.get(sub) ?? await helpOf([sub]);
      helps.set(sub, help);
      for (const word of rest) {
        const flag = /^(--?[a-zA-Z][\w-]*)/.exec(word)?.[1];
        if (flag === undefined || flag === '--help') continue;
        if (!new RegExp(`(^|[\\s,])${flag}\\b`, 'm').test(help)) problems.push(`${where}: ${flag} is not an option of ${sub}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('the example configuration loads', async () => {
    const config = await loadConfig({ file: path.join(repoRoot, 'deploy', 'live2vod.example.yaml'), env: {} });
    assert.equal(config.server.port, 8080);
  });

  test('the recorder configs carry the token the example configuration expects', async () => {
    const config = await loadConfig({ file: path.join(repoRoot, 'deploy', 'live2vod.example.yaml'), env: {} });
    const nginx = await readFile(path.join(repoRoot, 'deploy', 'nginx-rtmp.conf'), 'utf8');
    const srs = await readFile(path.join(repoRoot, 'deploy', 'srs.conf'), 'utf8');
    assert.equal(/hooks\/nginx-rtmp\?token=([^;\s]+)/.exec(nginx)?.[1], config.ingest.nginxRtmp.token);
    assert.equal(/hooks\/srs\?token=([^;\s]+)/.exec(srs)?.[1], config.ingest.srs.token);
  });
});
