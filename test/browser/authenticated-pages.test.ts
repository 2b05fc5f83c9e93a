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
  it('opens on its API key field (one for every tab), not on an error (test/browser/explorer-key.test.ts goes on from here)', async () => {
    await page.goto(`${ops.gateway.origin}/explorer`);
    await page.waitForSelector('#key-form:not([hidden])');
    expect(await page.textContent('#key-message')).toBe('This gateway needs an API key (npm start prints a demo one).');
    expect(await page.textContent('#graphiql')).toBe(
      'Enter an API key above to load the schema and run the saved operations.',
    );
  });
});
