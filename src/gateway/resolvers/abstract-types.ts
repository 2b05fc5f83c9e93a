import type { CustomerpPersonResolvers, NodeResolvers } from '../../generated/gateway-server.js';

/** Every unified record travels as its link, whose entity is the GraphQL type name. */
export const Node: NodeResolvers = {
  __resolveType: (link) => link.entity,
};

/** Only Employees carry an employeeNumber (it is required there and part of every read). */
export const CustomerpPerson: CustomerpPersonResolvers = {
  __resolveType: (record) =>
    'employeeNumber' in record && record.employeeNumber != null ? 'CustomerpEmployee' : 'CustomerpContact',
};
