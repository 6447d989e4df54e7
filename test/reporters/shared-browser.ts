// The one chromium a test run's browser files share (test/helpers/browser.ts connects to it): a
// chromium start is ~1.5 CPU-s, and eight files started one each. Started only when a file of the
// run imports the browser helper, directly or through another helper.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserServer } from 'playwright-core';
import { sharedBrowserVariable } from '../helpers/shared-browser-variable.ts';

const browserHelper = path.resolve(import.meta.dirname, '..', 'helpers', 'browser.ts');

/**
 * Whether `file` imports the browser helper, following its relative imports. A regular expression,
 * not the TypeScript parser test/architecture reads imports with: loading that costs the runner
 * ~1 CPU-s, and a type-only import read as a real one only starts chromium for nothing.
 */
export function usesBrowser(file: string, seen = new Set<string>()): boolean {
  const absolute = path.resolve(file);
  if (absolute === browserHelper) return true;
  if (seen.has(absolute)) return false;
  seen.add(absolute);
  let source: string;
  try {
    source = readFileSync(absolute, 'utf8');
  } catch {
    return false;
  }
  for (const match of source.matchAll(/^import\s[^'"]*['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    const imported = match[1];
    if (imported && usesBrowser(path.resolve(path.dirname(absolute), imported), seen)) return true;
  }
  return false;
}

/**
 * Starts the shared chromium and names it in this process's environment (the test files inherit
 * it) when one of `files` needs it; undefined otherwise, or when it cannot start (each file then
 * starts its own, and says why if that fails too).
 */
export async function startSharedBrowser(files: readonly string[]): Promise<BrowserServer | undefined> {
  const seen = new Set<string>();
  if (!files.some((file) => usesBrowser(file, seen))) return undefined;
  // Loaded only now: playwright costs ~0.5 CPU-s to load, which a run without browser files skips.
  const { browserSkip, launchBrowserServer } = await import('../helpers/browser.ts');
  if (browserSkip) return undefined;
  try {
    const server = await launchBrowserServer();
    process.env[sharedBrowserVariable] = server.wsEndpoint();
    // A chromium that died: the files started after it launch their own again.
    server.on('close', () => { delete process.env[sharedBrowserVariable]; });
    return server;
  } catch (error) {
    process.stderr.write(`could not start the shared chromium (each browser test starts its own): ${String(error)}\n`);
    return undefined;
  }
}
