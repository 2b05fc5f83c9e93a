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

/** Every request the page makes from now on (WebSockets included), as URLs, in order. */
export function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('websocket', (socket) => urls.push(socket.url()));
  return urls;
}

/** The text of GraphiQL's query or response editor. */
export function graphiqlText(page: Page, which: 'query' | 'response'): Promise<string> {
  const selector = which === 'query' ? '.graphiql-query-editor .CodeMirror' : '.graphiql-response .CodeMirror';
  return page.$eval(selector, (element) =>
    (element as HTMLElement & { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
  );
}

/**
 * Runs the explorer's saved ContactChanges subscription until `gateway` serves it, calls `change`,
 * waits until the response pane shows every one of `shows`, and stops the subscription. GraphiQL may
 * send a tab's previous operation name within 100 ms of a switch (refused, nothing runs): it clicks
 * again then.
 */
export async function runSavedSubscription(
  page: Page,
  gateway: { readonly subscriptions: number },
  change: () => Promise<unknown>,
  shows: readonly string[],
): Promise<string> {
  await page.click('.graphiql-tab .graphiql-tab-button:has-text("ContactChanges")');
  await page.waitForFunction(() =>
    (
      document.querySelector('.graphiql-query-editor .CodeMirror') as
        (Element & { CodeMirror?: { getValue(): string } }) | null
    )?.CodeMirror?.getValue().includes('subscription ContactChanges'),
  );
  for (let attempt = 1; gateway.subscriptions === 0; attempt += 1) {
    if (attempt > 5) throw new Error(`the subscription did not start: ${await graphiqlText(page, 'response')}`);
    await page.click('button.graphiql-execute-button');
    await page.waitForTimeout(300 * attempt);
  }
  await change();
  await page.waitForFunction(
    (wanted) => {
      const text =
        (
          document.querySelector('.graphiql-response .CodeMirror') as
            (Element & { CodeMirror?: { getValue(): string } }) | null
        )?.CodeMirror?.getValue() ?? '';
      return wanted.every((part) => text.includes(part));
    },
    shows,
    { timeout: 10_000 },
  );
  const shown = await graphiqlText(page, 'response');
  await page.click('button.graphiql-execute-button'); // now the stop button
  return shown;
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
