// `live2vod <args>` through the CLI's main() in the test's own process: the command's own code and
// output without bin/live2vod's process (~0.7 CPU-s of Node start-up per run). What only a process
// has (signals, exit codes of a killed run, leftovers) is tested with runCli (media.ts) instead.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import type { CliResult } from './media.ts';

/** A WriteStream stand-in that hands each chunk to `add` (CliIo wants the type; commands only write). */
function sink(add: (text: string) => void): NodeJS.WriteStream {
  return new Writable({ write(chunk: Buffer, _encoding, done) { add(chunk.toString()); done(); } }) as unknown as NodeJS.WriteStream;
}

export async function cliInProcess(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main([...args], { stdout: sink((s) => { stdout += s; }), stderr: sink((s) => { stderr += s; }), signal: new AbortController().signal });
  return { code, signal: null, stdout, stderr };
}

/** cliInProcess, failing with the output unless the command exits 0. */
export async function runCliInProcess(args: readonly string[]): Promise<CliResult> {
  const result = await cliInProcess(args);
  if (result.code !== 0) throw new Error(`live2vod ${args.join(' ')} exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  return result;
}
