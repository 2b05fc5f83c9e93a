import { createRandom, type Random } from './random.js';

/**
 * Deterministic demo data shared by both reference systems, so that their seeds agree where they
 * should: some Crmoffice contacts carry the e-mail of a Customerp employee or customer contact
 * (in other letter case), some Crmoffice companies carry a Customerp product's sku as their code.
 * Identity matching in the sync engine has real work to do on this data.
 */

export interface DemoPerson {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  mobile: string;
  jobTitle: string;
  department: string;
  customerName: string;
  street: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  website: string;
}

const FIRST = [
  'Ada',
  'Ben',
  'Chloe',
  'David',
  'Emma',
  'Felix',
  'Grace',
  'Hugo',
  'Ines',
  'Jonas',
  'Klara',
  'Liam',
  'Mia',
  'Noah',
  'Olivia',
  'Paul',
  'Quinn',
  'Rosa',
  'Sam',
  'Tara',
  'Uma',
  'Victor',
  'Wren',
  'Yara',
  'Zoe',
];
const LAST = [
  'Andersen',
  'Becker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Hansen',
  'Ivanova',
  'Jansen',
  'Keller',
  'Lopez',
  'Meyer',
  'Nowak',
  'Olsen',
  'Petrov',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Umarov',
  'Vogel',
  'Weber',
  'Young',
  'Zimmer',
];
const TITLES = [
  'Engineer',
  'Senior Engineer',
  'Account Manager',
  'Sales Lead',
  'Controller',
  'Designer',
  'Support Specialist',
  'Project Manager',
  'Buyer',
  'Head of Operations',
];
const DEPARTMENTS = ['Engineering', 'Sales', 'Finance', 'Support', 'Operations', 'Marketing'];
const CUSTOMERS = [
  'Northwind Traders',
  'Contoso Ltd',
  'Fabrikam Inc',
  'Tailspin Toys',
  'Wide World Importers',
  'Adventure Works',
  'Litware Inc',
  'Proseware GmbH',
];
const CITIES: ReadonlyArray<readonly [string, string, string]> = [
  ['Berlin', '10115', 'DE'],
  ['Hamburg', '20095', 'DE'],
  ['Vienna', '1010', 'AT'],
  ['Zurich', '8001', 'CH'],
  ['Paris', '75001', 'FR'],
  ['Lyon', '69001', 'FR'],
  ['Amsterdam', '1012', 'NL'],
  ['Copenhagen', '1050', 'DK'],
];
const STREETS = ['Main Street', 'Harbour Road', 'Market Square', 'Station Avenue', 'Mill Lane', 'Park Row'];
const PRODUCT_WORDS = [
  'Ledger',
  'Flow',
  'Pulse',
  'Atlas',
  'Beacon',
  'Harbor',
  'Quartz',
  'Summit',
  'Vertex',
  'Nimbus',
  'Orbit',
  'Prism',
];
const PRODUCT_KINDS = ['Suite', 'Cloud', 'Connect', 'Insight', 'Planner', 'Gateway'];
const CATEGORIES = ['Software', 'Hardware', 'Consulting', 'Logistics', 'Manufacturing'];

/** `count` distinct people; the e-mail is unique because it carries the index. */
export function demoPeople(count: number, seed: number, emailDomain: string): DemoPerson[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => demoPerson(random, i, emailDomain));
}

function demoPerson(random: Random, i: number, emailDomain: string): DemoPerson {
  const firstName = random.pick(FIRST);
  const lastName = random.pick(LAST);
  const [city, postalCode, country] = random.pick(CITIES);
  return {
    firstName,
    lastName,
    email: `${firstName}.${lastName}.${i + 1}@${emailDomain}`.toLowerCase(),
    phone: `+49 30 ${String(1000000 + random.int(0, 8999999))}`,
    mobile: `+49 170 ${String(1000000 + random.int(0, 8999999))}`,
    jobTitle: random.pick(TITLES),
    department: random.pick(DEPARTMENTS),
    customerName: random.pick(CUSTOMERS),
    street: `${random.int(1, 120)} ${random.pick(STREETS)}`,
    city,
    postalCode,
    country,
  };
}

