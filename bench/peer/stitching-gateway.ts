/**
 * The read benchmark's baseline (issue #12): the gateway a schema-stitching user would build over the
 * same two running systems, with tools no one here wrote. `@graphql-tools/stitch` merges both systems'
 * schemas, `batchDelegateToSchema` joins a Customerp employee to its Crmoffice contact by e-mail and a
 * Crmoffice contact to its company (one batched request per level, like the project's loaders), and
 * graphql-yoga (the engine under Hive Gateway) serves it. No database, no links, no auth: what is left
 * is the cost of the joins themselves.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { batchDelegateToSchema } from '@graphql-tools/batch-delegate';
import { buildHTTPExecutor } from '@graphql-tools/executor-http';
import { stitchSchemas } from '@graphql-tools/stitch';
import { RenameRootFields, RenameTypes, WrapQuery } from '@graphql-tools/wrap';
import {
  buildSchema,
  GraphQLList,
  Kind,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import { projectPath } from '../../src/paths.js';

export interface PeerGateway {
  url: string;
  close(): Promise<void>;
}

interface SystemUrls {
  customerp: string;
  crmoffice: string;
}

/** A selection set that asks `page { nodes { <selection> } }` of a paged root field instead of a list. */
function nodesOf(selectionSet: SelectionSetNode): SelectionSetNode {
  return {
    kind: Kind.SELECTION_SET,
    selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'nodes' }, selectionSet }],
  };
}

/** The paged root field `fieldName` delegated as a list, keyed by `keyField` of each node. */
function pagedBy(fieldName: string, keyField: string): WrapQuery {
  return new WrapQuery(
    [fieldName],
    (selectionSet) =>
      nodesOf({
        ...selectionSet,
        selections: [
          ...selectionSet.selections,
          { kind: Kind.FIELD, name: { kind: Kind.NAME, value: keyField } },
          { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } },
        ],
      }),
    (page: { nodes?: unknown[] } | null) => page?.nodes ?? [],
  );
}

/** Starts the peer on a free loopback port. */
export async function startPeerGateway(urls: SystemUrls): Promise<PeerGateway> {
  const crmoffice = {
    schema: buildSchema(readFileSync(projectPath('schema', 'crmoffice.graphql'), 'utf8')),
    executor: buildHTTPExecutor({ endpoint: urls.crmoffice }),
  };
  // Both systems have a Contact (and its page, inputs, feed types) and contact root fields: Customerp's
  // are renamed with an Erp prefix, as a stitching user would, so that Contact is Crmoffice's.
  const customerpSchema = buildSchema(readFileSync(projectPath('schema', 'customerp.graphql'), 'utf8'));
  const shared = (name: string) =>
    !name.startsWith('__') &&
    !['Query', 'Mutation', 'String', 'ID', 'Int', 'Boolean', 'DateTime'].includes(name) &&
    crmoffice.schema.getType(name) !== undefined;
  const sharedRoot = (operation: string, field: string) =>
    (operation === 'Query' ? crmoffice.schema.getQueryType() : crmoffice.schema.getMutationType())?.getFields()[
      field
    ] !== undefined;
  const customerp = {
    schema: customerpSchema,
    executor: buildHTTPExecutor({ endpoint: urls.customerp }),
    transforms: [
      new RenameTypes((name) => (shared(name) ? `Erp${name}` : name)),
      new RenameRootFields((operation, field) =>
        sharedRoot(operation, field) ? `erp${field[0]?.toUpperCase()}${field.slice(1)}` : field,
      ),
    ],
  };
  const crmContactList = new GraphQLList(crmoffice.schema.getType('Contact') as GraphQLOutputType);
  const crmCompanyList = new GraphQLList(crmoffice.schema.getType('Company') as GraphQLOutputType);
  const lower = (value: unknown) => String(value ?? '').toLowerCase();

  const schema = stitchSchemas({
    subschemas: [customerp, crmoffice],
    typeDefs: /* GraphQL */ `
      extend type Employee {
        "The Crmoffice contact with the same e-mail (ignoring letter case)."
        crmContact: Contact
      }
      extend type Contact {
        company: Company
      }
    `,
    resolvers: {
      Employee: {
        crmContact: {
          selectionSet: '{ email }',
          resolve: (
            employee: { email: string },
            _args: unknown,
            context: Record<string, unknown>,
            info: GraphQLResolveInfo,
          ) =>
            batchDelegateToSchema({
              schema: crmoffice,
              operation: 'query' as never,
              fieldName: 'contacts',
              key: lower(employee.email),
              argsFromKeys: (emails: readonly string[]) => ({ emails, first: 1000 }),
              valuesFromResults: (results: { email: string }[], emails: readonly string[]) =>
                emails.map((email) => results.find((contact) => lower(contact.email) === email) ?? null),
              returnType: crmContactList,
              transforms: [pagedBy('contacts', 'email')],
              context,
              info,
            }),
        },
      },
      Contact: {
        company: {
          selectionSet: '{ companyId }',
          resolve: (
            contact: { companyId: string | null },
            _args: unknown,
            context: Record<string, unknown>,
            info: GraphQLResolveInfo,
          ) =>
            contact.companyId
              ? batchDelegateToSchema({
                  schema: crmoffice,
                  operation: 'query' as never,
                  fieldName: 'companies',
                  key: contact.companyId,
                  argsFromKeys: (ids: readonly string[]) => ({ ids }),
                  valuesFromResults: (results: ({ id: string } | null)[], ids: readonly string[]) =>
                    ids.map((id) => results.find((company) => company?.id === id) ?? null),
                  returnType: crmCompanyList,
                  transforms: [pagedBy('companies', 'id')],
                  context,
                  info,
                })
              : null,
        },
      },
    },
  });

  const yoga = createYoga({ schema, logging: false, graphiql: false, maskedErrors: false });
  const server: Server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the peer gateway has no port');
  return {
    url: `http://127.0.0.1:${address.port}/graphql`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
