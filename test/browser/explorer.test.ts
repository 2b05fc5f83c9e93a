import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startOpsWorld, type OpsWorld } from '../ops/ops-world.js';
import { launchChromium, nonLocal, recordRequests, runSavedSubscription, screenshot } from './browser.js';

// The offline explorer in a real browser (headless Chromium): GraphiQL from the gateway's own files,
// the schema's docs, autocompletion, the saved operations as tabs, and a typed query that runs.

let ops: OpsWorld;
let browser: Browser;
let page: Page;
let requests: string[];

beforeAll(async () => {
  [ops, browser] = await Promise.all([
    startOpsWorld('browser explorer', { gateway: { mode: 'development' } }),
    launchChromium(),
  ]);
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  requests = recordRequests(page);
  await page.goto(`${ops.gateway.origin}/explorer`);
  // GraphiQL is up once it has the schema: the query editor shows the first saved operation.
  await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror');
});

/** The Contact id the explorer's saved update works on (the gateway picks a real one). */
async function savedContactId(origin: string): Promise<string> {
  const { examples } = (await (await fetch(`${origin}/explorer/examples.json`)).json()) as {
    examples: { name: string; variables: string }[];
  };
  const update = examples.find((example) => example.name === 'UpdateContactTitle')!;
  return (JSON.parse(update.variables) as { id: string }).id;
}

afterAll(async () => {
  await browser?.close();
  await ops?.close();
});

/** The text of a GraphiQL CodeMirror editor (`query` or `response`). */
function editorText(which: 'query' | 'response'): Promise<string> {
  const selector = which === 'query' ? '.graphiql-query-editor .CodeMirror' : '.graphiql-response .CodeMirror';
  return page.$eval(selector, (element) =>
    (element as HTMLElement & { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
  );
}

/**
 * Clicks GraphiQL's run button until the response shows `expected`. GraphiQL takes a tab's operation
 * name from its text 100 ms after the last change (debounced); a click before that sends the previous
 * tab's name, which the server refuses as an unknown operation without running anything, so clicking
 * again is safe.
 */
async function run(expected: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const [answer] = await Promise.all([
      page.waitForResponse(
        (r) =>
          r.url().endsWith('/graphql') &&
          r.request().method() === 'POST' &&
          !(r.request().postData() ?? '').includes('IntrospectionQuery'),
      ),
      page.click('button.graphiql-execute-button'),
    ]);
    const body = await answer.text();
    if (!body.includes('Unknown operation named')) break;
    if (attempt === 3) throw new Error(`GraphiQL kept sending a stale operation name: ${body}`);
    await page.waitForTimeout(200);
  }
  await page.waitForFunction(
    (wanted) => {
      const element = document.querySelector('.graphiql-response .CodeMirror') as
        (Element & { CodeMirror?: { getValue(): string } }) | null;
      return element?.CodeMirror?.getValue().includes(wanted) ?? false;
    },
    expected,
    { timeout: 10_000 },
  );
}

describe('the explorer at /explorer', () => {
  it('opens with the saved operations as tabs, the first one in the editor', async () => {
    const tabs = await page.$$eval('.graphiql-tab .graphiql-tab-button', (elements) =>
      elements.map((e) => e.textContent?.trim()),
    );
    expect(tabs).toEqual(['LinkedContacts', 'UpdateContactTitle', 'SyncStatus', 'ContactChanges']);
    expect(await editorText('query')).toContain('query LinkedContacts($first: Int = 5, $after: String) {');
    expect(await page.isHidden('#key-form')).toBe(true); // this gateway asks for no key
  });

  it('shows the schema docs', async () => {
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer');
    await page.click('.graphiql-doc-explorer a:has-text("Query")');
    await page.waitForSelector('.graphiql-doc-explorer :text("syncStatus")');
    const docs = await page.textContent('.graphiql-doc-explorer');
    expect(docs).toContain('contacts');
    expect(docs).toContain(
      'Where sync stands: its feeds, the operations still to apply, open conflicts, links per state.',
    );
  });

  it('runs a query typed into a new tab, with autocompletion, and shows its result', async () => {
    await page.click('button[aria-label="Add tab"]');
    const editor = '.graphiql-query-editor .CodeMirror';
    await page.click(editor);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('query TypedStatus { syncSt');
    // Autocompletion offers the field from the schema.
    await page.waitForSelector('.CodeMirror-hints .CodeMirror-hint:has-text("syncStatus")');
    await page.keyboard.type('atus { pendingOperations openConflicts links { entity state count } } }');
    await page.keyboard.press('Escape');
    expect((await editorText('query')).replace(/\s+/g, ' ')).toBe(
      'query TypedStatus { syncStatus { pendingOperations openConflicts links { entity state count } } }',
    );
    // GraphiQL has read the operation once it names the tab after it.
    await page.waitForSelector('.graphiql-tab-active .graphiql-tab-button:has-text("TypedStatus")');

    await run('pendingOperations');
    const shown = JSON.parse(await editorText('response')) as unknown;
    const expected = await ops.data(
      'query TypedStatus { syncStatus { pendingOperations openConflicts links { entity state count } } }',
    );
    expect(shown).toEqual({ data: expected });
    await page.keyboard.press('Shift+Control+P'); // prettify, for the screenshot
    const path = await screenshot(page, 'explorer');
    expect(existsSync(path)).toBe(true);
  });

  it('runs the saved update as it is, and shows its write outcome per system', async () => {
    await page.click('button[aria-label="Hide Documentation Explorer"]');
    await page.click('.graphiql-tab .graphiql-tab-button:has-text("UpdateContactTitle")');
    await page.waitForFunction(() => {
      const element = document.querySelector('.graphiql-query-editor .CodeMirror') as
        (Element & { CodeMirror?: { getValue(): string } }) | null;
      return element?.CodeMirror?.getValue().includes('mutation UpdateContactTitle') ?? false;
    });
    await run('"writes"');
    const shown = JSON.parse(await editorText('response')) as {
      data: { updateContact: { contact: { title: string }; writes: unknown[] } };
    };
    expect(shown.data.updateContact.writes).toEqual([
      { system: 'CUSTOMERP', state: 'APPLIED', error: null },
      { system: 'CRMOFFICE', state: 'APPLIED', error: null },
    ]);
    expect(shown.data.updateContact.contact.title).toBe('Integration Lead');
    await screenshot(page, 'explorer-update');
  });

  it('runs the saved subscription: a change made meanwhile arrives in the response pane', async () => {
    const id = await savedContactId(ops.gateway.origin);
    const shown = await runSavedSubscription(
      page,
      ops.gateway,
      () =>
        ops.data(`mutation($id: ID!) { updateContact(id: $id, input: { title: "Seen live" }) { operationId } }`, {
          id,
        }),
      ['"UPDATED"', '"Seen live"'],
    );
    expect(JSON.parse(shown)).toMatchObject({
      data: { contactChanged: { id, change: 'UPDATED', fields: ['title'], contact: { id, title: 'Seen live' } } },
    });
    await screenshot(page, 'explorer-subscription');
  });

  it('made no request that left 127.0.0.1', () => {
    expect(requests.length).toBeGreaterThanOrEqual(6); // the page, its files, the examples, introspection, the query
    expect(nonLocal(requests)).toEqual([]);
  });
});
