// Debian's chromium driven by playwright-core, headless, for the dashboard's browser tests (the
// recipe in TESTING.md). Pages record uncaught errors and console errors, so a test can assert
// that the dashboard ran clean; screenshots go to test-artifacts/dashboard/ (git-ignored).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserServer, type Page } from 'playwright-core';
import { repoRoot } from './media.ts';
import { sharedBrowserVariable } from './shared-browser-variable.ts';

export const chromiumPath = process.env.LIVE2VOD_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** A skip reason for node:test when the browser is missing, else false. */
export const browserSkip: string | false = existsSync(chromiumPath) ? false : `needs chromium at ${chromiumPath} (apt-get install chromium)`;

export const artifactDir = path.join(repoRoot, 'test-artifacts', 'dashboard');

const launchOptions = {
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'],
};

/** The run's shared chromium when npm test started one, else a new one; close() disconnects or ends it. */
export function launchBrowser(): Promise<Browser> {
  const shared = process.env[sharedBrowserVariable];
  return shared ? chromium.connect(shared) : chromium.launch(launchOptions);
}

/**
 * The chromium a whole test run shares (scripts/test.ts). Playwright's own signal handlers are off:
 * they would exit the runner on Ctrl-C before it removes its run directory; the runner closes it.
 */
export function launchBrowserServer(): Promise<BrowserServer> {
  return chromium.launchServer({ ...launchOptions, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
}

export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions in the page. */
  pageErrors: string[];
  /** console.error lines, e.g. failed resource loads. */
  consoleErrors: string[];
  close(): Promise<void>;
}

/** A new context (own storage, clipboard allowed for `origin`) with one page. */
export async function openPage(browser: Browser, options: { viewport?: { width: number; height: number }; origin?: string } = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  if (options.origin) await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: options.origin });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  return { page, pageErrors, consoleErrors, close: () => context.close() };
}

/** A full-page PNG under test-artifacts/dashboard/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactDir, { recursive: true });
  const file = path.join(artifactDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Polls a JavaScript expression in the page until it is truthy. Not page.waitForFunction: that
 * evaluates strings with eval inside the page, which the dashboard's CSP (rightly) forbids.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = 15_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value: unknown = await page.evaluate(expression);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting in the page for: ${expression}`);
    await page.waitForTimeout(100);
  }
}

/** Visible interactive elements without an accessible name (label, aria-label or text): should be none. */
export async function unnamedControls(page: Page): Promise<string[]> {
  const found: unknown = await page.evaluate(`[...document.querySelectorAll('button, select, input, textarea, a[href]')]
    .filter((el) => el.getClientRects().length > 0)
    .filter((el) => !((el.getAttribute('aria-label') || [...(el.labels || [])].map((l) => l.textContent).join('') || el.textContent || '').trim()))
    .map((el) => el.outerHTML.slice(0, 120))`);
  return Array.isArray(found) ? found.map(String) : [`unexpected result: ${String(found)}`];
}

/** Presses Tab until the focused element's text or label matches, at most `limit` times. */
export async function tabTo(page: Page, name: RegExp, limit = 40): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const focused: unknown = await page.evaluate(`(document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent || '').trim()`);
    if (typeof focused === 'string' && name.test(focused)) return true;
  }
  return false;
}