/** `count` distinct products; the sku is unique because it carries the index. */
export function demoProducts(count: number, seed: number): DemoProduct[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const name = `${random.pick(PRODUCT_WORDS)} ${random.pick(PRODUCT_KINDS)} ${i + 1}`;
    return {
      sku: `SKU-${String(i + 1).padStart(5, '0')}`,
      name,
      description: `${name}: ${random.pick(['our flagship', 'a reliable', 'the entry-level', 'a specialised'])} offering`,
      category: random.pick(CATEGORIES),
      website: `https://${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`,
    };
  });
}

export interface DemoProject {
  name: string;
  description: string;
  /** ProjectStatus of Customerp. */
  status: 'PLANNED' | 'ACTIVE' | 'ON_HOLD' | 'COMPLETED' | 'CANCELLED';
  startDate: string;
  endDate: string | null;
  /** Index into the world's employees. */
  managerIndex: number;
  /** Index into the world's products. */
  productIndex: number;
}

/** How many records of each kind a seeded world holds. */
export interface DemoSize {
  employees: number;
  customerContacts: number;
  products: number;
  projects: number;
  /** Crmoffice records with no Customerp counterpart. */
  crmOnlyContacts: number;
  crmOnlyCompanies: number;
  crmOnlyActivities: number;
}

/** The default: a realistic small company, dozens of each record type. */
export const DEMO_SIZE: DemoSize = {
  employees: 30,
  customerContacts: 40,
  products: 20,
  projects: 25,
  crmOnlyContacts: 12,
  crmOnlyCompanies: 6,
  crmOnlyActivities: 15,
};

/** A world of about `total` records over both systems, in the default's proportions (benchmarks). */
export function demoSizeOf(total: number): DemoSize {
  const base = Object.values(DEMO_SIZE).reduce((sum, n) => sum + n, 0);
  const factor = total / base;
  const scaled = Object.fromEntries(
    Object.entries(DEMO_SIZE).map(([key, n]) => [key, Math.max(1, Math.round(n * factor))]),
  );
  return scaled as unknown as DemoSize;
}

/**
 * Which Customerp records already have a counterpart in Crmoffice when both are seeded:
 * every third employee, every fourth customer contact (same e-mail in upper case), every second
 * product (code = sku), every fifth project (subject = name, same start date). Employee 1 has two
 * Crmoffice contacts with its e-mail: an ambiguous match that sync must not guess.
 */
export const demoMatches = {
  employee: (i: number): boolean => i % 3 === 0,
  customerContact: (i: number): boolean => i % 4 === 0,
  product: (i: number): boolean => i % 2 === 0,
  project: (i: number): boolean => i % 5 === 0,
  ambiguousEmployee: 1,
} as const;

export interface DemoWorld {
  size: DemoSize;
  employees: DemoPerson[];
  customerContacts: DemoPerson[];
  products: DemoProduct[];
  projects: DemoProject[];
  crmOnlyContacts: DemoPerson[];
  crmOnlyCompanies: DemoProduct[];
}

/** The same world for the same size, on every run. */
export function demoWorld(size: DemoSize = DEMO_SIZE): DemoWorld {
  const random = createRandom(4242);
  const statuses: DemoProject['status'][] = ['PLANNED', 'ACTIVE', 'ACTIVE', 'ON_HOLD', 'COMPLETED', 'CANCELLED'];
  const projects = Array.from({ length: size.projects }, (_, i): DemoProject => {
    const start = new Date(Date.UTC(2025, random.int(0, 11), random.int(1, 28)));
    const end = random.chance(0.8) ? new Date(start.getTime() + random.int(14, 300) * 86_400_000) : null;
    return {
      name: `Project ${random.pick(PRODUCT_WORDS)} ${i + 1}`,
      description: `Delivery project ${i + 1}`,
      status: random.pick(statuses),
      startDate: start.toISOString().slice(0, 10),
      endDate: end ? end.toISOString().slice(0, 10) : null,
      managerIndex: random.int(0, Math.max(0, size.employees - 1)),
      productIndex: random.int(0, Math.max(0, size.products - 1)),
    };
  });
  return {
    size,
    employees: demoPeople(size.employees, 1, 'customerp-demo.example'),
    customerContacts: demoPeople(size.customerContacts, 2, 'clients.example'),
    products: demoProducts(size.products, 3),
    projects,
    crmOnlyContacts: demoPeople(size.crmOnlyContacts, 5, 'crm-leads.example'),
    crmOnlyCompanies: demoProducts(size.crmOnlyCompanies, 6).map((p, i) => ({
      ...p,
      sku: `CRM-${String(i + 1).padStart(5, '0')}`,
    })),
  };
}
