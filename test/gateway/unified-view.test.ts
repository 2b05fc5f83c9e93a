import { describe, expect, it } from '@jest/globals';
import DataLoader from 'dataloader';
import { UpstreamUnavailableError } from '../../src/errors.js';
import type { GatewayLoaders, RecordKey, SideKey } from '../../src/gateway/loaders/index.js';
import { RequestOutages } from '../../src/gateway/loaders/index.js';
import { UnifiedViews } from '../../src/gateway/unified-view.js';
import type { Link } from '../../src/links/index.js';
import type {
  CrmofficeActivity,
  CrmofficeContact,
  CustomerpEmployee,
  CustomerpProject,
  SystemRecord,
} from '../../src/mappings/index.js';

// UnifiedViews over in-memory loaders: which values a unified record shows, and how its reads batch.

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-02-01T00:00:00.000Z';
const T2 = '2025-03-01T00:00:00.000Z';

function link(fields: Partial<Link> & Pick<Link, '_id' | 'entity'>): Link {
  return {
    kind: null,
    customerp: null,
    crmoffice: null,
    snapshot: null,
    keys: {},
    state: 'IN_SYNC',
    reason: null,
    conflicts: [],
    heldDelete: null,
    detached: false,
    deletedAt: null,
    lastSyncedAt: null,
    createdAt: new Date(T0),
    updatedAt: new Date(T0),
    version: 1,
    ...fields,
  };
}

function employee(fields: Partial<CustomerpEmployee> = {}): CustomerpEmployee {
  return {
    id: 'emp-1',
    version: 1,
    updatedAt: T1,
    employeeNumber: 'E-00001',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    phone: '+1',
    mobile: '+2',
    jobTitle: 'Engineer',
    department: 'Engineering',
    active: true,
    ...fields,
  };
}

function crmContact(fields: Partial<CrmofficeContact> = {}): CrmofficeContact {
  return {
    id: 'c-1',
    etag: 'W/"1"',
    modifiedAt: T1,
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    phone: '+1',
    mobilePhone: '+2',
    title: 'Engineer',
    department: 'Engineering',
    contactType: 'EMPLOYEE',
    companyId: null,
    address: { street: null, city: null, postalCode: null, country: null },
    active: true,
    ...fields,
  };
}

const SNAPSHOT = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '+1',
  mobile: '+2',
  title: 'Engineer',
  department: 'Engineering',
  active: true,
};
const UNIFIED = { ...SNAPSHOT };

/** Loaders over maps of records (`Type:id` → record, or an Error to fail with); each returns its batches. */
function loaders(records: {
  customerp?: Record<string, SystemRecord | Error>;
  crmoffice?: Record<string, SystemRecord | Error>;
  links?: Record<string, Link>;
}) {
  const calls = { customerp: [] as string[][], crmoffice: [] as string[][], byRef: [] as string[][] };
  const recordLoader = (system: 'customerp' | 'crmoffice') =>
    new DataLoader<RecordKey<string>, SystemRecord | null, string>(
      async (keys) => {
        calls[system].push(keys.map((k) => `${k.type}:${k.id}`));
        return keys.map((k) => records[system]?.[`${k.type}:${k.id}`] ?? null);
      },
      { cacheKeyFn: (k) => `${k.type}:${k.id}` },
    );
  const refKey = (k: SideKey): string => `${k.system}:${k.ref.type}:${k.ref.id}`;
  const set = {
    customerp: recordLoader('customerp'),
    crmoffice: recordLoader('crmoffice'),
    byRef: new DataLoader<SideKey, Link | null, string>(
      async (keys) => {
        calls.byRef.push(keys.map(refKey));
        return keys.map((k) => records.links?.[refKey(k)] ?? null);
      },
      { cacheKeyFn: refKey },
    ),
    byId: new DataLoader<string, Link | null>(async (ids) => ids.map(() => null)),
    children: new DataLoader<never, Link[], string>(async (keys) => keys.map(() => [])),
    outages: new RequestOutages(),
  } as unknown as GatewayLoaders;
  return { views: new UnifiedViews(set), calls };
}

const pair = link({
  _id: 'L1',
  entity: 'Contact',
  kind: 'EMPLOYEE',
  customerp: { type: 'Employee', id: 'emp-1' },
  crmoffice: { type: 'Contact', id: 'c-1' },
  snapshot: SNAPSHOT,
});

