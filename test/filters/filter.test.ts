import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { filterSchema, matchesFilter, MAX_FILTER_BYTES, MAX_FILTER_CONDITIONS, MAX_FILTER_DEPTH, type Filter } from '../../src/filters';
import { jsonBytesUpTo } from '../../src/filters/json-size';
import { dataArb, filterArb, literalArb, parsedJsonObjectArb, pathArb } from './arbitraries';

/** Parses with the schema first: every filter a test evaluates is one the API would accept. */
function matches(filter: unknown, data: Record<string, unknown>): boolean {
  return matchesFilter(filterSchema.parse(filter), data);
}

const ORDER: Record<string, unknown> = JSON.parse(`{
  "order": {
    "id": "ord_1", "total": 120.5, "currency": "EUR", "paid": true, "note": null,
    "tags": ["rush", "gift"], "customer": { "tier": "gold", "country": "DE", "name": "Zoë" }
  },
  "items": [{ "sku": "A-1", "qty": 2 }, { "sku": "B-2", "qty": 0 }],
  "grid": [[1, 2], [3, 4]],
  "byDigit": { "0": "zero" },
  "count": 5, "code": "5", "empty": "", "zero": 0, "negativeZero": -0,
  "big": 9007199254740993, "huge": 1.7976931348623157e308, "tiny": -1e-300,
  "emoji": "😀 party", "precomposed": "é", "decomposed": "e\\u0301", "upper": "Z", "fullwidth": "｡"
}`);

/** JSON.parse makes `__proto__` an own property: it must be plain data, never a prototype. */
const HOSTILE: Record<string, unknown> = JSON.parse(
  '{"__proto__": {"admin": true}, "user": {"__proto__": {"role": "root"}, "name": "eve"}, "hasOwnProperty": 1, "constructor": {"name": "x"}}',
);

type MatchCase = [name: string, filter: unknown, expected: boolean, data?: Record<string, unknown>];

