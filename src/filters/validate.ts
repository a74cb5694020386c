import {
  MAX_FILTER_BYTES,
  MAX_FILTER_CONDITIONS,
  MAX_FILTER_DEPTH,
  MAX_IN_VALUES,
  MAX_LOGICAL_FILTERS,
} from './limits';
import { jsonBytesUpTo } from './json-size';
import { pathProblem } from './paths';
import { isLiteral, isPlainObject, PATH_OPERATORS, type PathOperatorName } from './types';

export type IssuePath = (string | number)[];
export interface FilterIssue {
  path: IssuePath;
  message: string;
}

/** What a walk over the filter collects. */
interface Walk {
  issues: FilterIssue[];
  conditions: number;
}

const LITERAL = 'must be a string, number, boolean or null';
const OPERATOR_LIST = PATH_OPERATORS.join(', ');

type OperandCheck = (operand: unknown, at: IssuePath, walk: Walk) => void;

function expect(isValid: (operand: unknown) => boolean, message: string): OperandCheck {
  return (operand, at, walk) => {
    if (!isValid(operand)) walk.issues.push({ path: at, message });
  };
}

function isComparable(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** `$in` / `$nin`: each bad item is named by its index. */
function checkValueList(operand: unknown, at: IssuePath, walk: Walk): void {
  if (!Array.isArray(operand) || operand.length < 1 || operand.length > MAX_IN_VALUES) {
    walk.issues.push({ path: at, message: `must be an array of 1 to ${MAX_IN_VALUES} strings, numbers, booleans or nulls` });
    return;
  }
  operand.forEach((item, index) => {
    if (!isLiteral(item)) walk.issues.push({ path: [...at, index], message: LITERAL });
  });
}

const COMPARABLE = 'must be a number or a string';
const OPERAND_CHECKS: Record<PathOperatorName, OperandCheck> = {
  $eq: expect(isLiteral, LITERAL),
  $neq: expect(isLiteral, LITERAL),
  $gt: expect(isComparable, COMPARABLE),
  $gte: expect(isComparable, COMPARABLE),
  $lt: expect(isComparable, COMPARABLE),
  $lte: expect(isComparable, COMPARABLE),
  $in: checkValueList,
  $nin: checkValueList,
  $exists: expect((operand) => typeof operand === 'boolean', 'must be true or false'),
  $startsWith: expect((operand) => typeof operand === 'string', 'must be a string'),
};

function isPathOperator(key: string): key is PathOperatorName {
  return (PATH_OPERATORS as readonly string[]).includes(key);
}

function checkOperator(operator: string, operand: unknown, at: IssuePath, walk: Walk): void {
  if (isPathOperator(operator)) {
    OPERAND_CHECKS[operator](operand, at, walk);
  } else if (operator.startsWith('$')) {
    walk.issues.push({ path: at, message: `is not a known operator (${OPERATOR_LIST})` });
  } else {
    // `{"order": {"total": 5}}`: a nested object is not a value to compare with.
    walk.issues.push({ path: at, message: 'is not an operator; to reach a nested field, use a dotted path such as "order.total"' });
  }
}

/** A path key's value: a literal, or an object of one or more path operators. */
function checkCondition(condition: unknown, at: IssuePath, walk: Walk): void {
  if (isLiteral(condition)) {
    walk.conditions += 1;
    return;
  }
  if (!isPlainObject(condition)) {
    walk.issues.push({ path: at, message: `must be a string, number, boolean, null or an object of operators (${OPERATOR_LIST})` });
    return;
  }
  const operators = Object.keys(condition);
  if (operators.length === 0) walk.issues.push({ path: at, message: 'must hold at least one operator' });
  for (const operator of operators) {
    walk.conditions += 1;
    checkOperator(operator, condition[operator], [...at, operator], walk);
  }
}

/** `$and`, `$or` or `$not` at `at`; `depth` counts the logical operators around it. */
function checkLogical(operator: string, operand: unknown, at: IssuePath, depth: number, walk: Walk): void {
  if (operator !== '$and' && operator !== '$or' && operator !== '$not') {
    walk.issues.push({ path: at, message: 'is not a known operator ($and, $or, $not)' });
  } else if (depth + 1 > MAX_FILTER_DEPTH) {
    // Not descended into: this is also what keeps a hostile, deeply nested body from recursing.
    walk.issues.push({ path: at, message: `nests $and/$or/$not more than ${MAX_FILTER_DEPTH} levels deep` });
  } else if (operator === '$not') {
    checkFilter(operand, at, depth + 1, walk);
  } else if (!Array.isArray(operand) || operand.length < 1 || operand.length > MAX_LOGICAL_FILTERS) {
    walk.issues.push({ path: at, message: `must hold 1 to ${MAX_LOGICAL_FILTERS} filters` });
  } else {
    operand.forEach((filter, index) => checkFilter(filter, [...at, index], depth + 1, walk));
  }
}

function checkFilter(filter: unknown, at: IssuePath, depth: number, walk: Walk): void {
  if (!isPlainObject(filter)) {
    walk.issues.push({ path: at, message: 'must be a filter object' });
    return;
  }
  for (const key of Object.keys(filter)) {
    if (key.startsWith('$')) {
      checkLogical(key, filter[key], [...at, key], depth, walk);
      continue;
    }
    const problem = pathProblem(key);
    if (problem !== undefined) walk.issues.push({ path: [...at, key], message: problem });
    checkCondition(filter[key], [...at, key], walk);
  }
}

/**
 * Everything wrong with `input` as a filter, each with the path to the bad part; empty if it is a
 * valid filter. The size comes first and alone: an oversized filter is not walked, which also
 * bounds the work (and the number of issues) a hostile request body can cause.
 */
export function filterIssues(input: unknown): FilterIssue[] {
  if (jsonBytesUpTo(input, MAX_FILTER_BYTES) > MAX_FILTER_BYTES) {
    return [{ path: [], message: `must be at most ${MAX_FILTER_BYTES} bytes (4 KiB) as JSON` }];
  }
  const walk: Walk = { issues: [], conditions: 0 };
  checkFilter(input, [], 0, walk);
  if (walk.conditions > MAX_FILTER_CONDITIONS) {
    walk.issues.push({
      path: [],
      message: `has ${walk.conditions} conditions; at most ${MAX_FILTER_CONDITIONS} are allowed (each path operator counts one)`,
    });
  }
  return walk.issues;
}
