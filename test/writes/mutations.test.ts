import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CreateContactInput } from '../../src/generated/gateway-server.js';
import { encodeUnifiedId, type Link, type LinkEntity } from '../../src/links/index.js';
import { protectSnapshot } from '../../src/mappings/index.js';
import type { WriteResult } from '../../src/writes/index.js';
import { startWriteWorld, type WriteWorld } from './write-world.js';

/**
 * Each write-through mutation for each kind of record, over both reference systems (HTTP) and
 * MongoDB: both systems hold exactly the expected values afterwards (read through their own APIs),
 * each system got exactly one write, the link is right, and the sync pass that follows writes nothing.
 */

type Fields = Record<string, unknown>;

interface KindCase {
  name: string;
  entity: LinkEntity;
  customerpType: string;
  crmofficeType: string;
  create: (world: WriteWorld) => Promise<{ input: Fields; customerp: Fields; crmoffice: Fields; snapshot: Fields }>;
  update: { input: Fields; customerp: Fields; crmoffice: Fields; snapshot: Fields };
  run: {
    create: (world: WriteWorld, input: Fields) => Promise<WriteResult>;
    update: (world: WriteWorld, id: string, input: Fields) => Promise<WriteResult>;
    delete: (world: WriteWorld, id: string) => Promise<WriteResult>;
  };
}

const contactRun: KindCase['run'] = {
  create: (world, input) => world.writes.createContact(input as CreateContactInput),
  update: (world, id, input) => world.writes.updateContact(id, input),
  delete: (world, id) => world.writes.deleteContact(id),
};