const MATCH_CASES: MatchCase[] = [
  ['empty filter matches anything', {}, true],
  ['empty filter matches empty data', {}, true, {}],
  // Literal equality: strict, no coercion.
  ['string literal', { 'order.currency': 'EUR' }, true],
  ['other string literal', { 'order.currency': 'USD' }, false],
  ['number literal', { count: 5 }, true],
  ['number literal ≠ numeric string', { count: '5' }, false],
  ['string literal ≠ number', { code: 5 }, false],
  ['numeric string literal', { code: '5' }, true],
  ['boolean literal', { 'order.paid': true }, true],
  ['boolean ≠ "true"', { 'order.paid': 'true' }, false],
  ['boolean ≠ 1', { 'order.paid': 1 }, false],
  ['null literal on null', { 'order.note': null }, true],
  ['null literal on a missing path', { 'order.missing': null }, false],
  ['null ≠ false', { 'order.note': false }, false],
  ['0 ≠ false', { zero: false }, false],
  ['"" ≠ 0', { empty: 0 }, false],
  ['-0 equals 0', { negativeZero: 0 }, true],
  ['literal never equals an array', { 'order.tags': 'rush' }, false],
  ['literal never equals an object', { 'order.customer': 'gold' }, false],
  ['several keys: all must hold', { 'order.currency': 'EUR', count: 5, 'order.paid': true }, true],
  ['several keys: one fails', { 'order.currency': 'EUR', count: 6 }, false],
  // $eq / $neq
  ['$eq number', { 'order.total': { $eq: 120.5 } }, true],
  ['$eq null', { 'order.note': { $eq: null } }, true],
  ['$eq on a missing path', { nope: { $eq: 'x' } }, false],
  ['$neq other value', { 'order.currency': { $neq: 'USD' } }, true],
  ['$neq same value', { 'order.currency': { $neq: 'EUR' } }, false],
  ['$neq different type', { count: { $neq: '5' } }, true],
  ['$neq on a missing path is true', { nope: { $neq: 'x' } }, true],
  ['$neq null on null', { 'order.note': { $neq: null } }, false],
  ['$neq null on a missing path', { nope: { $neq: null } }, true],
  ['$neq on an array', { 'order.tags': { $neq: 'rush' } }, true],
  // Ordering, numbers
  ['$gt below', { 'order.total': { $gt: 100 } }, true],
  ['$gt equal', { 'order.total': { $gt: 120.5 } }, false],
  ['$gte equal', { 'order.total': { $gte: 120.5 } }, true],
  ['$lt equal', { 'order.total': { $lt: 120.5 } }, false],
  ['$lte equal', { 'order.total': { $lte: 120.5 } }, true],
  ['$lt above', { 'order.total': { $lt: 200 } }, true],
  ['range inside', { 'order.total': { $gte: 100, $lt: 200 } }, true],
  ['range outside', { 'order.total': { $gt: 100, $lt: 110 } }, false],
  ['negative numbers', { tiny: { $lt: 0, $gt: -1 } }, true],
  ['largest double', { huge: { $gt: 1e308 } }, true],
  ['2^53 + 1 parses as 2^53', { big: 9007199254740992 }, true],
  ['$gte past 2^53', { big: { $gte: 9007199254740992 } }, true],
  // Ordering, strings by UTF-16 code units
  ['$gt string', { 'order.customer.country': { $gt: 'CH' } }, true],
  ['$lt string equal', { 'order.customer.country': { $lt: 'DE' } }, false],
  ['$lte string equal', { 'order.customer.country': { $lte: 'DE' } }, true],
  ['uppercase sorts before lowercase', { upper: { $lt: 'a' } }, true],
  ['é sorts after z', { precomposed: { $gt: 'z' } }, true],
  ['code units, not code points: 😀 < ｡', { emoji: { $lt: '｡' } }, true],
  ['code units, not code points: ｡ > 😀', { fullwidth: { $gt: '😀' } }, true],
  // Ordering, mismatched types never match
  ['number vs string operand', { count: { $gt: '4' } }, false],
  ['string vs number operand', { code: { $gt: 4 } }, false],
  ['string vs number operand, $lte', { code: { $lte: 9 } }, false],
  ['boolean vs number', { 'order.paid': { $gt: 0 } }, false],
  ['null vs number', { 'order.note': { $gte: 0 } }, false],
  ['array vs string', { 'order.tags': { $gt: '' } }, false],
  ['object vs string', { 'order.customer': { $gte: '' } }, false],
  ['missing path', { nope: { $lt: 1e9 } }, false],
  // $in / $nin
  ['$in hit', { 'order.currency': { $in: ['USD', 'EUR'] } }, true],
  ['$in miss', { 'order.currency': { $in: ['USD'] } }, false],
  ['$in no coercion', { count: { $in: ['5'] } }, false],
  ['$in number', { count: { $in: [4, 5] } }, true],
  ['$in null on null', { 'order.note': { $in: [null] } }, true],
  ['$in null on a missing path', { nope: { $in: [null] } }, false],
  ['$in does not look inside arrays', { 'order.tags': { $in: ['rush'] } }, false],
  ['$in mixed literals', { 'order.paid': { $in: ['true', 1, true] } }, true],
  ['$nin miss', { 'order.currency': { $nin: ['USD'] } }, true],
  ['$nin hit', { 'order.currency': { $nin: ['USD', 'EUR'] } }, false],
  ['$nin on a missing path is true', { nope: { $nin: ['x'] } }, true],
  ['$nin null on null', { 'order.note': { $nin: [null] } }, false],
  // $exists
  ['$exists true on null', { 'order.note': { $exists: true } }, true],
  ['$exists false on null', { 'order.note': { $exists: false } }, false],
  ['$exists true on a missing path', { nope: { $exists: true } }, false],
  ['$exists false on a missing path', { nope: { $exists: false } }, true],
  ['$exists through a scalar', { 'order.id.x': { $exists: false } }, true],
  ['$exists on an array index', { 'items.1': { $exists: true } }, true],
  ['$exists past the end', { 'items.2': { $exists: false } }, true],
  ['array length does not resolve', { 'items.length': { $exists: false } }, true],
  ['string length does not resolve', { 'order.currency.length': { $exists: false } }, true],
  ['inherited methods do not resolve', { 'order.toString': { $exists: true } }, false],
  ['hasOwnProperty does not resolve', { 'order.hasOwnProperty': { $exists: true } }, false],
  ['$exists with another operator', { 'order.note': { $exists: true, $eq: null } }, true],
  // $startsWith
  ['$startsWith hit', { 'order.id': { $startsWith: 'ord_' } }, true],
  ['$startsWith is case-sensitive', { 'order.id': { $startsWith: 'ORD' } }, false],
  ['$startsWith empty prefix', { 'order.id': { $startsWith: '' } }, true],
  ['$startsWith on a number', { count: { $startsWith: '5' } }, false],
  ['$startsWith on a missing path', { nope: { $startsWith: '' } }, false],
  ['$startsWith unicode', { 'order.customer.name': { $startsWith: 'Zoë' } }, true],
  ['$startsWith no normalization', { 'order.customer.name': { $startsWith: 'Zoe' } }, false],
  ['$startsWith emoji', { emoji: { $startsWith: '😀' } }, true],
  ['$startsWith half a surrogate pair', { emoji: { $startsWith: '\ud83d' } }, true],
  ['NFC ≠ NFD', { precomposed: { $eq: 'e\u0301' } }, false],
  ['NFD literal', { decomposed: 'e\u0301' }, true],
  // Arrays by index, numeric object keys
  ['array index', { 'items.0.sku': 'A-1' }, true],
  ['second item', { 'items.1.qty': 0 }, true],
  ['second item, $gt', { 'items.1.qty': { $gt: 0 } }, false],
  ['nested arrays', { 'grid.1.0': 3 }, true],
  ['non-canonical index', { 'items.01.sku': { $exists: false } }, true],
  ['index out of range', { 'items.5.sku': { $exists: false } }, true],
  ['digit key of an object', { 'byDigit.0': 'zero' }, true],
  ['array element equality', { 'order.tags.1': 'gift' }, true],
  // Logical operators
  ['$and all hold', { $and: [{ count: 5 }, { 'order.paid': true }] }, true],
  ['$and one fails', { $and: [{ count: 5 }, { 'order.paid': false }] }, false],
  ['$or one holds', { $or: [{ count: 6 }, { 'order.paid': true }] }, true],
  ['$or none holds', { $or: [{ count: 6 }, { 'order.paid': false }] }, false],
  ['$or of missing paths', { $or: [{ nope: 1 }, { also: { $exists: true } }] }, false],
  ['$not negates', { $not: { count: 5 } }, false],
  ['$not of a missing path', { $not: { nope: { $exists: true } } }, true],
  ['$not $not', { $not: { $not: { count: 5 } } }, true],
  ['empty filter inside $and', { $and: [{}] }, true],
  ['$not of the empty filter', { $not: {} }, false],
  ['path keys and logical keys together', { count: 5, $or: [{ code: 5 }, { code: '5' }] }, true],
  ['path keys and logical keys, path fails', { count: 4, $or: [{ code: '5' }] }, false],
  ['five levels deep', { $and: [{ $or: [{ $not: { $and: [{ $or: [{ count: 5 }] }] } }] }] }, false],
  ['nested with arrays and ranges', { $or: [{ 'items.0.qty': { $gte: 3 } }, { $and: [{ 'items.1.sku': { $startsWith: 'B' } }, { 'items.1.qty': 0 }] }] }, true],
  // Prototype-polluting keys in data are plain own data, and never reached by a path.
  ['__proto__ in data does not pollute', { admin: { $exists: true } }, false, HOSTILE],
  ['a nested __proto__ is not inherited', { 'user.role': { $exists: true } }, false, HOSTILE],
  ['siblings of __proto__ resolve', { 'user.name': 'eve' }, true, HOSTILE],
  ['an own hasOwnProperty key is plain data', { hasOwnProperty: 1 }, true, HOSTILE],
  ['$nin on hostile data', { admin: { $nin: [true] } }, true, HOSTILE],
];

