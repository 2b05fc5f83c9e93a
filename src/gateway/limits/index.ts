/** What a request to the gateway may ask for and how often: operation limits, body size, rate limits. */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ParseOptions, ValidationRule } from 'graphql';
import { limitValidationRules } from './armor-rules.js';
import { costLimitCheck, costLimitPlugin } from './cost-limit-plugin.js';
import { knownOperationTypes } from './known-operation-types.js';
import { tokenLimit } from './token-limit.js';

export { OPERATION_LIMITS, type OperationLimit } from './operation-limits.js';
export { jsonBody } from './json-body.js';
export { admissionControl, type AdmissionOptions } from './admission.js';
export {
  leaseSizeFor,
  RateLimiter,
  setupRateLimitIndexes,
  RATE_LIMITS_COLLECTION,
  type RateLimitOptions,
} from './rate-limiter.js';
export { withPageSizes } from './page-sizes.js';

/** The parts of Apollo Server's options that enforce OPERATION_LIMITS. */
export interface OperationLimitOptions<TContext extends BaseContext> {
  parseOptions: ParseOptions;
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<TContext>[];
  /** The cost limit, for operations that do not come through Apollo Server's plugins (subscriptions). */
  costLimit: ReturnType<typeof costLimitCheck>;
  /** OPERATION_LIMITS.operationsPerRequest is 1: a JSON array of operations gets 400 "Operation batching disabled." */
  allowBatchedHttpRequests: false;
}

/**
 * Apollo Server options enforcing the token, depth, alias, directive and cost limits of
 * OPERATION_LIMITS, and no batching. `exposeLimits` (development only) puts the limit and what was
 * found into the messages.
 */
export function operationLimitOptions<TContext extends BaseContext>(
  exposeLimits: boolean,
): OperationLimitOptions<TContext> {
  const tokens = tokenLimit<TContext>(exposeLimits);
  return {
    parseOptions: tokens.parseOptions,
    validationRules: [knownOperationTypes, ...limitValidationRules(exposeLimits)],
    plugins: [tokens.plugin, costLimitPlugin<TContext>(exposeLimits)],
    costLimit: costLimitCheck(exposeLimits),
    allowBatchedHttpRequests: false,
  };
}
