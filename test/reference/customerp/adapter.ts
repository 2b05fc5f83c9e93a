import { request } from 'graphql-request';
import { DEMO_SIZE, demoWorld } from '../../../src/reference/core/index.js';
import { startCustomerp } from '../../../src/reference/customerp/index.js';
import {
  ChangesDocument,
  ContactsByIdsDocument,
  ContactsPageDocument,
  CreateContactDocument,
  CreateEmployeeDocument,
  CreateProductDocument,
  CreateProjectDocument,
  DeleteContactDocument,
  DeleteEmployeeDocument,
  DeleteProductDocument,
  DeleteProjectDocument,
  EmployeesByIdsDocument,
  EmployeesPageDocument,
  ProductsByIdsDocument,
  ProductsPageDocument,
  ProjectsByIdsDocument,
  ProjectsPageDocument,
  UpdateContactDocument,
  UpdateEmployeeDocument,
  UpdateProductDocument,
  UpdateProjectDocument,
  type ContactInput,
  type ContactUpdateInput,
  type EmployeeInput,
  type EmployeeUpdateInput,
  type Entity,
  type ProductInput,
  type ProductUpdateInput,
  type ProjectInput,
  type ProjectUpdateInput,
} from '../../../src/generated/customerp-client.js';
import {
  callSystem,
  type ContractAdapter,
  type ContractRecord,
  type EntityAdapter,
  type InvalidInput,
} from '../contract-adapter.js';

/** A Customerp record as the typed operations answer it. */
interface Answered {
  id: string;
  version: number;
}

