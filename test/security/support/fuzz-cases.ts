import fc from 'fast-check';
import { getNamedType, isInputObjectType, isLeafType, isNonNullType, type GraphQLSchema } from 'graphql';
import type { Expectation } from './answer-checks.js';
import type { FuzzFixtures } from './fuzz-world.js';
import {
  hostileString,
  operatorInjection,
  pollutingObject,
  POLLUTING_KEYS,
  withOwnKey,
  wrongJsonValue,
} from './hostile-values.js';
import type { RawRequest } from './http-pool.js';
import { mutationPoisons, type Poison } from './mutation-poisons.js';
import {
  PlanArbitraries,
  renderPlan,
  responseKey,
  withoutValueAt,
  withValueAt,
  type Flavor,
  type OperationPlan,
} from './operation-plans.js';
import { deepValidChain, garbageDocument, get, malformedBody, oversizedDocument, postJson } from './raw-requests.js';
import { inputPositions, positionName, rootFields, type InputPosition, type RootField } from './schema-model.js';

/** The kinds of generated requests, with how many of each one run sends. */
export const CASES_PER_CATEGORY = {
  /** Schema-valid queries over real records, random selections. */
  'valid query': 1_500,
  /** Injection, unicode and oversized strings, position by position through every input field. */
  'hostile string': 3_300,
  /** Wrong types, missing required arguments, unknown arguments and fields, wrong variable declarations. */
  'type error': 3_000,
  /** MongoDB operators as variable values, position by position through every input field. */
  'operator injection': 2_700,
  /** `__proto__`, `constructor` and friends as keys of inputs, variables and bodies. */
  'prototype pollution': 1_000,
  /** Mutations with an input the contract refuses, plus anything else. */
  'invalid mutation': 2_500,
  /** Deep, long, aliased and repeated documents. */
  'deep or oversized document': 800,
  /** Broken bodies, content types, methods and batches. */
  'malformed request': 1_500,
  /** Documents that are no GraphQL at all. */
  'garbage document': 4_500,
} as const;

export type Category = keyof typeof CASES_PER_CATEGORY;

/** One generated request and what its answer must show. */
export interface FuzzCase {
  category: Category;
  /** What was generated, for reports: the position, the poison, the breakage. */
  label: string;
  /** The input position the case aims at (`Query.contacts(filter.email)`), for categories that go round them. */
  position?: string;
  request: RawRequest;
  expect: Expectation;
}

