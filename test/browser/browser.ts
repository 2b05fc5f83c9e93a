import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectPath } from '../../src/paths.js';

/** Debian's chromium package (`.ci/run` installs it); playwright-core drives it, it downloads no browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and quiet: no network of the browser's own (updates, sync, QUIC probing). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where screenshots go (git-ignored: `artifacts/`). */
export const SCREENSHOTS = projectPath('artifacts', 'screenshots');

/** Launches Chromium with a fresh profile (playwright's launch() makes a new temporary user-data-dir each time). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
}

/** Every request the page makes from now on, as URLs, in order. */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  return urls;
}

/** The requests that left 127.0.0.1 (data: URLs are no requests to anyone). */
export function nonLocal(urls: readonly string[]): string[] {
  return urls.filter((url) => !url.startsWith('data:') && new URL(url).hostname !== '127.0.0.1');
}

/** Saves a full-page screenshot as `artifacts/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