describe('matchesFilter: the case table', () => {
  for (const [name, filter, expected, data] of MATCH_CASES) {
    test(name, () => assert.equal(matches(filter, data ?? ORDER), expected, JSON.stringify(filter)));
  }

  test('evaluation reads no prototype and pollutes none', () => {
    // Unvalidated filters naming reserved segments: the evaluator refuses them too.
    const unchecked = [{ '__proto__.admin': true }, { constructor: { $exists: true } }, { 'user.__proto__.role': 'root' }] as Filter[];
    for (const filter of unchecked) assert.equal(matchesFilter(filter, HOSTILE), false, JSON.stringify(filter));
    assert.equal(matchesFilter({ 'a.constructor.name': 'Object' } as Filter, { a: {} }), false);
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });

  test('unvalidated filters nested past the limit, or cyclic, do not match and do not throw', () => {
    const cyclic: Filter = {};
    cyclic.$not = cyclic;
    assert.equal(typeof matchesFilter(cyclic, ORDER), 'boolean');
    let deep: Filter = { count: 5 };
    for (let i = 0; i <= MAX_FILTER_DEPTH; i++) deep = { $and: [deep] };
    assert.equal(matchesFilter(deep, ORDER), false);
  });
});

type InvalidCase = [name: string, filter: unknown, issues: [path: (string | number)[], message: string][]];

