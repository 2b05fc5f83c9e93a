import { describe, expect, it } from '@jest/globals';
import { DEMO_SIZE, demoMatches, demoWorld, type DemoSize } from '../../../src/reference/core/index.js';
import { seedCrmoffice, type CrmofficeDatabase } from '../../../src/reference/crmoffice/index.js';
import { toActivity, toCompany, toContact } from '../../../src/reference/crmoffice/records.js';

const world = demoWorld(DEMO_SIZE);
const db = seedCrmoffice(DEMO_SIZE);
const contacts = [...db.contacts.records.all()].map(toContact);
const companies = [...db.companies.records.all()].map(toCompany);
const activities = [...db.activities.records.all()].map(toActivity);

const indexes = (count: number, match: (i: number) => boolean): number[] =>
  Array.from({ length: count }, (_, i) => i).filter(match);
const contactsWithEmail = (email: string) => contacts.filter((c) => c.email.toLowerCase() === email.toLowerCase());

/** Everything but the times, which are the moment of seeding. */
function content(database: CrmofficeDatabase): unknown {
  const strip = <T extends { modifiedAt: string }>({ modifiedAt: _modifiedAt, ...rest }: T) => rest;
  return {
    contacts: [...database.contacts.records.all()].map(strip),
    companies: [...database.companies.records.all()].map(strip),
    activities: [...database.activities.records.all()].map(strip),
    feeds: (['CONTACTS', 'COMPANIES', 'ACTIVITIES'] as const).map((collection) =>
      database.changes(collection, null, 1000).items.map(({ id, op, version }) => ({ id, op, version })),
    ),
  };
}