describe('UnifiedViews', () => {
  it('shows the synced values of an in-sync pair, through the dataflow table', async () => {
    const { views } = loaders({
      customerp: { 'Employee:emp-1': employee() },
      crmoffice: { 'Contact:c-1': crmContact() },
    });
    // The employee flow carries no address: Crmoffice's own (empty here) shows.
    expect(await views.valuesOf(pair)).toEqual({ ...UNIFIED, address: null });
  });

  it('shows the side that changed since the last sync, and the newer side where both did', async () => {
    const { views } = loaders({
      customerp: { 'Employee:emp-1': employee({ jobTitle: 'CTO', department: 'Board', updatedAt: T2 }) },
      crmoffice: { 'Contact:c-1': crmContact({ phone: '+9', department: 'Research', modifiedAt: T1 }) },
    });
    expect(await views.valuesOf({ ...pair, state: 'PENDING' })).toEqual({
      ...UNIFIED,
      title: 'CTO',
      phone: '+9',
      department: 'Board',
      address: null,
    });
  });

  it('falls back on the other side when one system fails, and fails only when every side does', async () => {
    const down = new UpstreamUnavailableError('CRMOFFICE', 'HTTP 503');
    const { views } = loaders({
      customerp: { 'Employee:emp-1': employee({ jobTitle: 'CTO', updatedAt: T2 }) },
      crmoffice: { 'Contact:c-1': down },
    });
    expect(await views.valuesOf(pair)).toEqual({ ...UNIFIED, title: 'CTO' });
    await expect(views.recordOf(pair, 'CRMOFFICE')).rejects.toBe(down);
    const crmOnly = link({ _id: 'L2', entity: 'Contact', kind: 'CRM_ONLY', crmoffice: { type: 'Contact', id: 'c-1' } });
    await expect(views.valuesOf(crmOnly)).rejects.toBe(down);
  });

  it('shows a record deleted upstream (not synced yet) from its other side', async () => {
    const { views } = loaders({ crmoffice: { 'Contact:c-1': crmContact({ title: 'Lead' }) } });
    expect(await views.valuesOf(pair)).toEqual({ ...UNIFIED, title: 'Lead', address: null });
    expect(await views.recordOf(pair, 'CUSTOMERP')).toBeNull();
  });

  it('reads a Crmoffice-only contact with every field any contact flow maps', async () => {
    const crmOnly = link({ _id: 'L2', entity: 'Contact', kind: 'CRM_ONLY', crmoffice: { type: 'Contact', id: 'c-1' } });
    const { views } = loaders({
      crmoffice: {
        'Contact:c-1': crmContact({
          contactType: 'OTHER',
          address: { street: 'Main St 1', city: 'Berlin', postalCode: null, country: 'DE' },
        }),
      },
    });
    expect(await views.valuesOf(crmOnly)).toEqual({
      ...UNIFIED,
      address: { street: 'Main St 1', city: 'Berlin', postalCode: null, country: 'DE' },
    });
  });

  it('translates references through links, loading them for all records of a tick in one batch', async () => {
    const project = (n: number): CustomerpProject => ({
      id: `prj-${n}`,
      version: 1,
      updatedAt: T1,
      projectNumber: `P-${n}`,
      name: `Project ${n}`,
      description: null,
      status: 'ON_HOLD',
      startDate: '2025-04-01',
      endDate: null,
      managerId: `emp-${n}`,
      productId: 'prd-1',
    });
    const activity = (n: number): CrmofficeActivity => ({
      id: `a-${n}`,
      etag: 'W/"1"',
      modifiedAt: T1,
      subject: `Project ${n}`,
      description: null,
      type: 'PROJECT',
      status: 'IN_PROGRESS',
      startAt: '2025-04-01T00:00:00.000Z',
      dueAt: null,
      ownerContactId: `c-${n}`,
      companyId: 'co-1',
    });
    const owner = (n: number) => link({ _id: `owner-${n}`, entity: 'Contact' });
    const company = link({ _id: 'company-1', entity: 'Company' });
    const { views, calls } = loaders({
      customerp: { 'Project:prj-1': project(1), 'Project:prj-2': project(2) },
      crmoffice: { 'Activity:a-1': activity(1), 'Activity:a-2': activity(2) },
      links: {
        'CUSTOMERP:Employee:emp-1': owner(1),
        'CRMOFFICE:Contact:c-1': owner(1),
        'CUSTOMERP:Employee:emp-2': owner(2),
        'CRMOFFICE:Contact:c-2': owner(2),
        'CUSTOMERP:Product:prd-1': company,
        'CRMOFFICE:Company:co-1': company,
      },
    });
    const activities = [1, 2].map((n) =>
      link({
        _id: `act-${n}`,
        entity: 'Activity',
        customerp: { type: 'Project', id: `prj-${n}` },
        crmoffice: { type: 'Activity', id: `a-${n}` },
      }),
    );
    const values = await Promise.all(activities.map((a) => views.valuesOf(a)));
    expect(values).toEqual(
      [1, 2].map((n) => ({
        subject: `Project ${n}`,
        description: null,
        status: 'IN_PROGRESS',
        startAt: '2025-04-01T00:00:00.000Z',
        dueAt: null,
        owner: `owner-${n}`,
        company: 'company-1',
      })),
    );
    expect(calls).toEqual({
      customerp: [['Project:prj-1', 'Project:prj-2']],
      crmoffice: [['Activity:a-1', 'Activity:a-2']],
      byRef: [
        [
          'CUSTOMERP:Employee:emp-1',
          'CUSTOMERP:Product:prd-1',
          'CRMOFFICE:Contact:c-1',
          'CRMOFFICE:Company:co-1',
          'CUSTOMERP:Employee:emp-2',
          'CRMOFFICE:Contact:c-2',
        ],
      ],
    });
  });

  it('computes each link once per request, however many fields ask', async () => {
    const { views, calls } = loaders({
      customerp: { 'Employee:emp-1': employee() },
      crmoffice: { 'Contact:c-1': crmContact() },
    });
    await Promise.all([views.valuesOf(pair), views.valuesOf(pair), views.recordOf(pair, 'CUSTOMERP')]);
    await views.valuesOf(pair);
    expect(calls).toEqual({ customerp: [['Employee:emp-1']], crmoffice: [['Contact:c-1']], byRef: [] });
  });
});
