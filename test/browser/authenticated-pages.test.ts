import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { SCOPES, type Principal } from '../../src/auth/index.js';
import { UnauthenticatedError } from '../../src/errors.js';
import { startOpsWorld, type OpsWorld } from '../ops/ops-world.js';
import { launchChromium } from './browser.js';

// The operator's pages in a real browser (headless Chromium) when the gateway wants a token: the
// status page asks for one and then shows the feeds; the explorer opens with the header to fill in.
// The page never holds a real key until the person types it.

const OPERATOR_KEY = 'operator-key-for-the-browser-test';
const OPERATOR: Principal = { subject: 'key:operator', kind: 'api-key', scopes: new Set(SCOPES) };

let ops: OpsWorld;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [ops, browser] = await Promise.all([
    startOpsWorld('browser authenticated pages', {
      gateway: {
        mode: 'development',
        authenticate: async (authorization) => {
          if (authorization === `Bearer ${OPERATOR_KEY}`) return OPERATOR;
          throw new UnauthenticatedError();
        },
      },
    }),
    launchChromium(),
  ]);
  page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await ops?.close();
});

describe('the status page behind authentication', () => {
  it('asks for a key, and with it shows every feed', async () => {
    await page.goto(`${ops.gateway.origin}/status?refresh=1000`);
    await page.waitForSelector('#token-form:not([hidden])');
    expect(await page.$$eval('#feeds tbody tr', (rows) => rows.length)).toBe(0);
    expect(await page.textContent('#error')).toContain('invalid or expired token');

    await page.fill('#token', OPERATOR_KEY);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('body[data-loaded="true"]');
    expect({
      feeds: await page.$$eval('#feeds tbody tr', (rows) => rows.length),
      form: await page.isHidden('#token-form'),
      error: await page.textContent('#error'),
    }).toEqual({ feeds: 7, form: true, error: '' });
    // Kept for this tab only, never in the address.
    expect(page.url()).not.toContain(OPERATOR_KEY);
    expect(await page.evaluate(() => window.localStorage.length)).toBe(0);
  });
});

describe('the explorer behind authentication', () => {
  it('opens with an Authorization header to fill in, and no key in it', async () => {
    await page.goto(`${ops.gateway.origin}/explorer`);
    // The editor tools open on Headers; the visible editor there holds the header, and nothing else does.
    const visibleToolText = await page.waitForFunction(() => {
      const shown = [...document.querySelectorAll('.graphiql-editor-tool .graphiql-editor:not(.hidden)')];
      const mirror = shown[0]?.querySelector('.CodeMirror') as
        (Element & { CodeMirror?: { getValue(): string } }) | null;
      return shown.length === 1 && mirror?.CodeMirror ? mirror.CodeMirror.getValue() : false;
    });
    expect(JSON.parse((await visibleToolText.jsonValue()) as string)).toEqual({
      Authorization: 'Bearer <paste your API key here>',
    });
  });
});
