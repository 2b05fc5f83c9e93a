import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { encodeConflictId } from '../../src/gateway/index.js';
import type { Link } from '../../src/links/index.js';
import { editRecord, pairsOf, readRecord, type Pair } from '../support/edits.js';
import { gql } from '../support/graphql.js';
import { startOpsWorld, type OpsWorld } from '../ops/ops-world.js';
import { launchChromium, nonLocal, recordRequests, screenshot } from './browser.js';

// The status page in a real browser (headless Chromium): the feeds, the lag plot, link counts,
// pending writes, and an open conflict that its button resolves through resolveConflict, in MongoDB
// and on both systems.

let ops: OpsWorld;
let browser: Browser;
let page: Page;
let requests: string[];
let contested: Pair;
let conflictId: string;

beforeAll(async () => {
  [ops, browser] = await Promise.all([
    startOpsWorld('browser status', { gateway: { mode: 'development' } }),
    launchChromium(),
  ]);
  await ops.syncPass();
  // One pair edited on both sides, the same field: sync records a conflict and keeps the newer value.
  contested = (await pairsOf(ops.world.links, 'Contact', 'EMPLOYEE'))[0] as Pair;
  await editRecord(ops.world.systems.customerp, 'Employee', contested.customerp.id, { jobTitle: 'Chief Left' });
  await new Promise((resolve) => setTimeout(resolve, 5));
  await editRecord(ops.world.systems.crmoffice, 'Contact', contested.crmoffice.id, { title: 'Chief Right' });
  await ops.syncPass();
  const link = (await ops.world.links.findById(contested.linkId)) as Link;
  const conflict = link.conflicts.find((c) => c.field === 'title' && !c.resolvedAt);
  if (!conflict) throw new Error(`no open title conflict on ${link._id}: ${JSON.stringify(link.conflicts)}`);
  conflictId = encodeConflictId(link._id, conflict.id);

  page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  requests = recordRequests(page);
  await page.goto(`${ops.gateway.origin}/status?refresh=1000`);
  await page.waitForSelector('body[data-loaded="true"]');
});

afterAll(async () => {
  await browser?.close();
  await ops?.close();
});

const rowOf = (id: string) => `tr[data-conflict-id="${id}"]`;

