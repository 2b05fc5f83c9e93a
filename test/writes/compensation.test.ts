import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { encodeUnifiedId, type Link } from '../../src/links/index.js';
import { WriteRejectedError } from '../../src/writes/index.js';
import { listAll } from '../support/graphql.js';
import { anonymousKey, startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * A system that refuses a write for good (its own rules) gets nothing half-done: when Crmoffice, the
 * second system, refuses, what Customerp applied is undone (COMPENSATED) and both systems hold their
 * original values; when Customerp, the first, refuses, Crmoffice is not written at all.
 */

let world: WriteWorld;
let company: Link;
/** A company that exists in Crmoffice only: its code is free in Customerp but taken in Crmoffice. */
let crmOnlyCode: string;
let crmOnlyCompany: Record<string, unknown>;

async function rejection(promise: Promise<unknown>): Promise<WriteRejectedError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WriteRejectedError);
  return error as WriteRejectedError;
}

beforeAll(async () => {
  world = await startWriteWorld('write compensation');
  [company] = (await world.pairs('Company')) as [Link];
  const crmOnly = (await world.world.linksOf('Company')).find((l) => !l.customerp && l.crmoffice);
  if (!company || !crmOnly) throw new Error('the demo world lacks a linked or a Crmoffice-only company');
  crmOnlyCompany = (await world.crmofficeRecord('Company', crmOnly.crmoffice?.id as string)) as Record<string, unknown>;
  crmOnlyCode = crmOnlyCompany['code'] as string;
});

afterAll(() => world.close());

describe('WriteThrough when Crmoffice refuses for good', () => {
  it('undoes an update Customerp applied, leaves both systems as they were, and answers with the error and both writes', async () => {
    const productBefore = await world.customerpRecord('Product', company.customerp?.id as string);
    const companyBefore = await world.crmofficeRecord('Company', company.crmoffice?.id as string);
    const linkBefore = await world.linkOf(company._id);
    await world.world.systems.resetStats();

    const input = { name: 'Renamed Everywhere', code: crmOnlyCode, idempotencyKey: 'compensate-update' };
    const error = await rejection(world.writes.updateCompany(encodeUnifiedId('Company', company._id), input));
    const message = `CRMOFFICE rejected the request: code ${crmOnlyCode} is already used by company ${crmOnlyCompany['id'] as string}`;
    expect({ message: error.message, extensions: error.extensions }).toEqual({
      message,
      extensions: {
        code: 'UPSTREAM_REJECTED',
        system: 'CRMOFFICE',
        upstreamCode: 'BAD_USER_INPUT',
        field: 'code',
        writes: [
          { system: 'CUSTOMERP', state: 'COMPENSATED', error: 'undone because Crmoffice refused the change' },
          { system: 'CRMOFFICE', state: 'FAILED', error: message },
        ],
      },
    });
    // Customerp: the update and its undo; Crmoffice: the refused update.
    expect(await world.upstreamWrites()).toEqual({ customerp: 2, crmoffice: 1 });
    expect(await world.customerpRecord('Product', company.customerp?.id as string)).toEqual(productBefore);
    expect(await world.crmofficeRecord('Company', company.crmoffice?.id as string)).toEqual(companyBefore);
    expect(await world.crmofficeRecord('Company', crmOnlyCompany['id'] as string)).toEqual(crmOnlyCompany);
    expect((await world.operations.findByKey(anonymousKey('compensate-update')))?.state).toBe('COMPENSATED');
    const linkAfter = await world.linkOf(company._id);
    expect({ state: linkAfter.state, snapshot: linkAfter.snapshot, version: linkAfter.version }).toEqual({
      state: 'IN_SYNC',
      snapshot: linkBefore.snapshot,
      version: linkBefore.version,
    });

    // A retry with the key fails the same way and writes nothing.
    await world.world.systems.resetStats();
    const again = await rejection(world.writes.updateCompany(encodeUnifiedId('Company', company._id), input));
    expect({ message: again.message, extensions: again.extensions }).toEqual({
      message: error.message,
      extensions: error.extensions,
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 0 });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });

  it('deletes a record it created in Customerp when Crmoffice refuses its counterpart, and retires the link', async () => {
    const productsBefore = await listAll(world.world.systems.customerpServer.url, 'products', 'id sku');
    await world.world.systems.resetStats();

    const error = await rejection(
      world.writes.createCompany({ name: 'Clashing Code Ltd', code: crmOnlyCode, idempotencyKey: 'compensate-create' }),
    );
    expect(error.extensions).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      system: 'CRMOFFICE',
      field: 'code',
      writes: [
        { system: 'CUSTOMERP', state: 'COMPENSATED', error: 'undone because Crmoffice refused the change' },
        { system: 'CRMOFFICE', state: 'FAILED', error: error.message },
      ],
    });
    // Customerp: the create and the delete that undid it; Crmoffice: the refused create.
    expect(await world.upstreamWrites()).toEqual({ customerp: 2, crmoffice: 1 });
    expect(await listAll(world.world.systems.customerpServer.url, 'products', 'id sku')).toEqual(productsBefore);
    expect(await world.crmofficeRecord('Company', crmOnlyCompany['id'] as string)).toEqual(crmOnlyCompany);
    const operation = await world.operations.findByKey(anonymousKey('compensate-create'));
    expect(operation).toMatchObject({
      state: 'COMPENSATED',
      customerp: { write: 'COMPENSATED', ref: { type: 'Product' } },
    });
    expect(await world.linkOf(operation?.linkId ?? null)).toMatchObject({
      deletedAt: expect.any(Date),
      crmoffice: null,
    });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});

describe('WriteThrough when Customerp refuses for good', () => {
  it('writes nothing to Crmoffice and answers FAILED / SKIPPED with the error', async () => {
    const [employee] = await world.pairs('Contact', 'EMPLOYEE');
    const taken = (await world.customerpRecord('Employee', employee?.customerp?.id as string))?.['email'] as string;
    await world.world.systems.resetStats();

    const error = await rejection(
      world.writes.createContact({
        kind: 'EMPLOYEE',
        firstName: 'Dup',
        lastName: 'Licate',
        email: taken.toUpperCase(),
      }),
    );
    expect(error.extensions).toEqual({
      code: 'UPSTREAM_REJECTED',
      system: 'CUSTOMERP',
      upstreamCode: 'BAD_USER_INPUT',
      field: 'email',
      writes: [
        { system: 'CUSTOMERP', state: 'FAILED', error: error.message },
        { system: 'CRMOFFICE', state: 'SKIPPED', error: 'not written: Customerp refused the change' },
      ],
    });
    expect(error.message).toMatch(/^CUSTOMERP rejected the request: email .* is already used by Employee /);
    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 0 });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});
