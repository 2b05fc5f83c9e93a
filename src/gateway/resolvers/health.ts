import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DependencyHealth, QueryResolvers } from '../../generated/gateway-server.js';
import type { UpstreamClient } from '../../upstreams/upstream-client.js';
import type { Db } from 'mongodb';

const ping: TypedDocumentNode<{ __typename: string }, Record<string, never>> = parse('query Ping { __typename }');

async function check(name: string, probe: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    await probe();
    return { name, status: 'UP', latencyMs: performance.now() - started, error: null };
  } catch (error) {
    return {
      name,
      status: 'DOWN',
      latencyMs: performance.now() - started,
      error: error instanceof Error ? error.message : 'unknown error',
    };
  }
}

/** Checks MongoDB (`ping`) and both systems (a trivial query) concurrently. */
export async function checkDependencies(db: Db, customerp: UpstreamClient, crmoffice: UpstreamClient) {
  const [mongodb, customerpHealth, crmofficeHealth] = await Promise.all([
    check('mongodb', () => db.command({ ping: 1 })),
    check('customerp', () => customerp.query(ping, {}, { retry: false })),
    check('crmoffice', () => crmoffice.query(ping, {}, { retry: false })),
  ]);
  const all = [mongodb, customerpHealth, crmofficeHealth];
  return {
    status: all.every((d) => d.status === 'UP') ? ('UP' as const) : ('DOWN' as const),
    mongodb,
    customerp: customerpHealth,
    crmoffice: crmofficeHealth,
  };
}

export const healthQuery: Pick<QueryResolvers, 'health'> = {
  health: (_parent, _args, context) => checkDependencies(context.db, context.customerp, context.crmoffice),
};
