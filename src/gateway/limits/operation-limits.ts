import { MAX_PAGE_SIZE } from '../paging.js';

/**
 * Every limit a GraphQL request to the gateway must stay within, in one place (the README lists
 * them). A request at a limit passes; one over it is rejected before anything is resolved, except
 * the page size, which its field rejects. Measured as GraphQL Armor measures them
 * (https://escape.tech/graphql-armor/docs/category/plugins); outside development the errors do not
 * reveal the values.
 */
export const OPERATION_LIMITS = {
  /**
   * Nested fields, counted from the root field = 1; fragments and `... on` add no level. The schema's
   * Relay connections put two levels (edges, node) between records, so 10 admits a page whose records
   * each carry a nested page and a related record's deepest leaf:
   * `contacts edges node activities edges node owner crmoffice address city`. Armor's default (6)
   * ends at a listed record's own address: `contacts edges node crmoffice address city`.
   */
  maxDepth: 10,
  /**
   * Aliased fields per operation (`__typename` not counted). The schema has no field that reads a
   * list of ids, so a client reading records by id aliases `contact(id: …)`; 50 admits the 50 such
   * reads in one request that the gateway batches into one request per system (Armor's default, 15,
   * would not). Aliased lists are bounded by the cost limit, which adds up every alias.
   */
  maxAliases: 50,
  /**
   * Directives used in an operation. The schema declares no executable directive besides `@include`
   * and `@skip` (one of each per selection); 20 leaves room for a query with optional parts.
   */
  maxDirectives: 20,
  /**
   * Lexical tokens of the document. The 50 reads by id above, each with its variable and a few
   * fields, take about 1 500; an introspection query 184, the explorer's examples at most 97.
   * Armor's default (1000) would cut the reads by id at about 35.
   */
  maxTokens: 2000,
  /**
   * Armor's cost: 1 per scalar, 2 per object, ×1.5 per level, × the page size (`first`) of each list,
   * counted from the value the request really uses (a literal, a variable, or the schema's default of 20).
   * One page of 100 with every field costs about 55 000; one of 100 records each with a nested page of
   * 50 and a dozen fields about 720 000: both pass. Three nested pages of 100 (≈ 55 000 000) or two at
   * depth 10 (≈ 1 800 000) do not.
   */
  maxCost: 1_000_000,
  /** `first` of any list; larger is BAD_USER_INPUT on `first` (src/gateway/paging.ts, also stated in the schema). */
  maxPageSize: MAX_PAGE_SIZE,
  /**
   * HTTP request body (100 KiB): a document at the token limit (≈ 15 KB) and the largest mutation
   * input (about 5 000 characters under the mappings' maxLength, ≤ 30 KB even JSON-escaped), with room.
   */
  maxBodyBytes: 100 * 1024,
  /**
   * Operations per HTTP request: batching is off (Apollo's `allowBatchedHttpRequests: false`). One
   * operation can already select many root fields, and every other limit (cost, aliases, rate) is per
   * operation, so a batch would multiply them without giving clients anything they lack.
   */
  operationsPerRequest: 1,
} as const;

/** The names of the limits, as they appear in `OPERATION_LIMITS`. */
export type OperationLimit = keyof typeof OPERATION_LIMITS;
