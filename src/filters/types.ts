/** The parsed shape of a filter: exactly the JSON the client sent (the schema checks, it does not rewrite). */

/** A JSON scalar: what `$eq`, `$neq`, `$in` and `$nin` compare against. */
export type Literal = string | number | boolean | null;

/** Each path operator and the operand it takes. */
export interface OperandOf {
  $eq: Literal;
  $neq: Literal;
  $gt: number | string;
  $gte: number | string;
  $lt: number | string;
  $lte: number | string;
  $in: Literal[];
  $nin: Literal[];
  $exists: boolean;
  $startsWith: string;
}

export type PathOperatorName = keyof OperandOf;

/** One or more path operators; all must hold. */
export type PathOperators = Partial<OperandOf>;

/** What a path key holds: a literal (equality) or an operator object. */
export type PathCondition = Literal | PathOperators;

/**
 * A filter: path keys (`order.total`) and the logical keys `$and`, `$or`, `$not`. TypeScript cannot
 * tell the two kinds of key apart by name, so the index signature admits both value types.
 */
export interface Filter {
  $and?: Filter[];
  $or?: Filter[];
  $not?: Filter;
  [key: string]: PathCondition | Filter | Filter[] | undefined;
}

export const PATH_OPERATORS: readonly PathOperatorName[] = [
  '$eq',
  '$neq',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$startsWith',
];

export function isLiteral(value: unknown): value is Literal {
  if (typeof value === 'number') return Number.isFinite(value);
  return value === null || typeof value === 'string' || typeof value === 'boolean';
}

/** A plain object as JSON.parse makes it (not an array, a Date or a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
