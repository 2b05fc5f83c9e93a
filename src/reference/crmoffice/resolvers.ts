import type { Resolvers } from '../../generated/crmoffice-server.js';
import type { ListResult } from './database.js';
import { DateTimeScalar } from './date-time.js';
import { toActivity, toCompany, toContact } from './records.js';

/** Crmoffice's resolver map: translation between GraphQL and CrmofficeDatabase, nothing more. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    contact: (_, { id }, { db }) => mapOrNull(db.contacts.get(id), toContact),
    contacts: (_, args, { db }) => mapNodes(db.listContacts(args), toContact),
    company: (_, { id }, { db }) => mapOrNull(db.companies.get(id), toCompany),
    companies: (_, args, { db }) => mapNodes(db.listCompanies(args), toCompany),
    activity: (_, { id }, { db }) => mapOrNull(db.activities.get(id), toActivity),
    activities: (_, args, { db }) => mapNodes(db.listActivities(args), toActivity),
    changes: (_, { collection, since, limit }, { db }) => db.changes(collection, since, limit),
  },
  Mutation: {
    createContact: (_, { data }, { db }) => toContact(db.createContact(data)),
    updateContact: (_, { id, data, ifMatch }, { db }) => toContact(db.updateContact(id, data, ifMatch)),
    deleteContact: (_, { id, ifMatch }, { db }) => db.deleteContact(id, ifMatch),
    createCompany: (_, { data }, { db }) => toCompany(db.createCompany(data)),
    updateCompany: (_, { id, data, ifMatch }, { db }) => toCompany(db.updateCompany(id, data, ifMatch)),
    deleteCompany: (_, { id, ifMatch }, { db }) => db.deleteCompany(id, ifMatch),
    createActivity: (_, { data }, { db }) => toActivity(db.createActivity(data)),
    updateActivity: (_, { id, data, ifMatch }, { db }) => toActivity(db.updateActivity(id, data, ifMatch)),
    deleteActivity: (_, { id, ifMatch }, { db }) => db.deleteActivity(id, ifMatch),
  },
};

function mapOrNull<R, T>(record: R | undefined, map: (record: R) => T): T | null {
  return record ? map(record) : null;
}

function mapNodes<R, T>(
  result: ListResult<R>,
  map: (record: R) => T,
): { nodes: (T | null)[]; pageInfo: ListResult<R>['pageInfo'] } {
  return { nodes: result.nodes.map((node) => (node ? map(node) : null)), pageInfo: result.pageInfo };
}
