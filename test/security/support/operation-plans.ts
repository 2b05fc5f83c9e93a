import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { encodeUnifiedId, type LinkEntity } from '../../../src/links/index.js';
import type { FuzzFixtures } from './fuzz-world.js';
import { hostileString } from './hostile-values.js';
import type { OperationType, RootField } from './schema-model.js';

/**
 * Operations generated from the schema: a root field, its arguments as plain values, how each is
 * passed (inline literal or variable), and a selection set walked from the field's type.
 */
export interface OperationPlan {
  operation: OperationType;
  field: string;
  /** The response key, when the field is aliased. */
  alias?: string;
  /** The arguments given, by name (an absent key is an omitted argument). */
  args: Record<string, unknown>;
  /** The arguments written inline as literals; the others go as variables. */
  inline: readonly string[];
  /** ` { … }`, or '' for a leaf type. */
  selection: string;
  /** A variable declared with another type than its argument's, by argument name. */
  declaredTypes?: Readonly<Record<string, string>>;
  /** Arguments used as `$name` without a declaration. */
  undeclared?: readonly string[];
  /** Raw argument text appended inside the parentheses, e.g. an unknown argument. */
  extraArgs?: string;
}

/**
 * How argument values are generated: of the right type and plausible (real ids, small pages, enum
 * values; an id may still name a record of another type), or of the right type and hostile.
 */
export type Flavor = 'valid' | 'hostile';

const ENTITIES: readonly LinkEntity[] = ['Contact', 'Company', 'Activity'];
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** A well-formed unified id that names no record. */
export const unknownUnifiedId: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...ENTITIES), fc.uuid({ version: 4 }))
  .map(([entity, uuid]) => encodeUnifiedId(entity, uuid));

/** Arbitraries for argument values and selection sets of one schema, over the records of one world. */
export class PlanArbitraries {
  // Arbitraries are built once per type, field or root field and reused: building them is the costly part.
  private readonly selections = new Map<string, fc.Arbitrary<string>>();
  private readonly values = new Map<string, fc.Arbitrary<unknown>>();
  private readonly argSets = new Map<string, fc.Arbitrary<Record<string, unknown>>>();
  private readonly plans = new Map<string, fc.Arbitrary<OperationPlan>>();
  readonly realId: fc.Arbitrary<string>;
  readonly systemId: fc.Arbitrary<string>;

  constructor(
    readonly schema: GraphQLSchema,
    readonly fixtures: FuzzFixtures,
  ) {
    const ids = [...fixtures.ids.Contact, ...fixtures.ids.Company, ...fixtures.ids.Activity];
    this.realId = fc.constantFrom(...ids);
    this.systemId = fc.constantFrom(...fixtures.systemIds.customerp, ...fixtures.systemIds.crmoffice);
  }

  /** A value for an input type (JSON-shaped: what goes into `variables`). */
  value(type: GraphQLInputType, flavor: Flavor): fc.Arbitrary<unknown> {
    return memoized(this.values, `${String(type)}:${flavor}`, () => this.buildValue(type, flavor));
  }

  private buildValue(type: GraphQLInputType, flavor: Flavor): fc.Arbitrary<unknown> {
    if (isNonNullType(type)) return this.value(type.ofType, flavor);
    const inner = this.nullableValue(type, flavor);
    return flavor === 'valid'
      ? fc.oneof({ arbitrary: inner, weight: 6 }, { arbitrary: fc.constant(null), weight: 1 })
      : inner;
  }

