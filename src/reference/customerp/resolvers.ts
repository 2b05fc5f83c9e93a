import type { Resolvers } from '../../generated/customerp-server.js';
import { listRecords, readChanges } from './queries.js';
import { DateScalar, DateTimeScalar } from './scalars.js';

/** The list queries' page size when `first` is not given (the schema's default). */
const DEFAULT_FIRST = 50;

/** Thin resolvers: the database enforces the rules, `queries.ts` shapes lists and the feed. */
export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Query: {
    employee: (_, { id }, { db }) => db.employees.get(id) ?? null,
    employees: (_, args, { db }) => listRecords(db.employees, args, DEFAULT_FIRST),
    product: (_, { id }, { db }) => db.products.get(id) ?? null,
    products: (_, args, { db }) => listRecords(db.products, args, DEFAULT_FIRST),
    project: (_, { id }, { db }) => db.projects.get(id) ?? null,
    projects: (_, args, { db }) => listRecords(db.projects, args, DEFAULT_FIRST),
    contact: (_, { id }, { db }) => db.contacts.get(id) ?? null,
    contacts: (_, args, { db }) => listRecords(db.contacts, args, DEFAULT_FIRST),
    changes: (_, { entity, since, first }, { db }) => readChanges(db.table(entity), since, first),
  },
  Mutation: {
    createEmployee: (_, { input }, { db }) => db.employees.create(input),
    updateEmployee: (_, { id, input, expectedVersion }, { db }) => db.employees.update(id, input, expectedVersion),
    deleteEmployee: (_, { id, expectedVersion }, { db }) => db.deleteEmployee(id, expectedVersion),
    createProduct: (_, { input }, { db }) => db.products.create(input),
    updateProduct: (_, { id, input, expectedVersion }, { db }) => db.products.update(id, input, expectedVersion),
    deleteProduct: (_, { id, expectedVersion }, { db }) => db.deleteProduct(id, expectedVersion),
    createProject: (_, { input }, { db }) => db.projects.create(input),
    updateProject: (_, { id, input, expectedVersion }, { db }) => db.projects.update(id, input, expectedVersion),
    deleteProject: (_, { id, expectedVersion }, { db }) => db.projects.delete(id, expectedVersion),
    createContact: (_, { input }, { db }) => db.contacts.create(input),
    updateContact: (_, { id, input, expectedVersion }, { db }) => db.contacts.update(id, input, expectedVersion),
    deleteContact: (_, { id, expectedVersion }, { db }) => db.contacts.delete(id, expectedVersion),
  },
};