const LITERAL = 'must be a string, number, boolean or null';
const PATH_OPERATOR_LIST = '$eq, $neq, $gt, $gte, $lt, $lte, $in, $nin, $exists, $startsWith';
const SEGMENT = (n: number) => `segment ${n} must be 1 to 100 characters of A-Z, a-z, 0-9, _ or -`;
const RESERVED = (s: string) => `segment "${s}" is not allowed: __proto__, constructor and prototype are refused`;
const IN_LIST = 'must be an array of 1 to 100 strings, numbers, booleans or nulls';
const TOO_DEEP = 'nests $and/$or/$not more than 5 levels deep';
const TOO_BIG = 'must be at most 4096 bytes (4 KiB) as JSON';

/** `{k0: 0, k1: 1, …}` with `n` literal conditions. */
const literals = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
/** `{"a": "xxx…"}` whose JSON is exactly `bytes` long. */
const ofBytes = (bytes: number) => ({ a: 'x'.repeat(bytes - '{"a":""}'.length) });
/** `$not` nested `levels` deep around `{a: 1}`. */
function nots(levels: number): unknown {
  let filter: unknown = { a: 1 };
  for (let i = 0; i < levels; i++) filter = { $not: filter };
  return filter;
}

const INVALID_CASES: InvalidCase[] = [
  ['null', null, [[[], 'must be a filter object']]],
  ['an array', [{ a: 1 }], [[[], 'must be a filter object']]],
  ['a string', 'a == 1', [[[], 'must be a filter object']]],
  ['undefined', undefined, [[[], 'must be a filter object']]],
  ['a Date', new Date(0), [[[], 'must be a filter object']]],
  // Operands
  ['$gte boolean', { 'order.total': { $gte: true } }, [[['order.total', '$gte'], 'must be a number or a string']]],
  ['$gt null', { a: { $gt: null } }, [[['a', '$gt'], 'must be a number or a string']]],
  ['$lt array', { a: { $lt: [1] } }, [[['a', '$lt'], 'must be a number or a string']]],
  ['$lte object', { a: { $lte: {} } }, [[['a', '$lte'], 'must be a number or a string']]],
  ['$gt NaN', { a: { $gt: NaN } }, [[['a', '$gt'], 'must be a number or a string']]],
  ['$eq object', { a: { $eq: { b: 1 } } }, [[['a', '$eq'], LITERAL]]],
  ['$neq array', { a: { $neq: [] } }, [[['a', '$neq'], LITERAL]]],
  ['$in empty', { a: { $in: [] } }, [[['a', '$in'], IN_LIST]]],
  ['$in not an array', { a: { $in: 'x' } }, [[['a', '$in'], IN_LIST]]],
  ['$nin 101 values', { a: { $nin: Array.from({ length: 101 }, (_, i) => i) } }, [[['a', '$nin'], IN_LIST]]],
  ['$in bad items', { a: { $in: [1, {}, 'x', [2]] } }, [[['a', '$in', 1], LITERAL], [['a', '$in', 3], LITERAL]]],
  ['$exists string', { a: { $exists: 'yes' } }, [[['a', '$exists'], 'must be true or false']]],
  ['$startsWith number', { a: { $startsWith: 5 } }, [[['a', '$startsWith'], 'must be a string']]],
  ['$regex is not an operator', { a: { $regex: '.*' } }, [[['a', '$regex'], `is not a known operator (${PATH_OPERATOR_LIST})`]]],
  ['$where is not an operator', { a: { $where: 'this.a > 1' } }, [[['a', '$where'], `is not a known operator (${PATH_OPERATOR_LIST})`]]],
  ['$and inside a path', { a: { $and: [] } }, [[['a', '$and'], `is not a known operator (${PATH_OPERATOR_LIST})`]]],
  [
    'a nested object is not a value',
    { order: { total: 5 } },
    [[['order', 'total'], 'is not an operator; to reach a nested field, use a dotted path such as "order.total"']],
  ],
  ['no operators', { a: {} }, [[['a'], 'must hold at least one operator']]],
  ['an array value', { a: [1, 2] }, [[['a'], `must be a string, number, boolean, null or an object of operators (${PATH_OPERATOR_LIST})`]]],
  ['NaN value (from code)', { a: NaN }, [[['a'], `must be a string, number, boolean, null or an object of operators (${PATH_OPERATOR_LIST})`]]],
  // Logical operators
  ['$or empty', { $or: [] }, [[['$or'], 'must hold 1 to 20 filters']]],
  ['$or not an array', { $or: { a: 1 } }, [[['$or'], 'must hold 1 to 20 filters']]],
  ['$and 21 filters', { $and: Array.from({ length: 21 }, () => ({ a: 1 })) }, [[['$and'], 'must hold 1 to 20 filters']]],
  ['$and item not an object', { $and: [{ a: 1 }, 1] }, [[['$and', 1], 'must be a filter object']]],
  ['$not not an object', { $not: [{ a: 1 }] }, [[['$not'], 'must be a filter object']]],
  ['$foo', { $foo: 1 }, [[['$foo'], 'is not a known operator ($and, $or, $not)']]],
  ['$eq at filter level', { $eq: 1 }, [[['$eq'], 'is not a known operator ($and, $or, $not)']]],
  ['$nor', { $not: { $nor: [] } }, [[['$not', '$nor'], 'is not a known operator ($and, $or, $not)']]],
  [
    'deep path to the bad part',
    { $and: [{ a: 1 }, { $or: [{ b: 2 }, { c: { $gt: null } }] }] },
    [[['$and', 1, '$or', 1, 'c', '$gt'], 'must be a number or a string']],
  ],
  // Paths
  ['__proto__ segment', { 'a.__proto__': 1 }, [[['a.__proto__'], RESERVED('__proto__')]]],
  ['constructor segment', { constructor: { $exists: true } }, [[['constructor'], RESERVED('constructor')]]],
  ['prototype segment', { 'a.prototype.b': 1 }, [[['a.prototype.b'], RESERVED('prototype')]]],
  [
    '__proto__ key from JSON.parse',
    JSON.parse('{"__proto__": {"polluted": 1}}'),
    [
      [['__proto__'], RESERVED('__proto__')],
      [['__proto__', 'polluted'], 'is not an operator; to reach a nested field, use a dotted path such as "order.total"'],
    ],
  ],
  ['empty path', { '': 1 }, [[[''], SEGMENT(1)]]],
  ['empty segment', { 'a..b': 1 }, [[['a..b'], SEGMENT(2)]]],
  ['trailing dot', { 'a.': 1 }, [[['a.'], SEGMENT(2)]]],
  ['space', { 'a b': 1 }, [[['a b'], SEGMENT(1)]]],
  ['non-ASCII', { 'order.größe': 1 }, [[['order.größe'], SEGMENT(2)]]],
  ['101-character segment', { ['x'.repeat(101)]: 1 }, [[['x'.repeat(101)], SEGMENT(1)]]],
  ['11 segments', { 'a.b.c.d.e.f.g.h.i.j.k': 1 }, [[['a.b.c.d.e.f.g.h.i.j.k'], 'has 11 segments; a path has at most 10']]],
  ['bad path and bad value both reported', { 'a..b': { $gt: null } }, [[['a..b'], SEGMENT(2)], [['a..b', '$gt'], 'must be a number or a string']]],
  ['issues are collected', { $foo: 1, a: { $lt: true } }, [[['$foo'], 'is not a known operator ($and, $or, $not)'], [['a', '$lt'], 'must be a number or a string']]],
  // Limits
  ['6 levels of $not', nots(6), [[['$not', '$not', '$not', '$not', '$not', '$not'], TOO_DEEP]]],
  [
    '6 levels of $and/$or',
    { $and: [{ $or: [{ $and: [{ $or: [{ $and: [{ a: 1 }, { $or: [{ a: 2 }] }] }] }] }] }] },
    [[['$and', 0, '$or', 0, '$and', 0, '$or', 0, '$and', 1, '$or'], TOO_DEEP]],
  ],
  ['51 conditions', literals(51), [[[], 'has 51 conditions; at most 50 are allowed (each path operator counts one)']]],
  [
    'operators count one each',
    Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`k${i}`, { $gt: 0, $lt: 9 }])),
    [[[], 'has 52 conditions; at most 50 are allowed (each path operator counts one)']],
  ],
  [
    'conditions count across $and/$or/$not',
    { $and: [literals(20), { $or: [literals(20)] }], $not: literals(11) },
    [[[], 'has 51 conditions; at most 50 are allowed (each path operator counts one)']],
  ],
  ['4097 bytes', ofBytes(MAX_FILTER_BYTES + 1), [[[], TOO_BIG]]],
  ['4096 bytes counted in UTF-8', { a: 'é'.repeat(2045) }, [[[], TOO_BIG]]],
  ['oversized and otherwise invalid: size alone', { ...ofBytes(5000), $foo: 1 }, [[[], TOO_BIG]]],
  ['100 000 levels of nesting', JSON.parse(`${'{"$not":'.repeat(100_000)}{}${'}'.repeat(100_000)}`), [[[], TOO_BIG]]],
  ['an array 100 000 levels deep', { a: { $in: JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) } }, [[[], TOO_BIG]]],
];