interface Page {
  nodes: Array<Answered | null>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** What differs between Customerp's entities; everything else is shared. */
interface EntitySpec extends Omit<EntityAdapter, 'create' | 'update' | 'remove' | 'getMany' | 'page' | 'changes'> {
  entity: Entity;
  create(url: string, input: Record<string, unknown>): Promise<Answered>;
  update(url: string, id: string, input: Record<string, unknown>, expectedVersion: number | null): Promise<Answered>;
  remove(url: string, id: string, expectedVersion: number | null): Promise<boolean>;
  byIds(url: string, ids: string[]): Promise<Array<Answered | null>>;
  page(url: string, first: number, after: string | null): Promise<Page>;
}

const world = demoWorld(DEMO_SIZE);
const seededEmployeeEmail = world.employees[0]?.email as string;
const long = (length: number): string => 'x'.repeat(length);

const employee: EntitySpec = {
  name: 'Employee',
  entity: 'EMPLOYEE',
  seededCount: DEMO_SIZE.employees,
  validInput: (n) => ({
    firstName: `Tess${n}`,
    lastName: 'Contract',
    email: `tess.contract.${n}@customerp-test.example`,
    phone: `+49 30 555${n}`,
    jobTitle: 'Tester',
    department: 'Quality',
    active: true,
  }),
  updateInput: (n) => ({ jobTitle: `Lead Tester ${n}`, phone: null, active: false }),
  invalidInputs: (): InvalidInput[] => {
    const valid = employee.validInput(90_000);
    const { firstName: _omitted, ...withoutFirstName } = valid;
    return [
      { input: withoutFirstName, field: 'firstName', why: 'no firstName' },
      { input: { ...valid, lastName: '   ' }, field: 'lastName', why: 'a blank lastName' },
      { input: { ...valid, email: 'not-an-email' }, field: 'email', why: 'an e-mail without @' },
      {
        input: { ...valid, email: seededEmployeeEmail.toUpperCase() },
        field: 'email',
        why: "another employee's e-mail in upper case",
      },
      { input: { ...valid, employeeNumber: 'E-00001' }, field: 'employeeNumber', why: 'a taken employeeNumber' },
      { input: { ...valid, jobTitle: long(201) }, field: 'jobTitle', why: 'a jobTitle of 201 characters' },
      { input: { ...valid, active: null }, field: 'active', why: 'active null' },
    ];
  },
  invalidUpdates: () => [
    { input: { firstName: null }, field: 'firstName', why: 'firstName null' },
    { input: { email: 'x@y' }, field: 'email', why: 'an e-mail without a domain' },
    { input: { email: seededEmployeeEmail }, field: 'email', why: "another employee's e-mail" },
    { input: { active: null }, field: 'active', why: 'active null' },
    { input: { employeeNumber: null }, field: 'employeeNumber', why: 'employeeNumber null' },
  ],
  create: (url, input) =>
    request(url, CreateEmployeeDocument, { input: input as EmployeeInput }).then((d) => d.createEmployee),
  update: (url, id, input, expectedVersion) =>
    request(url, UpdateEmployeeDocument, { id, input: input as EmployeeUpdateInput, expectedVersion }).then(
      (d) => d.updateEmployee,
    ),
  remove: (url, id, expectedVersion) =>
    request(url, DeleteEmployeeDocument, { id, expectedVersion }).then((d) => d.deleteEmployee),
  byIds: (url, ids) => request(url, EmployeesByIdsDocument, { ids }).then((d) => d.employees.nodes),
  page: (url, first, after) => request(url, EmployeesPageDocument, { first, after }).then((d) => d.employees),
};

const product: EntitySpec = {
  name: 'Product',
  entity: 'PRODUCT',
  seededCount: DEMO_SIZE.products,
  validInput: (n) => ({
    sku: `TEST-${n}`,
    name: `Contract Product ${n}`,
    description: 'Made by the contract suite',
    category: 'Testing',
    website: `https://contract-product-${n}.example.com`,
    active: true,
  }),
  updateInput: (n) => ({ name: `Renamed Product ${n}`, website: null, active: false }),
  invalidInputs: () => {
    const valid = product.validInput(90_000);
    const { sku: _omitted, ...withoutSku } = valid;
    return [
      { input: withoutSku, field: 'sku', why: 'no sku' },
      { input: { ...valid, sku: 'sku-00001' }, field: 'sku', why: "another product's sku in lower case" },
      { input: { ...valid, name: '' }, field: 'name', why: 'an empty name' },
      { input: { ...valid, website: 'ftp://files.example.com' }, field: 'website', why: 'an ftp website' },
      { input: { ...valid, website: 'not a url' }, field: 'website', why: 'a website that is no URL' },
      { input: { ...valid, description: long(2001) }, field: 'description', why: 'a description of 2001 characters' },
    ];
  },
  invalidUpdates: () => [
    { input: { sku: null }, field: 'sku', why: 'sku null' },
    { input: { website: 'javascript:alert(1)' }, field: 'website', why: 'a javascript: website' },
    { input: { name: long(201) }, field: 'name', why: 'a name of 201 characters' },
  ],
  create: (url, input) =>
    request(url, CreateProductDocument, { input: input as ProductInput }).then((d) => d.createProduct),
  update: (url, id, input, expectedVersion) =>
    request(url, UpdateProductDocument, { id, input: input as ProductUpdateInput, expectedVersion }).then(
      (d) => d.updateProduct,
    ),
  remove: (url, id, expectedVersion) =>
    request(url, DeleteProductDocument, { id, expectedVersion }).then((d) => d.deleteProduct),
  byIds: (url, ids) => request(url, ProductsByIdsDocument, { ids }).then((d) => d.products.nodes),
  page: (url, first, after) => request(url, ProductsPageDocument, { first, after }).then((d) => d.products),
};

const project: EntitySpec = {
  name: 'Project',
  entity: 'PROJECT',
  seededCount: DEMO_SIZE.projects,
  validInput: (n) => ({
    name: `Contract Project ${n}`,
    description: 'Made by the contract suite',
    status: 'ACTIVE',
    startDate: '2025-03-01',
    endDate: '2025-06-30',
    managerId: 'emp-1',
    productId: 'prd-1',
  }),
  updateInput: () => ({ status: 'ON_HOLD', endDate: null, managerId: 'emp-2' }),
  invalidInputs: () => {
    const valid = project.validInput(90_000);
    const { name: _omitted, ...withoutName } = valid;
    return [
      { input: withoutName, field: 'name', why: 'no name' },
      { input: { ...valid, startDate: '2025-02-30' }, field: 'startDate', why: 'a startDate that does not exist' },
      { input: { ...valid, startDate: '01.03.2025' }, field: 'startDate', why: 'a startDate not written YYYY-MM-DD' },
      { input: { ...valid, endDate: '2025-02-28' }, field: 'endDate', why: 'an endDate before the startDate' },
      { input: { ...valid, managerId: 'emp-999999' }, field: 'managerId', why: 'an unknown manager' },
      {
        input: { ...valid, managerId: 'con-1' },
        field: 'managerId',
        why: 'a manager that is a contact, not an employee',
      },
      { input: { ...valid, productId: 'prd-999999' }, field: 'productId', why: 'an unknown product' },
      { input: { ...valid, status: 'DONE' }, field: 'status', why: 'a status not in ProjectStatus' },
      { input: { ...valid, projectNumber: 'p-00001' }, field: 'projectNumber', why: 'a taken projectNumber' },
    ];
  },
  invalidUpdates: () => [
    { input: { startDate: null }, field: 'startDate', why: 'startDate null' },
    { input: { endDate: '2024-12-31' }, field: 'endDate', why: 'an endDate before the current startDate' },
    { input: { startDate: '2025-07-01' }, field: 'startDate', why: 'a startDate after the current endDate' },
    { input: { managerId: 'prd-1' }, field: 'managerId', why: 'a product as manager' },
    { input: { status: null }, field: 'status', why: 'status null' },
  ],
  create: (url, input) =>
    request(url, CreateProjectDocument, { input: input as ProjectInput }).then((d) => d.createProject),
  update: (url, id, input, expectedVersion) =>
    request(url, UpdateProjectDocument, { id, input: input as ProjectUpdateInput, expectedVersion }).then(
      (d) => d.updateProject,
    ),
  remove: (url, id, expectedVersion) =>
    request(url, DeleteProjectDocument, { id, expectedVersion }).then((d) => d.deleteProject),
  byIds: (url, ids) => request(url, ProjectsByIdsDocument, { ids }).then((d) => d.projects.nodes),
  page: (url, first, after) => request(url, ProjectsPageDocument, { first, after }).then((d) => d.projects),
};

const contact: EntitySpec = {
  name: 'Contact',
  entity: 'CONTACT',
  seededCount: DEMO_SIZE.customerContacts,
  validInput: (n) => ({
    firstName: `Cora${n}`,
    lastName: 'Contract',
    email: `cora.contract.${n}@clients-test.example`,
    phone: `+49 40 555${n}`,
    jobTitle: 'Buyer',
    customerName: 'Contract Customer Ltd',
    street: '1 Test Street',
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
  }),
  updateInput: () => ({ street: null, city: 'Hamburg', postalCode: '20095' }),
  invalidInputs: () => {
    const valid = contact.validInput(90_000);
    const { email: _omitted, ...withoutEmail } = valid;
    return [
      { input: withoutEmail, field: 'email', why: 'no email' },
      { input: { ...valid, email: 'ada@' }, field: 'email', why: 'an e-mail without a domain' },
      { input: { ...valid, firstName: '' }, field: 'firstName', why: 'an empty firstName' },
      { input: { ...valid, country: long(201) }, field: 'country', why: 'a country of 201 characters' },
    ];
  },
  invalidUpdates: () => [
    { input: { lastName: null }, field: 'lastName', why: 'lastName null' },
    { input: { email: 'nope' }, field: 'email', why: 'an e-mail without @' },
  ],
  create: (url, input) =>
    request(url, CreateContactDocument, { input: input as ContactInput }).then((d) => d.createContact),
  update: (url, id, input, expectedVersion) =>
    request(url, UpdateContactDocument, { id, input: input as ContactUpdateInput, expectedVersion }).then(
      (d) => d.updateContact,
    ),
  remove: (url, id, expectedVersion) =>
    request(url, DeleteContactDocument, { id, expectedVersion }).then((d) => d.deleteContact),
  byIds: (url, ids) => request(url, ContactsByIdsDocument, { ids }).then((d) => d.contacts.nodes),
  page: (url, first, after) => request(url, ContactsPageDocument, { first, after }).then((d) => d.contacts),
};

/** A Customerp record as the contract sees it: `version` is the token, every other field a field. */
function contractRecord(answered: Answered): ContractRecord {
  const { id, version, ...fields } = answered as Answered & Record<string, unknown>;
  return { id, token: String(version), fields };
}

function entityAdapter(spec: EntitySpec): EntityAdapter {
  const versionOf = (token: string | null): number | null => (token === null ? null : Number(token));
  return {
    name: spec.name,
    seededCount: spec.seededCount,
    validInput: spec.validInput,
    updateInput: spec.updateInput,
    invalidInputs: spec.invalidInputs,
    invalidUpdates: spec.invalidUpdates,
    create: (url, input) => callSystem(async () => contractRecord(await spec.create(url, input))),
    update: (url, id, input, token) =>
      callSystem(async () => contractRecord(await spec.update(url, id, input, versionOf(token)))),
    remove: (url, id, token) => callSystem(() => spec.remove(url, id, versionOf(token))),
    getMany: (url, ids) =>
      callSystem(async () => (await spec.byIds(url, ids)).map((r) => (r ? contractRecord(r) : null))),
    page: (url, first, after) =>
      callSystem(async () => {
        const { nodes, pageInfo } = await spec.page(url, first, after);
        return {
          ids: nodes.map((r) => r?.id ?? 'null'),
          hasNextPage: pageInfo.hasNextPage,
          endCursor: pageInfo.endCursor,
        };
      }),
    changes: (url, since, limit) =>
      callSystem(
        async () => (await request(url, ChangesDocument, { entity: spec.entity, since, first: limit })).changes,
      ),
  };
}

/** Customerp for the shared contract suite: the demo seed, VERSION_CONFLICT on a stale `expectedVersion`. */
export const customerpAdapter: ContractAdapter = {
  name: 'Customerp',
  start: () => startCustomerp({ seed: 'demo' }),
  entities: [employee, product, project, contact].map(entityAdapter),
  staleTokenCode: 'VERSION_CONFLICT',
  statsProbe: {
    query: '{ a: employee(id: "emp-1") { id } b: employee(id: "emp-2") { id } products(first: 1) { nodes { id } } }',
    fields: { employee: 2, products: 1 },
  },
};