  private nullableValue(type: GraphQLInputType, flavor: Flavor): fc.Arbitrary<unknown> {
    if (isListType(type)) return fc.array(this.value(type.ofType as GraphQLInputType, flavor), { maxLength: 3 });
    const named = getNamedType(type);
    if (isInputObjectType(named)) {
      const fields = Object.values(named.getFields());
      const model = Object.fromEntries(fields.map((field) => [field.name, this.value(field.type, flavor)]));
      const requiredKeys = fields
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => field.name);
      return fc.record(model, { requiredKeys });
    }
    if (isEnumType(named)) {
      const values = named.getValues().map((value) => value.name);
      return flavor === 'valid'
        ? fc.constantFrom(...values)
        : fc.oneof(
            fc.constantFrom(...values),
            fc.constantFrom('CRM_ONLY', 'customerp', 'ALL', '__proto__', 'null', '$gt', ''),
            hostileString,
          );
    }
    switch (named.name) {
      case 'ID':
        return flavor === 'valid'
          ? fc.oneof(
              { arbitrary: this.realId, weight: 5 },
              { arbitrary: this.systemId, weight: 2 },
              { arbitrary: unknownUnifiedId, weight: 1 },
            )
          : hostileString;
      case 'Int':
        return flavor === 'valid'
          ? fc.oneof(fc.constantFrom(0, 1, 2, 3, 5, 20), fc.integer({ min: 0, max: 10 }))
          : fc.constantFrom(-1, -2147483648, 101, 1000, 2147483647, 99999);
      case 'Boolean':
        return fc.boolean();
      case 'String':
        return flavor === 'valid' ? plausibleString : hostileString;
      default:
        // Custom scalars (none are inputs today): any string.
        return flavor === 'valid' ? plausibleString : hostileString;
    }
  }

  /** Arguments for a field of `parent`: required ones always, optional ones sometimes. */
  args(parent: string, field: GraphQLField<unknown, unknown>, flavor: Flavor): fc.Arbitrary<Record<string, unknown>> {
    return memoized(this.argSets, `${parent}.${field.name}:${flavor}`, () => this.buildArgs(field, flavor));
  }

  private buildArgs(field: GraphQLField<unknown, unknown>, flavor: Flavor): fc.Arbitrary<Record<string, unknown>> {
    if (field.args.length === 0) return fc.constant({});
    const model = Object.fromEntries(field.args.map((arg) => [arg.name, this.value(arg.type, flavor)]));
    const requiredKeys = field.args
      .filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)
      .map((arg) => arg.name);
    return fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>;
  }

  /** A selection set for an output type, `depth` levels of objects deep at most (leaf fields below). */
  selection(type: GraphQLOutputType, depth: number): fc.Arbitrary<string> {
    const named = getNamedType(type);
    if (isLeafType(named)) return fc.constant('');
    const levels = Math.max(depth, 0);
    return memoized(this.selections, `${named.name}:${levels}`, () => this.buildSelection(named, levels));
  }

  private buildSelection(named: GraphQLNamedType, depth: number): fc.Arbitrary<string> {
    const fragments = isAbstractType(named)
      ? this.schema
          .getPossibleTypes(named)
          .map((possible) => this.selection(possible, depth).map((inner) => `... on ${possible.name}${inner}`))
      : [];
    const fields = isObjectType(named) || isInterfaceType(named) ? Object.values(named.getFields()) : [];
    const usable = fields.filter((field) => depth > 0 || isLeafType(getNamedType(field.type)));
    const fieldArbs = usable.map((field) => this.fieldSelection(named.name, field, depth - 1));
    const choices = [fc.constant('__typename'), ...fieldArbs, ...fragments];
    const pick = fc.uniqueArray(fc.integer({ min: 0, max: choices.length - 1 }), {
      minLength: 1,
      maxLength: Math.min(4, choices.length),
    });
    return pick
      .chain((indexes) => fc.tuple(...indexes.map((i) => choices[i] as fc.Arbitrary<string>)))
      .map((parts) => ` { ${parts.join(' ')} }`);
  }

  private fieldSelection(parent: string, field: GraphQLField<unknown, unknown>, depth: number): fc.Arbitrary<string> {
    const args =
      field.args.length === 0
        ? fc.constant('')
        : this.args(parent, field, 'valid').map((values) =>
            argumentText(
              values,
              field,
              field.args.map((a) => a.name),
            ),
          );
    return fc
      .tuple(args, this.selection(field.type, depth))
      .map(([argText, inner]) => `${field.name}${argText}${inner}`);
  }

  /** A plan for a root field with `flavor` argument values, passed inline, as variables or mixed. */
  plan(root: RootField, flavor: Flavor, depth: number): fc.Arbitrary<OperationPlan> {
    return memoized(this.plans, `${root.operation}.${root.field.name}:${flavor}:${depth}`, () =>
      this.buildPlan(root, flavor, depth),
    );
  }

  private buildPlan(root: RootField, flavor: Flavor, depth: number): fc.Arbitrary<OperationPlan> {
    const { field } = root;
    const argNames = field.args.map((arg) => arg.name);
    return fc
      .record({
        args: this.args(root.operation, field, flavor),
        passing: fc.constantFrom<'inline' | 'variables' | 'mixed'>('inline', 'variables', 'variables', 'mixed'),
        mixed: fc.subarray(argNames),
        alias: fc.option(fc.constantFrom('a', 'result', '_x1'), { nil: undefined }),
        selection: this.selection(field.type, depth),
      })
      .map(({ args, passing, mixed, alias, selection }) => ({
        operation: root.operation,
        field: field.name,
        ...(alias ? { alias } : {}),
        args,
        inline: passing === 'inline' ? argNames : passing === 'variables' ? [] : mixed,
        selection,
      }));
  }
}

function memoized<T>(cache: Map<string, T>, key: string, build: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = build();
    cache.set(key, value);
  }
  return value;
}