function issuesOf(filter: unknown): [(string | number)[], string][] {
  const result = filterSchema.safeParse(filter);
  if (result.success) return [];
  return result.error.issues.map((issue) => [issue.path as (string | number)[], issue.message]);
}

describe('filterSchema: invalid filters and the issue each gives', () => {
  for (const [name, filter, expected] of INVALID_CASES) {
    test(name, () => assert.deepEqual(issuesOf(filter), expected));
  }

  test('a cyclic filter from code is refused, not looped over', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.$not = cyclic;
    assert.deepEqual(issuesOf(cyclic), [[[], TOO_BIG]]);
  });

  test('inside another schema, paths start at the field', () => {
    const subscription = z.object({ url: z.string(), filter: filterSchema.optional() });
    const result = subscription.safeParse({ url: 'https://x', filter: { 'order.total': { $gte: '1', $in: [] } } });
    assert.equal(result.success, false);
    assert.deepEqual(
      result.error?.issues.map((issue) => [issue.path, issue.message]),
      [[['filter', 'order.total', '$in'], IN_LIST]],
    );
    assert.equal(subscription.safeParse({ url: 'https://x' }).success, true);
  });

  test('renders as JSON Schema for the OpenAPI document', () => {
    for (const io of ['input', 'output'] as const) {
      const schema = z.toJSONSchema(filterSchema, { io, target: 'openapi-3.0', unrepresentable: 'any' });
      assert.equal(schema.type, 'object');
    }
  });
});