describe('the status page at /status', () => {
  it('shows every feed with its cursor, last run, lag and applied count, as syncStatus has them', async () => {
    const { syncStatus } = await ops.data<{
      syncStatus: { feeds: { feed: string; cursor: string; applied: number }[] };
    }>('{ syncStatus { feeds { feed cursor applied } } }');
    const rows = await page.$$eval('#feeds tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows.map(([feed, cursor, , , applied]) => ({ feed, cursor, applied: Number(applied) }))).toEqual(
      syncStatus.feeds,
    );
    expect(rows).toHaveLength(7);
    for (const row of rows) expect(row[2]).not.toBe('—'); // every feed has run
  });

  it('plots sync lag and applied changes over the last hour', async () => {
    await page.waitForSelector('#plot .uplot canvas');
    expect(Number(await page.getAttribute('#plot', 'data-samples'))).toBeGreaterThanOrEqual(1);
    const legend = await page.$$eval('#plot .u-legend .u-series .u-label', (labels) =>
      labels.map((l) => l.textContent),
    );
    expect(legend).toEqual(['minute', 'sync lag (ms)', 'applied changes']);
    const box = await page.$eval('#plot .uplot canvas', (canvas) => ({
      width: (canvas as HTMLCanvasElement).width,
      height: (canvas as HTMLCanvasElement).height,
    }));
    expect(box.width).toBeGreaterThan(300);
    expect(box.height).toBeGreaterThan(100);
  });

  it('shows link counts per entity and sync state, pending operations and open conflicts', async () => {
    const { syncStatus } = await ops.data<{
      syncStatus: {
        pendingOperations: number;
        openConflicts: number;
        links: { entity: string; state: string; count: number }[];
      };
    }>('{ syncStatus { pendingOperations openConflicts links { entity state count } } }');
    expect(await page.textContent('#pending-operations')).toBe(String(syncStatus.pendingOperations));
    expect(await page.textContent('#open-conflicts')).toBe(String(syncStatus.openConflicts));
    const cells = await page.$$eval('#links tbody tr', (trs) =>
      trs.flatMap((tr) =>
        [...tr.querySelectorAll('td[data-state]')].map((td) => ({
          entity: tr.getAttribute('data-entity'),
          state: td.getAttribute('data-state'),
          count: Number(td.textContent),
        })),
      ),
    );
    expect(cells.filter((c) => c.count > 0)).toEqual(syncStatus.links);
  });

  it("lists the open conflict with both systems' values, and resolves it from its button in MongoDB and on both systems", async () => {
    await page.waitForSelector(rowOf(conflictId));
    expect(await page.textContent(`${rowOf(conflictId)} td[data-side="CUSTOMERP"]`)).toBe('Chief Left');
    expect(await page.textContent(`${rowOf(conflictId)} td[data-side="CRMOFFICE"]`)).toBe('Chief Right');
    expect(existsSync(await screenshot(page, 'status'))).toBe(true);

    await page.click(`${rowOf(conflictId)} button[data-keep="CUSTOMERP"]`);
    // The page says how the mutation went, then refreshes without the conflict.
    await page.waitForFunction(
      () => !/^(Resolving|$)/.test(document.getElementById('conflict-message')?.textContent ?? ''),
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.textContent('#conflict-message')).toBe(
      'Resolved title, kept CUSTOMERP: CUSTOMERP APPLIED, CRMOFFICE APPLIED.',
    );
    await page.waitForSelector(rowOf(conflictId), { state: 'detached', timeout: 5_000 });
    await screenshot(page, 'status-resolved');

    const link = (await ops.world.links.findById(contested.linkId)) as Link;
    expect(link.conflicts.filter((c) => c.field === 'title')).toEqual([
      expect.objectContaining({
        kept: 'CUSTOMERP',
        customerpValue: 'Chief Left',
        crmofficeValue: 'Chief Right',
        resolvedAt: expect.any(Date),
      }),
    ]);
    expect(await readRecord(ops.world.systems.customerp, 'Employee', contested.customerp.id)).toMatchObject({
      jobTitle: 'Chief Left',
    });
    expect(await readRecord(ops.world.systems.crmoffice, 'Contact', contested.crmoffice.id)).toMatchObject({
      title: 'Chief Left',
    });
  });

  it('shows deletes the mass-delete guard holds with Approve and Discard, says why each waits, and Approve releases them', async () => {
    const victims = (await pairsOf(ops.world.links, 'Company')).slice(0, 7);
    for (const pair of victims)
      await gql(ops.world.systems.customerpServer.url, 'mutation($id: ID!) { deleteProduct(id: $id) }', {
        id: pair.customerp.id,
      });
    await ops.syncPass();
    const row = 'tr[data-feed="customerp:PRODUCT"]';
    await page.waitForFunction(
      (selector) => document.querySelector(`${selector} td.held`)?.textContent?.startsWith('7 '),
      row,
      { timeout: 15_000 },
    );
    expect(await page.$$eval(`${row} td.held button`, (buttons) => buttons.map((b) => b.textContent))).toEqual([
      'Approve deletes',
      'Discard deletes',
    ]);
    const reasons = await page.$$eval('#waiting tbody td.reason', (cells) => cells.map((c) => c.textContent));
    expect(reasons.filter((r) => r?.includes('held by the mass-delete guard'))).toHaveLength(7);
    await screenshot(page, 'status-held-deletes');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.click(`${row} button[data-action="approve"]`);
    await page.waitForFunction((selector) => document.querySelector(`${selector} td.held`)?.textContent === '0', row, {
      timeout: 15_000,
    });
    expect(await page.textContent('#feed-message')).toBe('Approved 7 held deletes of customerp:PRODUCT.');
    const left = await ops.world.systems.crmoffice.getMany(
      'Company',
      victims.map((pair) => pair.crmoffice.id),
    );
    expect(left).toEqual(victims.map(() => null));
  });

  it('made no request that left 127.0.0.1', () => {
    expect(requests.length).toBeGreaterThanOrEqual(5);
    expect(nonLocal(requests)).toEqual([]);
  });
});
