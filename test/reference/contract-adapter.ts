import { ClientError } from 'graphql-request';
import type { RunningReferenceServer } from '../../src/reference/core/index.js';

/**
 * What the shared contract suite (`contract-suite.ts`) needs to know about one reference system.
 * Each system provides one adapter; the suite runs the same specification against both, over HTTP.
 */
export interface ContractAdapter {
  /** `Customerp` or `Crmoffice`. */
  name: string;
  /** Starts the system with its seeded demo data on a free port of 127.0.0.1. */
  start(): Promise<RunningReferenceServer>;
  /** One entry per record type of the system. */
  entities: EntityAdapter[];
  /** The error code of a stale concurrency token: VERSION_CONFLICT or PRECONDITION_FAILED. */
  staleTokenCode: string;
  /**
   * A GraphQL query and the root-field counts `/admin/stats` must show for one request of it, e.g.
   * `{ a: employee(id: "x") { id } b: employee(id: "y") { id } products(first: 1) { nodes { id } } }`
   * with `{ employee: 2, products: 1 }`. Without it the stats check only counts requests.
   */
  statsProbe?: { query: string; fields: Record<string, number> };
}

/** A record as the contract suite sees it: its id, its concurrency token, and all its fields. */
export interface ContractRecord {
  id: string;
  /** `version` (as a string) for Customerp, `etag` for Crmoffice. */
  token: string;
  fields: Record<string, unknown>;
}

export interface ContractChange {
  id: string;
  op: 'UPSERT' | 'DELETE';
}

/** Thrown by adapter calls when the system answers with a GraphQL error. */
export interface ContractErrorInfo {
  code: string | undefined;
  field: string | undefined;
  message: string;
}

export interface InvalidInput {
  input: Record<string, unknown>;
  field: string;
  /** Says what is wrong, for the test name, e.g. `an e-mail without @`. */
  why: string;
}

export interface EntityAdapter {
  /** e.g. `Employee`, `Contact`. */
  name: string;
  /** A valid create input; different `n` give different, non-colliding records. */
  validInput(n: number): Record<string, unknown>;
  /** A valid partial update for a record made from `validInput`. */
  updateInput(n: number): Record<string, unknown>;
  /** How many records of this type the seeded demo data holds (checked when given). */
  seededCount?: number;
  /** Create inputs that must fail with BAD_USER_INPUT naming `field`. */
  invalidInputs(): InvalidInput[];
  /** Update inputs (for a record made from `validInput`) that must fail with BAD_USER_INPUT naming `field`. */
  invalidUpdates?(): InvalidInput[];
  create(url: string, input: Record<string, unknown>): Promise<ContractRecord>;
  /** `token` null sends no concurrency token. */
  update(url: string, id: string, input: Record<string, unknown>, token: string | null): Promise<ContractRecord>;
  remove(url: string, id: string, token: string | null): Promise<boolean>;
  /** Bulk read: one entry per id, in the order asked, null for unknown ids. */
  getMany(url: string, ids: string[]): Promise<Array<ContractRecord | null>>;
  page(
    url: string,
    first: number,
    after: string | null,
  ): Promise<{ ids: string[]; hasNextPage: boolean; endCursor: string | null }>;
  changes(
    url: string,
    since: string | null,
    limit: number,
  ): Promise<{ items: ContractChange[]; cursor: string; hasMore: boolean }>;
}

/** What adapter calls throw when the system answers with a GraphQL error (or an HTTP error). */
export class ContractError extends Error implements ContractErrorInfo {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}

/** Runs one adapter call, turning a graphql-request ClientError into a ContractError (first error). */
export async function callSystem<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ClientError) {
      const first = error.response.errors?.[0];
      const extensions = (first?.extensions ?? {}) as Record<string, unknown>;
      throw new ContractError(
        first?.message ?? `HTTP ${error.response.status}`,
        typeof extensions['code'] === 'string' ? extensions['code'] : undefined,
        typeof extensions['field'] === 'string' ? extensions['field'] : undefined,
      );
    }
    throw error;
  }
}
