import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationRule } from 'graphql';
import { OPERATION_LIMITS } from './operation-limits.js';

type ArmorConfig = NonNullable<ConstructorParameters<typeof ApolloArmor>[0]>;

/** Every Armor protection off: each caller turns on the one it wants. */
const NONE: ArmorConfig = {
  blockFieldSuggestion: { enabled: false },
  costLimit: { enabled: false },
  maxAliases: { enabled: false },
  maxDepth: { enabled: false },
  maxDirectives: { enabled: false },
  maxTokens: { enabled: false },
};

/**
 * Reports Armor's rejection as a validation error of our own wording: Armor prefixes every message
 * with "Syntax Error: " (these are not syntax errors), and `validationErrorCode` names the limit the
 * way Apollo Server names its own (INTROSPECTION_DISABLED), so clients need not parse the message.
 */
function reportAs(validationErrorCode: string): NonNullable<ArmorConfig['maxDepth']>['onReject'] {
  return [
    (context, error) =>
      context?.reportError(
        new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { validationErrorCode } }),
      ),
  ];
}

/**
 * GraphQL Armor's depth, alias and directive limits as validation rules: Apollo Server answers a
 * document over one with HTTP 400, `GRAPHQL_VALIDATION_FAILED` and `validationErrorCode`
 * MAX_DEPTH_EXCEEDED, MAX_ALIASES_EXCEEDED or MAX_DIRECTIVES_EXCEEDED. With `exposeLimits` the
 * message says the limit and what was found; without, only which limit.
 */
export function limitValidationRules(exposeLimits: boolean): ValidationRule[] {
  // Armor's other protections are replaced: its Apollo max-tokens plugin answers HTTP 500 to every
  // syntax error (graphql-armor#571, #751), so graphql-js counts tokens (see tokenLimit); its cost
  // rule cannot see variables, so costLimitPlugin runs it per request; its suggestion masking leaves
  // a dangling "?" and misses enum suggestions, so formatError removes them.
  return new ApolloArmor({
    ...NONE,
    maxDepth: {
      n: OPERATION_LIMITS.maxDepth,
      // `... on CustomerpEmployee { id }` is a type condition, not a level of data.
      flattenFragments: true,
      exposeLimits,
      errorMessage: 'Query depth limit exceeded.',
      propagateOnRejection: false,
      onReject: reportAs('MAX_DEPTH_EXCEEDED'),
    },
    maxAliases: {
      n: OPERATION_LIMITS.maxAliases,
      exposeLimits,
      errorMessage: 'Aliases limit exceeded.',
      propagateOnRejection: false,
      onReject: reportAs('MAX_ALIASES_EXCEEDED'),
    },
    maxDirectives: {
      n: OPERATION_LIMITS.maxDirectives,
      exposeLimits,
      errorMessage: 'Directives limit exceeded.',
      propagateOnRejection: false,
      onReject: reportAs('MAX_DIRECTIVES_EXCEEDED'),
    },
  }).protect().validationRules;
}

/**
 * Armor's cost rule, reporting MAX_COST_EXCEEDED as a validation error. It multiplies by `first` only
 * where the document spells it as a number: run it on `withPageSizes(…)` of the request.
 */
export function costLimitRule(exposeLimits: boolean): ValidationRule {
  const [rule] = new ApolloArmor({
    ...NONE,
    costLimit: {
      maxCost: OPERATION_LIMITS.maxCost,
      flattenFragments: true,
      exposeLimits,
      errorMessage: 'Query cost limit exceeded.',
      propagateOnRejection: false,
      onReject: reportAs('MAX_COST_EXCEEDED'),
    },
  }).protect().validationRules;
  if (!rule) throw new Error('GraphQL Armor returned no cost rule');
  return rule;
}
