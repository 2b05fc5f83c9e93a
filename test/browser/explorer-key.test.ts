import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { ApiKeyStore, createAuthenticator } from '../../src/auth/index.js';
import { SCOPES, type Authenticate } from '../../src/auth/principal.js';
import { startOpsWorld, type OpsWorld } from '../ops/ops-world.js';
import { launchChromium, nonLocal, recordRequests, runSavedSubscription, screenshot } from './browser.js';

// The explorer of a gateway that wants an API key, in headless Chromium: the first visit asks for the
// key once, a wrong key is explained in one sentence, the right one loads the schema docs at once,
// and every saved operation runs with it, in every tab, with no header typed anywhere.

let ops: OpsWorld;
let browser: Browser;
let page: Page;
let requests: string[];
let secret: string;
let authenticate: Authenticate | undefined;

beforeAll(async () => {
  [ops, browser] = await Promise.all([
    startOpsWorld('browser explorer key', {
      // The key store lives in the world's database, known once the world is up.
      gateway: { mode: 'development', authenticate: (header) => (authenticate as Authenticate)(header) },
    }),
    launchChromium(),
  ]);
  const keys = new ApiKeyStore(ops.world.database.db);
  authenticate = createAuthenticator({ apiKeys: keys });
  secret = (await keys.create({ name: 'explorer', scopes: [...SCOPES] })).secret;
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  requests = recordRequests(page);
  await page.goto(`${ops.gateway.origin}/explorer`);
});

afterAll(async () => {
  await browser?.close();
  await ops?.close();
});

const editorText = (): Promise<string> =>
  page.$eval('.graphiql-response .CodeMirror', (element) =>
    (element as HTMLElement & { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
  );

async function useKey(key: string): Promise<void> {
  await page.fill('#api-key', key);
  await page.click('#key-form button[type="submit"]');
}

describe('the explorer of a gateway that wants a key', () => {
  it('asks for the key once, in one field, before anything is sent', async () => {
    await page.waitForSelector('#key-form:not([hidden])');
    expect(await page.textContent('#key-message')).toBe('This gateway needs an API key (npm start prints a demo one).');
    expect(requests.filter((url) => url.endsWith('/graphql'))).toEqual([]); // no 401 to begin with
  });

  it('explains a refused key in one sentence and asks again', async () => {
    await useKey('cgk_not_a_real_key');
    await page.waitForFunction(() => document.getElementById('key-message')?.textContent?.includes('401'));
    expect(await page.textContent('#key-message')).toBe(
      'The gateway refused this API key (401): enter a valid one above.',
    );
    expect(await page.isHidden('#key-form')).toBe(false);
    expect(await page.evaluate(() => window.sessionStorage.getItem('gateway-explorer-api-key'))).toBeNull();
  });

  it('loads the schema docs as soon as a valid key is there', async () => {
    await useKey(secret);
    await page.waitForSelector('#key-form[hidden]', { state: 'attached' });
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.click('.graphiql-doc-explorer a:has-text("Query")');
    await page.waitForSelector('.graphiql-doc-explorer :text("syncStatus")');
    expect(await page.textContent('.graphiql-doc-explorer')).toContain('contacts');
    await page.click('button[aria-label="Hide Documentation Explorer"]');
  });

  it('runs every saved operation with the key, tab after tab', async () => {
    const expected: Record<string, string> = {
      LinkedContacts: '"contacts"',
      UpdateContactTitle: '"writes"',
      SyncStatus: '"syncStatus"',
    };
    for (const [tab, shows] of Object.entries(expected)) {
      await page.click(`.graphiql-tab .graphiql-tab-button:has-text("${tab}")`);
      await page.waitForFunction(
        (name) =>
          (
            document.querySelector('.graphiql-query-editor .CodeMirror') as
              (Element & { CodeMirror?: { getValue(): string } }) | null
          )?.CodeMirror?.getValue().includes(name) ?? false,
        tab,
      );
      // GraphiQL reads a tab's operation name 100 ms after a change; a click before that sends the
      // previous tab's name, which the server refuses without running anything: click again then.
      for (let attempt = 1; ; attempt += 1) {
        const [response] = await Promise.all([
          page.waitForResponse(
            (r) => r.url().endsWith('/graphql') && !(r.request().postData() ?? '').includes('IntrospectionQuery'),
          ),
          page.click('button.graphiql-execute-button'),
        ]);
        if (!(await response.text()).includes('Unknown operation named') || attempt === 5) break;
      }
      await page.waitForFunction(
        (wanted) =>
          (
            document.querySelector('.graphiql-response .CodeMirror') as
              (Element & { CodeMirror?: { getValue(): string } }) | null
          )?.CodeMirror?.getValue().includes(wanted) ?? false,
        shows,
        { timeout: 10_000 },
      );
      const answer = JSON.parse(await editorText()) as { errors?: unknown[] };
      expect([tab, answer.errors]).toEqual([tab, undefined]);
    }
    await screenshot(page, 'explorer-with-key');
  });

  it('runs the saved subscription with the key, sent in connection_init', async () => {
    const shown = await runSavedSubscription(
      page,
      ops.gateway,
      () =>
        ops.graphql(
          `mutation { createContact(input: { kind: EMPLOYEE, firstName: "Keyed", lastName: "Live", email: "keyed.live@example.com" }) { operationId } }`,
          {},
          { authorization: `Bearer ${secret}` },
        ),
      ['"CREATED"', 'keyed.live@example.com'],
    );
    expect(JSON.parse(shown)).toMatchObject({
      data: { contactChanged: { change: 'CREATED', contact: { email: 'keyed.live@example.com' } } },
    });
  });

  it('keeps the key for the browser tab: a reload goes straight to GraphiQL', async () => {
    await page.reload();
    await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror');
    expect(await page.isHidden('#key-form')).toBe(true);
  });

  it('made no request that left 127.0.0.1', () => {
    expect(nonLocal(requests)).toEqual([]);
  });
});
