import { MAX_FILTER_DEPTH } from './limits';
import { MISSING, resolvePath } from './paths';
import { isPlainObject, type Filter, type OperandOf, type PathCondition, type PathOperatorName, type PathOperators } from './types';

/** Orders two values of the same kind (numbers, or strings by UTF-16 code units); mixed kinds never compare. */
function compare(actual: unknown, operand: number | string): number | undefined {
  const sameKind =
    (typeof actual === 'number' && typeof operand === 'number') || (typeof actual === 'string' && typeof operand === 'string');
  if (!sameKind) return undefined;
  const left = actual as number | string;
  return left < operand ? -1 : left > operand ? 1 : 0;
}

function ordered(test: (order: number) => boolean) {
  return (actual: unknown, operand: number | string): boolean => {
    const order = compare(actual, operand);
    return order !== undefined && test(order);
  };
}

/** The Array.isArray is for filters that skipped the schema: evaluation stays total on any JSON filter. */
function isOneOf(actual: unknown, values: readonly unknown[]): boolean {
  return Array.isArray(values) && values.some((value) => value === actual);
}

/**
 * Each operator on the resolved value (MISSING when the path does not resolve). `===` is the whole
 * of equality: no coercion, and a literal is never `===` an object, an array or MISSING; hence
 * `$neq` and `$nin` hold for a missing path.
 */
const OPERATORS: { [K in PathOperatorName]: (actual: unknown, operand: OperandOf[K]) => boolean } = {
  $eq: (actual, operand) => actual === operand,
  $neq: (actual, operand) => actual !== operand,
  $gt: ordered((order) => order > 0),
  $gte: ordered((order) => order >= 0),
  $lt: ordered((order) => order < 0),
  $lte: ordered((order) => order <= 0),
  $in: (actual, operand) => isOneOf(actual, operand),
  $nin: (actual, operand) => !isOneOf(actual, operand),
  $exists: (actual, operand) => (actual !== MISSING) === operand,
  $startsWith: (actual, operand) => typeof actual === 'string' && actual.startsWith(operand),
};

function holds<K extends PathOperatorName>(operator: K, actual: unknown, operators: PathOperators): boolean {
  const operand = operators[operator];
  // Only a filter that skipped the schema can hold an unknown operator or no operand: it does not match.
  return operand !== undefined && Object.hasOwn(OPERATORS, operator) && OPERATORS[operator](actual, operand);
}

function conditionHolds(condition: PathCondition | undefined, actual: unknown): boolean {
  if (!isPlainObject(condition)) return condition !== undefined && actual === condition;
  return Object.keys(condition).every((operator) => holds(operator as PathOperatorName, actual, condition));
}

function keyHolds(filter: Filter, key: string, data: Record<string, unknown>, depth: number): boolean {
  const value = filter[key];
  if (key === '$and') return Array.isArray(value) && value.every((inner: Filter) => filterHolds(inner, data, depth + 1));
  if (key === '$or') return Array.isArray(value) && value.some((inner: Filter) => filterHolds(inner, data, depth + 1));
  if (key === '$not') return isPlainObject(value) && !filterHolds(value as Filter, data, depth + 1);
  if (Array.isArray(value)) return false; // a path never holds a list of filters
  return conditionHolds(value as PathCondition | undefined, resolvePath(data, key));
}

/** Recursion is bounded: the schema allows MAX_FILTER_DEPTH levels, and deeper (unvalidated) filters stop here. */
function filterHolds(filter: Filter, data: Record<string, unknown>, depth: number): boolean {
  if (depth > MAX_FILTER_DEPTH || !isPlainObject(filter)) return false;
  return Object.keys(filter).every((key) => keyHolds(filter, key, data, depth));
}

/**
 * Whether an event's `data` matches a filter the schema accepted. Pure and total: it reads own
 * properties only and never throws, whatever JSON `data` holds (nor on a JSON filter that skipped
 * the schema: what it cannot make sense of does not match).
 */
export function matchesFilter(filter: Filter, data: Record<string, unknown>): boolean {
  return filterHolds(filter, data, 0);
}