describe('seedCrmoffice (demo size)', () => {
  it('holds 34 contacts, 16 companies and 20 activities', () => {
    expect([contacts.length, companies.length, activities.length]).toEqual([34, 16, 20]);
  });

  it('gives every matched employee one EMPLOYEE contact: same person, e-mail in upper case', () => {
    const matched = indexes(DEMO_SIZE.employees, (i) => demoMatches.employee(i) && i !== demoMatches.ambiguousEmployee);
    expect(matched).toHaveLength(10);
    for (const i of matched) {
      const person = world.employees[i]!;
      const found = contactsWithEmail(person.email);
      expect(found).toEqual([
        {
          id: expect.any(String),
          firstName: person.firstName,
          lastName: person.lastName,
          email: person.email.toUpperCase(),
          phone: person.phone,
          mobilePhone: person.mobile,
          title: person.jobTitle,
          department: person.department,
          contactType: 'EMPLOYEE',
          companyId: null,
          address: { street: null, city: null, postalCode: null, country: null },
          active: true,
          etag: 'W/"1"',
          modifiedAt: expect.any(String),
        },
      ]);
    }
  });

  it('gives no contact to employees that are not matched', () => {
    const unmatched = indexes(
      DEMO_SIZE.employees,
      (i) => !demoMatches.employee(i) && i !== demoMatches.ambiguousEmployee,
    );
    expect(unmatched.flatMap((i) => contactsWithEmail(world.employees[i]!.email))).toEqual([]);
  });

  it('holds exactly two EMPLOYEE contacts with the e-mail of the ambiguous employee', () => {
    const person = world.employees[demoMatches.ambiguousEmployee]!;
    const pair = contactsWithEmail(person.email);
    expect(pair.map((c) => ({ email: c.email, contactType: c.contactType, lastName: c.lastName }))).toEqual([
      { email: person.email.toUpperCase(), contactType: 'EMPLOYEE', lastName: person.lastName },
      { email: person.email, contactType: 'EMPLOYEE', lastName: person.lastName },
    ]);
  });

  it('gives every matched customer contact one CUSTOMER contact with its address', () => {
    const matched = indexes(DEMO_SIZE.customerContacts, demoMatches.customerContact);
    expect(matched).toHaveLength(10);
    for (const i of matched) {
      const person = world.customerContacts[i]!;
      expect(contactsWithEmail(person.email)).toEqual([
        expect.objectContaining({
          email: person.email.toUpperCase(),
          contactType: 'CUSTOMER',
          firstName: person.firstName,
          lastName: person.lastName,
          phone: person.phone,
          title: person.jobTitle,
          companyId: null,
          address: { street: person.street, city: person.city, postalCode: person.postalCode, country: person.country },
        }),
      ]);
    }
    const unmatched = indexes(DEMO_SIZE.customerContacts, (i) => !demoMatches.customerContact(i));
    expect(unmatched.flatMap((i) => contactsWithEmail(world.customerContacts[i]!.email))).toEqual([]);
  });

  it('holds every CRM-only contact, as OTHER or CUSTOMER, six of them at an existing company', () => {
    const crmOnly = world.crmOnlyContacts.map((person) => contactsWithEmail(person.email));
    expect(crmOnly.map((found) => found.length)).toEqual(world.crmOnlyContacts.map(() => 1));
    const records = crmOnly.flat();
    expect(new Set(records.map((c) => c.contactType))).toEqual(new Set(['OTHER', 'CUSTOMER']));
    const withCompany = records.filter((c) => c.companyId !== null);
    expect(withCompany).toHaveLength(6);
    expect(withCompany.every((c) => db.companies.get(c.companyId!) !== undefined)).toBe(true);
  });

  it('gives every matched product a company (code = sku) and holds every CRM-only company', () => {
    const expected = [
      ...indexes(DEMO_SIZE.products, demoMatches.product).map((i) => ({
        product: world.products[i]!,
        status: 'ACTIVE',
      })),
      ...world.crmOnlyCompanies.map((product, i) => ({ product, status: i % 4 === 3 ? 'INACTIVE' : 'ACTIVE' })),
    ];
    expect(companies).toEqual(
      expected.map(({ product, status }, i) => ({
        id: `co-${i + 1}`,
        code: product.sku,
        name: product.name,
        description: product.description,
        industry: product.category,
        website: product.website,
        status,
        etag: 'W/"1"',
        modifiedAt: expect.any(String),
      })),
    );
  });

  it('gives every matched project a PROJECT activity with mapped status, dates, owner and company', () => {
    const employeeContact = (i: number): string | null =>
      demoMatches.employee(i) && i !== demoMatches.ambiguousEmployee
        ? contactsWithEmail(world.employees[i]!.email)[0]!.id
        : null;
    const productCompany = (i: number): string | null =>
      demoMatches.product(i) ? companies.find((c) => c.code === world.products[i]!.sku)!.id : null;
    const status = {
      PLANNED: 'OPEN',
      ACTIVE: 'IN_PROGRESS',
      ON_HOLD: 'IN_PROGRESS',
      COMPLETED: 'DONE',
      CANCELLED: 'CANCELLED',
    };
    const matched = indexes(DEMO_SIZE.projects, demoMatches.project);

    expect(activities.filter((a) => a.type === 'PROJECT')).toEqual(
      matched.map((i, n) => {
        const project = world.projects[i]!;
        return {
          id: `a-${n + 1}`,
          subject: project.name,
          description: project.description,
          type: 'PROJECT',
          status: status[project.status],
          startAt: `${project.startDate}T00:00:00.000Z`,
          dueAt: project.endDate ? `${project.endDate}T00:00:00.000Z` : null,
          ownerContactId: employeeContact(project.managerIndex),
          companyId: productCompany(project.productIndex),
          etag: 'W/"1"',
          modifiedAt: expect.any(String),
        };
      }),
    );
    // The demo world's five matched projects: three managers have a contact.
    expect(activities.filter((a) => a.type === 'PROJECT' && a.ownerContactId !== null)).toHaveLength(3);
  });

  it('holds the CRM-only activities: tasks, meetings and calls owned by existing contacts, half at a company', () => {
    const crmOnly = activities.filter((a) => a.type !== 'PROJECT');
    expect(crmOnly).toHaveLength(DEMO_SIZE.crmOnlyActivities);
    expect(crmOnly.map((a) => a.type)).toEqual(crmOnly.map((_, i) => ['TASK', 'MEETING', 'CALL'][i % 3]));
    expect(crmOnly.every((a) => db.contacts.get(a.ownerContactId!) !== undefined)).toBe(true);
    expect(crmOnly.filter((a) => a.companyId !== null && db.companies.get(a.companyId) !== undefined)).toHaveLength(8);
    expect(crmOnly.every((a) => a.startAt !== null && a.dueAt !== null && a.dueAt > a.startAt)).toBe(true);
    // No subject collides with a project's name: matching by subject stays unambiguous.
    const projectNames = new Set(world.projects.map((p) => p.name));
    expect(crmOnly.filter((a) => projectNames.has(a.subject))).toEqual([]);
  });

  it('puts every seeded record in the change feed as created', () => {
    expect(db.changes('CONTACTS', null, 1000)).toEqual({
      items: contacts.map((c) => ({ id: c.id, op: 'UPSERT', version: 1, at: expect.any(String) })),
      cursor: '34',
      hasMore: false,
    });
    expect(db.changes('COMPANIES', null, 1000).items.map((c) => c.id)).toEqual(companies.map((c) => c.id));
    expect(db.changes('ACTIVITIES', null, 1000).items.map((c) => c.id)).toEqual(activities.map((a) => a.id));
  });

  it('seeds the same data every time', () => {
    expect(content(seedCrmoffice(DEMO_SIZE))).toEqual(content(db));
  });
});

describe('seedCrmoffice (other sizes)', () => {
  it('scales with the size it is given', () => {
    const size: DemoSize = {
      employees: 9,
      customerContacts: 8,
      products: 4,
      projects: 10,
      crmOnlyContacts: 3,
      crmOnlyCompanies: 2,
      crmOnlyActivities: 5,
    };
    const small = seedCrmoffice(size);
    // employees 0, 3, 6 + the ambiguous pair; customer contacts 0, 4; products 0, 2; projects 0, 5.
    expect([small.contacts.size, small.companies.size, small.activities.size]).toEqual([3 + 2 + 2 + 3, 2 + 2, 2 + 5]);
  });
});