describe('filterSchema: valid filters at every limit', () => {
  const VALID: [name: string, filter: unknown][] = [
    ['empty', {}],
    ['10 segments', { 'a.b.c.d.e.f.g.h.i.j': 1 }],
    ['100-character segment', { ['x'.repeat(100)]: 1 }],
    ['all path characters', { 'Az09_-.0': { $exists: true } }],
    ['every operator at once', { a: { $eq: 1, $neq: 2, $gt: 0, $gte: 0, $lt: 'z', $lte: 'z', $in: [1], $nin: [null], $exists: true, $startsWith: '' } }],
    ['20 filters in $or', { $or: Array.from({ length: 20 }, (_, i) => ({ a: i })) }],
    ['100 values in $in', { a: { $in: Array.from({ length: 100 }, (_, i) => i) } }],
    ['5 levels deep', nots(MAX_FILTER_DEPTH)],
    ['50 conditions', literals(MAX_FILTER_CONDITIONS)],
    ['4096 bytes', ofBytes(MAX_FILTER_BYTES)],
    ['4095 bytes of UTF-8', { a: `x${'é'.repeat(2043)}` }],
    ['null prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
  ];
  for (const [name, filter] of VALID) {
    test(name, () => {
      const result = filterSchema.safeParse(filter);
      assert.deepEqual(result.error?.issues, undefined);
      assert.equal(result.data, filter, 'the parsed filter is the input, unchanged');
    });
  }
});

/** Runs per property of the language's logic; the never-throws properties take 1,000. */
const RUNS = { numRuns: 500 };

describe('properties: the logical operators', () => {
  test('every generated filter is valid (the generators stay inside the language)', () => {
    fc.assert(fc.property(filterArb(3), (filter) => assert.deepEqual(issuesOf(filter), [])), RUNS);
  });

  test('$not: f is the negation of f', () => {
    fc.assert(fc.property(filterArb(3), dataArb, (f, data) => matches({ $not: f }, data) === !matches(f, data)), RUNS);
  });

  test('$and: [f] and $or: [f] are f', () => {
    fc.assert(
      fc.property(filterArb(3), dataArb, (f, data) => {
        const expected = matches(f, data);
        return matches({ $and: [f] }, data) === expected && matches({ $or: [f] }, data) === expected;
      }),
      RUNS,
    );
  });

  test('$and / $or agree with every / some, and De Morgan holds', () => {
    fc.assert(
      fc.property(fc.array(filterArb(2), { minLength: 1, maxLength: 3 }), dataArb, (fs, data) => {
        const each = fs.map((f) => matches(f, data));
        assert.equal(matches({ $and: fs }, data), each.every(Boolean));
        assert.equal(matches({ $or: fs }, data), each.some(Boolean));
        assert.equal(matches({ $not: { $or: fs } }, data), matches({ $and: fs.map((f) => ({ $not: f })) }, data));
      }),
      RUNS,
    );
  });

});

describe('properties: negated and inclusive operators', () => {
  test('$neq, $nin and $exists: false are the negations of $eq, $in and $exists: true, missing paths included', () => {
    fc.assert(
      fc.property(pathArb, literalArb, fc.array(literalArb, { minLength: 1, maxLength: 3 }), dataArb, (path, value, values, data) => {
        assert.equal(matches({ [path]: { $neq: value } }, data), !matches({ [path]: value }, data));
        assert.equal(matches({ [path]: { $nin: values } }, data), !matches({ [path]: { $in: values } }, data));
        assert.equal(matches({ [path]: { $exists: false } }, data), !matches({ [path]: { $exists: true } }, data));
        assert.equal(matches({ [path]: { $in: values } }, data), values.some((v) => matches({ [path]: v }, data)));
      }),
      RUNS,
    );
  });

  test('$gte is $gt or $eq, and $lte is $lt or $eq', () => {
    const comparable = fc.constantFrom(0, 1, -1.5, '', 'a', 'ab', 'b');
    fc.assert(
      fc.property(pathArb, comparable, dataArb, (path, operand, data) => {
        const eq = matches({ [path]: operand }, data);
        assert.equal(matches({ [path]: { $gte: operand } }, data), eq || matches({ [path]: { $gt: operand } }, data));
        assert.equal(matches({ [path]: { $lte: operand } }, data), eq || matches({ [path]: { $lt: operand } }, data));
      }),
      RUNS,
    );
  });

});

describe('properties: nothing throws on arbitrary input', () => {
  test('matchesFilter never throws on arbitrary JSON data, __proto__ keys included', () => {
    const jsonObject = fc.jsonValue().filter((v): v is Record<string, fc.JsonValue> => v !== null && typeof v === 'object' && !Array.isArray(v));
    fc.assert(
      fc.property(filterArb(3), fc.oneof(jsonObject, parsedJsonObjectArb, dataArb), (f, data) => {
        assert.equal(typeof matches(f, data), 'boolean');
      }),
      { numRuns: 1000 },
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('matchesFilter never throws even on arbitrary JSON filters that skipped the schema', () => {
    const jsonFilter = fc.oneof(fc.jsonValue({ maxDepth: 6 }), filterArb(2), parsedJsonObjectArb);
    fc.assert(
      fc.property(jsonFilter, fc.oneof(dataArb, parsedJsonObjectArb), (filter, data) => {
        assert.equal(typeof matchesFilter(filter as Filter, data), 'boolean');
      }),
      { numRuns: 1000 },
    );
  });

  test('filterSchema never throws on arbitrary JSON, and every issue has a path', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), parsedJsonObjectArb), (input) => {
        const result = filterSchema.safeParse(input);
        for (const issue of result.error?.issues ?? []) assert.ok(Array.isArray(issue.path) && issue.message.length > 0);
      }),
      { numRuns: 1000 },
    );
  });

  test('the byte counter agrees with JSON.stringify', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        assert.equal(jsonBytesUpTo(value, Infinity), Buffer.byteLength(JSON.stringify(value), 'utf8'));
      }),
      { numRuns: 1000 },
    );
  });
});