const cases: KindCase[] = [
  {
    name: 'Contact of kind EMPLOYEE (Customerp Employee + Crmoffice Contact)',
    entity: 'Contact',
    customerpType: 'Employee',
    crmofficeType: 'Contact',
    create: async () => ({
      input: {
        kind: 'EMPLOYEE',
        firstName: 'Wanda',
        lastName: 'Write',
        email: 'wanda.write@example.org',
        phone: '+1 555 0101',
        mobile: '+1 555 0102',
        title: 'Engineer',
        department: 'R&D',
      },
      customerp: {
        firstName: 'Wanda',
        lastName: 'Write',
        email: 'wanda.write@example.org',
        phone: '+1 555 0101',
        mobile: '+1 555 0102',
        jobTitle: 'Engineer',
        department: 'R&D',
        active: true,
      },
      crmoffice: {
        firstName: 'Wanda',
        lastName: 'Write',
        email: 'wanda.write@example.org',
        phone: '+1 555 0101',
        mobilePhone: '+1 555 0102',
        title: 'Engineer',
        department: 'R&D',
        contactType: 'EMPLOYEE',
        companyId: null,
        address: { street: null, city: null, postalCode: null, country: null },
        active: true,
      },
      snapshot: {
        firstName: 'Wanda',
        lastName: 'Write',
        email: 'wanda.write@example.org',
        phone: '+1 555 0101',
        mobile: '+1 555 0102',
        title: 'Engineer',
        department: 'R&D',
        active: true,
      },
    }),
    update: {
      input: { title: 'Lead Engineer', mobile: null, active: false },
      customerp: {
        firstName: 'Wanda',
        lastName: 'Write',
        email: 'wanda.write@example.org',
        phone: '+1 555 0101',
        mobile: null,
        jobTitle: 'Lead Engineer',
        department: 'R&D',
        active: false,
      },
      crmoffice: {
        firstName: 'Wanda',
        lastName: 'Write',
        email: 'wanda.write@example.org',
        phone: '+1 555 0101',
        mobilePhone: null,
        title: 'Lead Engineer',
        department: 'R&D',
        contactType: 'EMPLOYEE',
        companyId: null,
        address: { street: null, city: null, postalCode: null, country: null },
        active: false,
      },
      snapshot: { title: 'Lead Engineer', mobile: null, active: false, phone: '+1 555 0101' },
    },
    run: contactRun,
  },
  {
    name: 'Contact of kind CUSTOMER_CONTACT (Customerp Contact + Crmoffice Contact)',
    entity: 'Contact',
    customerpType: 'Contact',
    crmofficeType: 'Contact',
    create: async () => ({
      input: {
        kind: 'CUSTOMER_CONTACT',
        firstName: 'Cora',
        lastName: 'Client',
        email: 'cora.client@example.org',
        phone: '+44 20 7946 0001',
        title: 'Buyer',
        address: { street: '1 Quay St', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' },
      },
      customerp: {
        firstName: 'Cora',
        lastName: 'Client',
        email: 'cora.client@example.org',
        phone: '+44 20 7946 0001',
        jobTitle: 'Buyer',
        street: '1 Quay St',
        city: 'Leeds',
        postalCode: 'LS1 1AA',
        country: 'GB',
      },
      crmoffice: {
        firstName: 'Cora',
        lastName: 'Client',
        email: 'cora.client@example.org',
        phone: '+44 20 7946 0001',
        mobilePhone: null,
        title: 'Buyer',
        department: null,
        contactType: 'CUSTOMER',
        companyId: null,
        address: { street: '1 Quay St', city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' },
        active: true,
      },
      snapshot: { firstName: 'Cora', 'address.street': '1 Quay St', 'address.city': 'Leeds', 'address.country': 'GB' },
    }),
    update: {
      input: { address: { city: 'York' }, phone: null },
      customerp: {
        firstName: 'Cora',
        lastName: 'Client',
        email: 'cora.client@example.org',
        phone: null,
        jobTitle: 'Buyer',
        street: '1 Quay St',
        city: 'York',
        postalCode: 'LS1 1AA',
        country: 'GB',
      },
      crmoffice: {
        firstName: 'Cora',
        lastName: 'Client',
        email: 'cora.client@example.org',
        phone: null,
        mobilePhone: null,
        title: 'Buyer',
        department: null,
        contactType: 'CUSTOMER',
        companyId: null,
        address: { street: '1 Quay St', city: 'York', postalCode: 'LS1 1AA', country: 'GB' },
        active: true,
      },
      snapshot: { 'address.street': '1 Quay St', 'address.city': 'York', phone: null },
    },
    run: contactRun,
  },
  {
    name: 'Company (Customerp Product + Crmoffice Company)',
    entity: 'Company',
    customerpType: 'Product',
    crmofficeType: 'Company',
    create: async () => ({
      input: {
        name: 'Writewell Ltd',
        description: 'Made by write-through',
        industry: 'Software',
        website: 'https://writewell.example',
        code: 'SKU-WRITE-1',
      },
      customerp: {
        sku: 'SKU-WRITE-1',
        name: 'Writewell Ltd',
        description: 'Made by write-through',
        category: 'Software',
        website: 'https://writewell.example',
        active: true,
      },
      crmoffice: {
        name: 'Writewell Ltd',
        description: 'Made by write-through',
        industry: 'Software',
        website: 'https://writewell.example',
        code: 'SKU-WRITE-1',
        status: 'ACTIVE',
      },
      snapshot: { name: 'Writewell Ltd', code: 'SKU-WRITE-1', active: true },
    }),
    update: {
      input: { active: false, website: null, name: 'Writewell Group' },
      customerp: {
        sku: 'SKU-WRITE-1',
        name: 'Writewell Group',
        description: 'Made by write-through',
        category: 'Software',
        website: null,
        active: false,
      },
      crmoffice: {
        name: 'Writewell Group',
        description: 'Made by write-through',
        industry: 'Software',
        website: null,
        code: 'SKU-WRITE-1',
        status: 'INACTIVE',
      },
      snapshot: { name: 'Writewell Group', website: null, active: false },
    },
    run: {
      create: (world, input) => world.writes.createCompany(input),
      update: (world, id, input) => world.writes.updateCompany(id, input),
      delete: (world, id) => world.writes.deleteCompany(id),
    },
  },
  {
    name: 'Activity (Customerp Project + Crmoffice Activity), owner and company through links',
    entity: 'Activity',
    customerpType: 'Project',
    crmofficeType: 'Activity',
    create: async (world) => {
      const [owner] = await world.pairs('Contact', 'EMPLOYEE');
      const [company] = await world.pairs('Company');
      if (!owner || !company) throw new Error('the demo world has no linked employee or company');
      const ownerId = encodeUnifiedId('Contact', owner._id);
      const companyId = encodeUnifiedId('Company', company._id);
      return {
        input: {
          subject: 'Write-through rollout',
          description: 'From the gateway',
          status: 'IN_PROGRESS',
          startAt: '2026-03-01T00:00:00.000Z',
          dueAt: '2026-04-15T00:00:00.000Z',
          ownerId,
          companyId,
        },
        customerp: {
          name: 'Write-through rollout',
          description: 'From the gateway',
          status: 'ACTIVE',
          startDate: '2026-03-01',
          endDate: '2026-04-15',
          managerId: owner.customerp?.id,
          productId: company.customerp?.id,
        },
        crmoffice: {
          subject: 'Write-through rollout',
          description: 'From the gateway',
          type: 'PROJECT',
          status: 'IN_PROGRESS',
          startAt: '2026-03-01T00:00:00.000Z',
          dueAt: '2026-04-15T00:00:00.000Z',
          ownerContactId: owner.crmoffice?.id,
          companyId: company.crmoffice?.id,
        },
        snapshot: {
          subject: 'Write-through rollout',
          status: 'IN_PROGRESS',
          startAt: '2026-03-01',
          dueAt: '2026-04-15',
          owner: owner._id,
          company: company._id,
        },
      };
    },
    update: {
      input: { status: 'DONE', dueAt: '2026-05-01', ownerId: null },
      customerp: {
        name: 'Write-through rollout',
        description: 'From the gateway',
        status: 'COMPLETED',
        startDate: '2026-03-01',
        endDate: '2026-05-01',
        managerId: null,
      },
      crmoffice: {
        subject: 'Write-through rollout',
        description: 'From the gateway',
        type: 'PROJECT',
        status: 'DONE',
        startAt: '2026-03-01T00:00:00.000Z',
        dueAt: '2026-05-01T00:00:00.000Z',
        ownerContactId: null,
      },
      snapshot: { status: 'DONE', dueAt: '2026-05-01', owner: null },
    },
    run: {
      create: (world, input) => world.writes.createActivity(input),
      update: (world, id, input) => world.writes.updateActivity(id, input),
      delete: (world, id) => world.writes.deleteActivity(id),
    },
  },
];

const APPLIED_BOTH = [
  { system: 'CUSTOMERP', state: 'APPLIED', error: null },
  { system: 'CRMOFFICE', state: 'APPLIED', error: null },
];

let world: WriteWorld;

beforeAll(async () => {
  world = await startWriteWorld('write mutations');
});

afterAll(() => world.close());

describe.each(cases)('WriteThrough, $name', (kindCase) => {
  let created: WriteResult;
  let link: Link;

  it('creates the record in both systems with one write each and links them; the next sync pass writes nothing', async () => {
    const { input, customerp, crmoffice, snapshot } = await kindCase.create(world);
    await world.world.systems.resetStats();
    created = await kindCase.run.create(world, input);
    expect(created).toEqual({
      operationId: expect.any(String),
      entity: kindCase.entity,
      linkId: expect.any(String),
      id: encodeUnifiedId(kindCase.entity, created.linkId as string),
      writes: APPLIED_BOTH,
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 1 });

    link = await world.linkOf(created.linkId);
    expect(link).toMatchObject({
      entity: kindCase.entity,
      customerp: { type: kindCase.customerpType, id: expect.any(String) },
      crmoffice: { type: kindCase.crmofficeType, id: expect.any(String) },
      state: 'IN_SYNC',
      deletedAt: null,
      snapshot: expect.objectContaining(protectSnapshot(snapshot)),
    });
    expect(await world.customerpRecord(kindCase.customerpType, link.customerp?.id as string)).toEqual({
      id: link.customerp?.id,
      ...customerp,
    });
    expect(await world.crmofficeRecord(kindCase.crmofficeType, link.crmoffice?.id as string)).toEqual({
      id: link.crmoffice?.id,
      ...crmoffice,
    });
    expect((await world.operations.findById(created.operationId))?.state).toBe('APPLIED');

    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
    // The sync engine found the link as it would have left it: it did not even rewrite the link.
    expect((await world.linkOf(created.linkId)).version).toBe(link.version);
  });

  it('updates only the given fields in both systems with one write each; the next sync pass writes nothing', async () => {
    const { input, customerp, crmoffice, snapshot } = kindCase.update;
    await world.world.systems.resetStats();
    const result = await kindCase.run.update(world, created.id as string, input);
    expect(result).toEqual({
      operationId: expect.any(String),
      entity: kindCase.entity,
      linkId: created.linkId,
      id: created.id,
      writes: APPLIED_BOTH,
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 1 });

    expect(await world.customerpRecord(kindCase.customerpType, link.customerp?.id as string)).toMatchObject(customerp);
    expect(await world.crmofficeRecord(kindCase.crmofficeType, link.crmoffice?.id as string)).toMatchObject(crmoffice);
    const updated = await world.linkOf(created.linkId);
    expect(updated).toMatchObject({ state: 'IN_SYNC', snapshot: expect.objectContaining(protectSnapshot(snapshot)) });

    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
    expect((await world.linkOf(created.linkId)).version).toBe(updated.version);
  });

  it('deletes both records with one write each and retires the link; the next sync pass writes nothing', async () => {
    await world.world.systems.resetStats();
    const result = await kindCase.run.delete(world, created.id as string);
    expect(result).toEqual({
      operationId: expect.any(String),
      entity: kindCase.entity,
      linkId: created.linkId,
      id: created.id,
      writes: APPLIED_BOTH,
    });
    expect(await world.upstreamWrites()).toEqual({ customerp: 1, crmoffice: 1 });

    expect(await world.customerpRecord(kindCase.customerpType, link.customerp?.id as string)).toBeNull();
    expect(await world.crmofficeRecord(kindCase.crmofficeType, link.crmoffice?.id as string)).toBeNull();
    expect(await world.linkOf(created.linkId)).toMatchObject({ deletedAt: expect.any(Date) });

    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});

describe('WriteThrough, a Crmoffice-only contact', () => {
  it('updates and deletes it in Crmoffice alone, Customerp SKIPPED; the next sync pass writes nothing', async () => {
    // A lead (type OTHER): not one of the demo's duplicate EMPLOYEE contacts, whose removal the sync engine acts on.
    let link: Link | undefined;
    for (const candidate of await world.world.linksOf('Contact', 'CRM_ONLY')) {
      const record = await world.crmofficeRecord('Contact', candidate.crmoffice?.id as string);
      if (record?.['contactType'] === 'OTHER') {
        link = candidate;
        break;
      }
    }
    if (!link) throw new Error('the demo world has no Crmoffice-only lead');
    const id = encodeUnifiedId('Contact', link._id);
    await world.world.systems.resetStats();
    const updated = await world.writes.updateContact(id, { department: 'Leads', address: { city: 'Bergen' } });
    expect(updated.writes).toEqual([
      { system: 'CUSTOMERP', state: 'SKIPPED', error: 'no Customerp record' },
      { system: 'CRMOFFICE', state: 'APPLIED', error: null },
    ]);
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 1 });
    expect(await world.crmofficeRecord('Contact', link.crmoffice?.id as string)).toMatchObject({
      department: 'Leads',
      address: { city: 'Bergen' },
      contactType: 'OTHER',
    });
    const after = await world.linkOf(link._id);
    expect(after).toMatchObject({
      kind: 'CRM_ONLY',
      state: 'IN_SYNC',
      snapshot: expect.objectContaining({ department: 'Leads', 'address.city': 'Bergen' }),
    });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
    expect((await world.linkOf(link._id)).version).toBe(after.version);

    await world.world.systems.resetStats();
    const deleted = await world.writes.deleteContact(id);
    expect(deleted.writes).toEqual([
      { system: 'CUSTOMERP', state: 'SKIPPED', error: 'no Customerp record' },
      { system: 'CRMOFFICE', state: 'APPLIED', error: null },
    ]);
    expect(await world.upstreamWrites()).toEqual({ customerp: 0, crmoffice: 1 });
    expect(await world.crmofficeRecord('Contact', link.crmoffice?.id as string)).toBeNull();
    expect(await world.linkOf(link._id)).toMatchObject({ deletedAt: expect.any(Date) });
    expect(await world.syncWrites()).toEqual({ customerp: 0, crmoffice: 0 });
  });
});