const ANY: Expectation = { kind: 'any' };
/** A JSON value can only be refused at variable coercion (BAD_USER_INPUT) or validation. */
const REFUSED_INPUT: Expectation = { kind: 'refused-input', codes: ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'] };

/**
 * Every case of one run, generated as they are sent (a run's worth held at once would be hundreds of
 * megabytes of oversized strings). The same seed gives the same requests.
 */
export function* fuzzCases(
  schema: GraphQLSchema,
  fixtures: FuzzFixtures,
  seed: number,
  counts: Readonly<Record<Category, number>> = CASES_PER_CATEGORY,
): Generator<FuzzCase> {
  const arbs = new PlanArbitraries(schema, fixtures);
  const poisons = mutationPoisons(fixtures);
  const roots = rootFields(schema);
  // syncNow takes no input: every request for it is valid, so it runs with the tracked valid mutations instead.
  const isFuzzed = (root: RootField): boolean => root.operation === 'query' || poisons[root.field.name] !== undefined;
  const fuzzedRoots = roots.filter(isFuzzed);
  const positions = inputPositions(schema).filter((position) => isFuzzed(position.root));
  const queryRoots = roots.filter((root) => root.operation === 'query');
  const mutationRoots = fuzzedRoots.filter((root) => root.operation === 'mutation');
  const depth = fc.integer({ min: 0, max: 3 });

  /** A plan for `root`, poisoned last when it is a mutation, rendered as a POST. */
  const operationCase = (
    category: Category,
    root: RootField,
    plan: fc.Arbitrary<OperationPlan>,
    label: string,
  ): fc.Arbitrary<FuzzCase> => {
    const poison =
      root.operation === 'mutation' ? (poisons[root.field.name] as fc.Arbitrary<Poison>) : fc.constant(null);
    return fc.tuple(plan, poison).map(([raw, p]) => {
      const final = p ? p.apply(raw) : raw;
      return {
        category,
        label: p ? `${label}; ${p.label}` : label,
        request: postJson(renderPlan(schema, final)),
        expect: root.operation === 'mutation' ? { kind: 'refused-mutation', key: responseKey(final) } : ANY,
      };
    });
  };
  const planOf = (root: RootField, flavor: Flavor) => depth.chain((d) => arbs.plan(root, flavor, d));
  const breakages = new Map(fuzzedRoots.map((root) => [root.field.name, breakage(root, positions)]));
  const flavor = fc.constantFrom<Flavor>('valid', 'valid', 'hostile');

  // Each category has one arbitrary, or one per input position so that a run goes round them all.
  const once = (build: () => fc.Arbitrary<FuzzCase>): CategoryCases => ({ slots: 1, build });
  const perPosition = (build: (position: InputPosition) => fc.Arbitrary<FuzzCase>): CategoryCases => ({
    slots: positions.length,
    build: (slot) => build(positions[slot] as InputPosition),
  });
  const raw = (category: Category, label: string, request: RawRequest): FuzzCase => ({
    category,
    label,
    request,
    expect: ANY,
  });

  const categories: Record<Category, CategoryCases> = {
    'valid query': once(() =>
      fc
        .constantFrom(...queryRoots)
        .chain((root) => operationCase('valid query', root, planOf(root, 'valid'), root.field.name)),
    ),

    'hostile string': perPosition((position) => {
      const plan = fc
        .tuple(planOf(position.root, 'valid'), hostileString)
        .map(([p, value]) => ({ ...p, args: withValueAt(p.args, position.path, value) }));
      return operationCase('hostile string', position.root, plan, positionName(position)).map((c) => ({
        ...c,
        position: positionName(position),
      }));
    }),

    'type error': once(() =>
      fc
        .constantFrom(...fuzzedRoots)
        .chain((root) =>
          fc
            .tuple(planOf(root, 'valid'), breakages.get(root.field.name) as fc.Arbitrary<Breakage>)
            .chain(([plan, broken]) =>
              operationCase('type error', root, fc.constant(broken.apply(plan)), `${root.field.name}: ${broken.label}`),
            ),
        ),
    ),

    // Coercion refuses an operator before any resolver runs, mutation or not: no poison (it would hide
    // the operator), and a flat selection (no operation limit may answer first).
    'operator injection': perPosition((position) =>
      fc.tuple(arbs.plan(position.root, 'valid', 0), operatorInjection).map(([plan, operator]) => ({
        category: 'operator injection',
        label: `${positionName(position)} = ${JSON.stringify(operator)}`,
        position: positionName(position),
        request: postJson(
          renderPlan(schema, asVariable({ ...plan, args: withValueAt(plan.args, position.path, operator) }, position)),
        ),
        expect: REFUSED_INPUT,
      })),
    ),

    'prototype pollution': once(() =>
      fc.oneof(
        // As an input object, or a key inside one.
        fc.constantFrom(...positions.filter((p) => isInputObjectType(getNamedType(p.type)))).chain((position) => {
          const plan = fc
            .tuple(planOf(position.root, 'valid'), pollutingObject)
            .map(([p, value]) => asVariable({ ...p, args: withValueAt(p.args, position.path, value) }, position));
          return operationCase('prototype pollution', position.root, plan, positionName(position));
        }),
        // Beside the variables, and beside the request's own fields.
        fc.tuple(fc.constantFrom(...fuzzedRoots), fc.constantFrom(...POLLUTING_KEYS)).chain(([root, key]) =>
          fc
            .tuple(planOf(root, 'valid'), poisons[root.field.name] ?? fc.constant(null))
            .map(([plan, poison]): FuzzCase => {
              const { query, variables } = renderPlan(schema, poison ? poison.apply(plan) : plan);
              const body = withOwnKey(
                { query, variables: withOwnKey({ ...variables }, key, { polluted: true }) },
                key,
                { polluted: true, query: '{ __typename }' },
              );
              return {
                category: 'prototype pollution',
                label: `${root.field.name}: ${key} beside variables and query${poison ? `; ${poison.label}` : ''}`,
                request: postJson(body),
                expect: root.operation === 'mutation' ? { kind: 'refused-mutation', key: responseKey(plan) } : ANY,
              };
            }),
        ),
      ),
    ),

    'invalid mutation': once(() =>
      fc
        .constantFrom(...mutationRoots)
        .chain((root) =>
          flavor.chain((f) =>
            operationCase('invalid mutation', root, planOf(root, f), `${root.field.name} (${f} values)`),
          ),
        ),
    ),

    'deep or oversized document': once(() =>
      fc.oneof(
        deepValidChain.map((query) => raw('deep or oversized document', 'a deep valid chain', postJson({ query }))),
        oversizedDocument.map((query) =>
          raw('deep or oversized document', `a document of ${query.length} characters`, postJson({ query })),
        ),
      ),
    ),

    'malformed request': once(() =>
      malformedBody.map((request) => raw('malformed request', `${request.method} ${describeBody(request)}`, request)),
    ),

    'garbage document': once(() =>
      fc
        .tuple(garbageDocument, fc.option(wrongJsonValue, { nil: undefined }), fc.boolean())
        .map(([query, variables, viaGet]) =>
          raw(
            'garbage document',
            truncate(JSON.stringify(query)),
            viaGet ? get({ query }) : postJson(variables === undefined ? { query } : { query, variables }),
          ),
        ),
    ),
  };

  let batchSeed = seed;
  for (const [category, count] of Object.entries(counts) as [Category, number][]) {
    const { slots, build } = categories[category];
    for (let slot = 0; slot < slots; slot++) {
      const arbitrary = build(slot);
      // The count shared out over the slots exactly; small batches keep memory low.
      for (
        let remaining = Math.floor(count / slots) + (slot < count % slots ? 1 : 0);
        remaining > 0;
        remaining -= BATCH
      ) {
        yield* fc.sample(arbitrary, { numRuns: Math.min(remaining, BATCH), seed: batchSeed++ });
      }
    }
  }
}

const BATCH = 50;

/** How a category's cases are generated: `slots` arbitraries, the category's count shared out over them. */
interface CategoryCases {
  slots: number;
  build(slot: number): fc.Arbitrary<FuzzCase>;
}

/** The plan with the argument that holds `position` passed as a variable (JSON the literal syntax cannot write). */
function asVariable(plan: OperationPlan, position: InputPosition): OperationPlan {
  const [argument] = position.path;
  return { ...plan, inline: plan.inline.filter((name) => name !== argument) };
}

/** A GraphQL-level breakage of a plan: the request is refused at validation or variable coercion. */
interface Breakage {
  label: string;
  apply(plan: OperationPlan): OperationPlan;
}

function breakage(root: RootField, positions: readonly InputPosition[]): fc.Arbitrary<Breakage> {
  const own = positions.filter((position) => position.root.field.name === root.field.name);
  const required = own.filter((position) => isNonNullType(position.type));
  const options: fc.Arbitrary<Breakage>[] = [
    fc
      .constantFrom('bogus: 1', '__proto__: 1', 'id: "x", id: "y"', 'first: 1, first: 2', '$undefined: 1')
      .map((text) => ({
        label: `unknown or repeated argument ${text}`,
        apply: (plan) => ({ ...plan, extraArgs: text }),
      })),
    fc
      .constantFrom(
        ' { nope }',
        ' { id { deeper } }',
        ' { __typename nope(x: 1) }',
        '',
        ' { ...Missing }',
        ' { ... on Nope { id } }',
        ' { a: id a: __typename }',
      )
      .map((selection) => ({
        label: `selection${selection || ' missing'}`,
        apply: (plan) => ({ ...plan, selection: selection === '' && plan.selection === '' ? ' { id }' : selection }),
      })),
  ];
  if (required.length > 0) {
    options.push(
      fc.constantFrom(...required).map((position) => ({
        label: `${position.path.join('.')} missing`,
        apply: (plan) => ({ ...plan, args: withoutValueAt(plan.args, position.path) }),
      })),
      fc.constantFrom(...required).map((position) => ({
        label: `${position.path.join('.')} null`,
        apply: (plan) => ({ ...plan, args: withValueAt(plan.args, position.path, null) }),
      })),
    );
  }
  if (own.length > 0) {
    const leaves = own.filter((position) => isLeafType(getNamedType(position.type)));
    options.push(
      fc.tuple(fc.constantFrom(...own), wrongJsonValue, fc.boolean()).map(([position, value, inline]) => ({
        label: `${position.path.join('.')} = ${truncate(JSON.stringify(value))}${inline ? ' inline' : ''}`,
        apply: (plan) => {
          const [argument = ''] = position.path;
          const args = withValueAt(plan.args, position.path, value);
          return {
            ...plan,
            args,
            inline: inline ? [...plan.inline, argument] : plan.inline.filter((name) => name !== argument),
          };
        },
      })),
      fc
        .tuple(
          fc.constantFrom(...own.filter((p) => p.path.length === 1)),
          fc.constantFrom(
            'Int',
            'String',
            'Boolean',
            '[ID!]!',
            'ContactFilter',
            'Nope',
            'CreateContactInput!',
            'System',
          ),
        )
        .map(([position, type]) => ({
          label: `$${position.path[0]} declared as ${type}`,
          apply: (plan) => {
            const [argument = ''] = position.path;
            const args = argument in plan.args ? plan.args : withValueAt(plan.args, position.path, 'x');
            return {
              ...plan,
              args,
              inline: plan.inline.filter((name) => name !== argument),
              declaredTypes: { [argument]: type },
            };
          },
        })),
      fc.constantFrom(...own.filter((p) => p.path.length === 1)).map((position) => ({
        label: `$${position.path[0]} undeclared`,
        apply: (plan) => {
          const [argument = ''] = position.path;
          const args = argument in plan.args ? plan.args : withValueAt(plan.args, position.path, 'x');
          return { ...plan, args, inline: plan.inline.filter((name) => name !== argument), undeclared: [argument] };
        },
      })),
    );
    if (leaves.length > 0) {
      options.push(
        fc
          .tuple(
            fc.constantFrom(...leaves),
            fc.constantFrom<unknown>('5', 1.5, 2 ** 31, true, 'NOT_A_VALUE', [1], { a: 1 }),
          )
          .map(([position, value]) => ({
            label: `${position.path.join('.')} = ${JSON.stringify(value)} inline`,
            apply: (plan) => {
              const [argument = ''] = position.path;
              return {
                ...plan,
                args: withValueAt(plan.args, position.path, value),
                inline: [...plan.inline, argument],
              };
            },
          })),
      );
    }
  }
  return fc.oneof(...options);
}

function truncate(text: string | undefined): string {
  if (text === undefined) return 'undefined';
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

function describeBody(request: RawRequest): string {
  if (request.body === undefined) return request.path.slice(0, 80);
  const type = request.headers['content-type'] ?? 'no content-type';
  const text = typeof request.body === 'string' ? request.body : `<${request.body.length} bytes>`;
  return `${type}, ${text.length} chars: ${truncate(JSON.stringify(text.slice(0, 60)))}`;
}
