import {
  createRandom,
  demoMatches,
  demoWorld,
  type DemoPerson,
  type DemoProject,
  type DemoSize,
} from '../core/index.js';
import type {
  ActivityStatus,
  ActivityType,
  AddressInput,
  ContactInput,
  ContactType,
} from '../../generated/crmoffice-server.js';
import { CrmofficeDatabase } from './database.js';

const PROJECT_STATUS: Record<DemoProject['status'], ActivityStatus> = {
  PLANNED: 'OPEN',
  ACTIVE: 'IN_PROGRESS',
  ON_HOLD: 'IN_PROGRESS',
  COMPLETED: 'DONE',
  CANCELLED: 'CANCELLED',
};

const CRM_ACTIVITY_TYPES: readonly ActivityType[] = ['TASK', 'MEETING', 'CALL'];
const CRM_ACTIVITY_STATUSES: readonly ActivityStatus[] = ['OPEN', 'IN_PROGRESS', 'DONE', 'CANCELLED'];
const CRM_ACTIVITY_WORDS: Record<ActivityType, string> = {
  PROJECT: 'Project',
  TASK: 'Follow-up',
  MEETING: 'Meeting',
  CALL: 'Call',
};
const DAY_MS = 86_400_000;

/**
 * A Crmoffice database holding the CRM side of `demoWorld(size)`: counterparts of the Customerp
 * records that `demoMatches` selects (identity keys in the letter case a CRM would have), the
 * ambiguous e-mail pair, and records that exist only in the CRM. Same data on every call; every
 * record goes through the same validation as an API write, and is in the change feed as created.
 */
export function seedCrmoffice(size: DemoSize): CrmofficeDatabase {
  const db = new CrmofficeDatabase();
  const world = demoWorld(size);

  // Companies first: contacts and activities refer to them.
  const companyOfProduct = new Map<number, string>();
  world.products.forEach((product, i) => {
    if (!demoMatches.product(i)) return;
    const company = db.createCompany({
      code: product.sku,
      name: product.name,
      description: product.description,
      industry: product.category,
      website: product.website,
      status: 'ACTIVE',
    });
    companyOfProduct.set(i, company.id);
  });
  world.crmOnlyCompanies.forEach((product, i) => {
    db.createCompany({
      code: product.sku,
      name: product.name,
      description: product.description,
      industry: product.category,
      website: product.website,
      status: i % 4 === 3 ? 'INACTIVE' : 'ACTIVE',
    });
  });
  const companyIds = [...db.companies.records.all()].map((company) => company.id);

  // The ambiguous employee gets two contacts and no owner role: sync must not pick one of them.
  const contactOfEmployee = new Map<number, string>();
  world.employees.forEach((person, i) => {
    if (i === demoMatches.ambiguousEmployee) {
      db.createContact(employeeContact(person, person.email.toUpperCase()));
      db.createContact({ ...employeeContact(person, person.email), title: null, mobilePhone: null });
      return;
    }
    if (!demoMatches.employee(i)) return;
    contactOfEmployee.set(i, db.createContact(employeeContact(person, person.email.toUpperCase())).id);
  });
  world.customerContacts.forEach((person, i) => {
    if (!demoMatches.customerContact(i)) return;
    db.createContact({
      firstName: person.firstName,
      lastName: person.lastName,
      email: person.email.toUpperCase(),
      phone: person.phone,
      title: person.jobTitle,
      contactType: 'CUSTOMER',
      address: addressOf(person),
    });
  });
  world.crmOnlyContacts.forEach((person, i) => {
    const contactType: ContactType = i % 3 === 0 ? 'OTHER' : 'CUSTOMER';
    db.createContact({
      firstName: person.firstName,
      lastName: person.lastName,
      email: person.email,
      phone: person.phone,
      mobilePhone: person.mobile,
      title: person.jobTitle,
      contactType,
      companyId: i % 2 === 0 && companyIds.length > 0 ? companyIds[i % companyIds.length] : null,
      address: contactType === 'CUSTOMER' ? addressOf(person) : null,
      active: i % 5 !== 4,
    });
  });
  const contacts = [...db.contacts.records.all()];

  world.projects.forEach((project, i) => {
    if (!demoMatches.project(i)) return;
    db.createActivity({
      subject: project.name,
      description: project.description,
      type: 'PROJECT',
      status: PROJECT_STATUS[project.status],
      startAt: `${project.startDate}T00:00:00.000Z`,
      dueAt: project.endDate ? `${project.endDate}T00:00:00.000Z` : null,
      ownerContactId: contactOfEmployee.get(project.managerIndex) ?? null,
      companyId: companyOfProduct.get(project.productIndex) ?? null,
    });
  });

  const random = createRandom(7);
  for (let i = 0; i < size.crmOnlyActivities && contacts.length > 0; i++) {
    const type = CRM_ACTIVITY_TYPES[i % CRM_ACTIVITY_TYPES.length] as ActivityType;
    const owner = contacts[(i * 7) % contacts.length] as (typeof contacts)[number];
    const start = Date.UTC(2025, random.int(0, 11), random.int(1, 28), random.int(8, 17));
    const duration = type === 'TASK' ? random.int(1, 14) * DAY_MS : type === 'MEETING' ? 3_600_000 : 1_800_000;
    db.createActivity({
      subject: `${CRM_ACTIVITY_WORDS[type]} ${i + 1}: ${[owner.firstName, owner.lastName].filter(Boolean).join(' ')}`,
      description: null,
      type,
      status: CRM_ACTIVITY_STATUSES[i % CRM_ACTIVITY_STATUSES.length] as ActivityStatus,
      startAt: new Date(start).toISOString(),
      dueAt: new Date(start + duration).toISOString(),
      ownerContactId: owner.id,
      companyId: i % 2 === 0 && companyIds.length > 0 ? companyIds[(i * 3) % companyIds.length] : null,
    });
  }
  return db;
}

function employeeContact(person: DemoPerson, email: string): ContactInput {
  return {
    firstName: person.firstName,
    lastName: person.lastName,
    email,
    phone: person.phone,
    mobilePhone: person.mobile,
    title: person.jobTitle,
    department: person.department,
    contactType: 'EMPLOYEE',
  };
}

function addressOf(person: DemoPerson): AddressInput {
  return { street: person.street, city: person.city, postalCode: person.postalCode, country: person.country };
}