/** Strings a real client sends: names, e-mail addresses, codes, dates, statuses. */
export const plausibleString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'Anna',
    'acme',
    'anna@example.org',
    'SKU-1',
    '2026-03-01',
    '2026-03-01T09:30:00.000Z',
    'OPEN',
    'https://example.org',
    'Oslo',
    '',
  ),
  fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
);

/** A value as a GraphQL literal; enum values go bare when they can, anything else as its JSON shape. */
export function printLiteral(value: unknown, type: GraphQLInputType | undefined): string {
  if (value === null || value === undefined) return 'null';
  const named = type ? getNamedType(type) : undefined;
  if (typeof value === 'string') {
    return named && isEnumType(named) && NAME.test(value) && !['true', 'false', 'null'].includes(value)
      ? value
      : JSON.stringify(value);
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    const nullable = type ? getNullableType(type) : undefined;
    const itemType = nullable && isListType(nullable) ? (nullable.ofType as GraphQLInputType) : type;
    return `[${value.map((item) => printLiteral(item, itemType)).join(', ')}]`;
  }
  const fields = named && isInputObjectType(named) ? named.getFields() : {};
  const entries = Object.keys(value as object).map(
    (key) => `${key}: ${printLiteral((value as Record<string, unknown>)[key], fields[key]?.type)}`,
  );
  return `{${entries.join(', ')}}`;
}

/** `(a: 1, b: $b)` for the given arguments: those in `inline` as literals, the others as variables. */
function argumentText(
  args: Record<string, unknown>,
  field: GraphQLField<unknown, unknown>,
  inline: readonly string[],
  extra?: string,
): string {
  const parts = Object.keys(args).map((name) => {
    const arg = field.args.find((a) => a.name === name);
    return inline.includes(name) ? `${name}: ${printLiteral(args[name], arg?.type)}` : `${name}: $${name}`;
  });
  if (extra) parts.push(extra);
  return parts.length === 0 ? '' : `(${parts.join(', ')})`;
}

/** The document and variables of a plan. */
export function renderPlan(
  schema: GraphQLSchema,
  plan: OperationPlan,
): { query: string; variables: Record<string, unknown> } {
  const rootType = plan.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  const field = rootType?.getFields()[plan.field];
  if (!field) throw new Error(`no root field ${plan.field}`);
  const variableNames = Object.keys(plan.args).filter((name) => !plan.inline.includes(name));
  const declarations = variableNames
    .filter((name) => !plan.undeclared?.includes(name))
    .map(
      (name) =>
        `$${name}: ${plan.declaredTypes?.[name] ?? String(field.args.find((a) => a.name === name)?.type ?? 'String')}`,
    );
  const variables: Record<string, unknown> = {};
  for (const name of variableNames) variables[name] = plan.args[name];
  const head = declarations.length === 0 ? plan.operation : `${plan.operation} Fuzz(${declarations.join(', ')})`;
  const key = plan.alias ? `${plan.alias}: ` : '';
  const query = `${head} { ${key}${plan.field}${argumentText(plan.args, field, plan.inline, plan.extraArgs)}${plan.selection} }`;
  return { query, variables };
}

/** The response key of a plan's field. */
export function responseKey(plan: OperationPlan): string {
  return plan.alias ?? plan.field;
}

/** A copy of `args` with `value` at `path` (argument name, then input field names), creating objects on the way. */
export function withValueAt(
  args: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) throw new Error('empty path');
  const copy = { ...args };
  if (rest.length === 0) {
    copy[head] = value;
    return copy;
  }
  const current = copy[head];
  const inner =
    current !== null && typeof current === 'object' && !Array.isArray(current)
      ? (current as Record<string, unknown>)
      : {};
  copy[head] = withValueAt(inner, rest, value);
  return copy;
}

/** A copy of `args` without the value at `path`. */
export function withoutValueAt(args: Record<string, unknown>, path: readonly string[]): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) throw new Error('empty path');
  const copy = { ...args };
  if (rest.length === 0) {
    delete copy[head];
    return copy;
  }
  const current = copy[head];
  if (current !== null && typeof current === 'object' && !Array.isArray(current))
    copy[head] = withoutValueAt(current as Record<string, unknown>, rest);
  return copy;
}

/** The least a field's required arguments need to be valid: `x` for strings and ids, an enum's first value, … */
export function minimalArgs(field: GraphQLField<unknown, unknown>): Record<string, unknown> {
  const required = field.args.filter((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);
  return Object.fromEntries(required.map((arg) => [arg.name, minimalValue(arg.type)]));
}

function minimalValue(type: GraphQLInputType): unknown {
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]?.name;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter(
      (field) => isNonNullType(field.type) && field.defaultValue === undefined,
    );
    return Object.fromEntries(fields.map((field) => [field.name, minimalValue(field.type)]));
  }
  switch (named.name) {
    case 'Int':
      return 1;
    case 'Boolean':
      return true;
    default:
      return 'x';
  }
}
