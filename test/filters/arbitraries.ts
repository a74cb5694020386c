import fc from 'fast-check';

/**
 * Small, colliding domains on purpose: filters and data drawn from the same few paths and values
 * match each other often, so the properties see both outcomes of every operator.
 */
const KEYS = ['a', 'b', 'c', '0'] as const;
const PATHS = ['a', 'b', 'c', '0', 'a.b', 'a.0', 'b.a', 'c.1', 'a.b.c', 'missing'] as const;
const SCALARS = [0, 1, 2, -1.5, '0', '1', 'a', 'ab', 'b', '', 'é', true, false, null] as const;

export const literalArb = fc.constantFrom(...SCALARS);
const comparableArb = fc.constantFrom(0, 1, 2, -1.5, '0', '1', 'a', 'ab', 'b', '');
const literalListArb = fc.array(literalArb, { minLength: 1, maxLength: 4 });
export const pathArb = fc.constantFrom(...PATHS);

/** One operator with an operand of its kind. */
const singleOperatorArb = fc.oneof(
  fc.record({ $eq: literalArb }),
  fc.record({ $neq: literalArb }),
  fc.record({ $gt: comparableArb }),
  fc.record({ $gte: comparableArb }),
  fc.record({ $lt: comparableArb }),
  fc.record({ $lte: comparableArb }),
  fc.record({ $in: literalListArb }),
  fc.record({ $nin: literalListArb }),
  fc.record({ $exists: fc.boolean() }),
  fc.record({ $startsWith: fc.constantFrom('', 'a', '0', 'é') }),
);
const operatorsArb = fc.tuple(singleOperatorArb, fc.option(singleOperatorArb, { nil: undefined })).map(([first, second]) => ({ ...first, ...second }));
const conditionArb = fc.oneof(literalArb, operatorsArb);
const pathConditionsArb = fc.dictionary(pathArb, conditionArb, { maxKeys: 2 });

/** A valid filter nesting $and/$or/$not at most `depth` deep (and well inside the other limits). */
export function filterArb(depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth === 0) return pathConditionsArb;
  const inner = filterArb(depth - 1);
  const logical = fc.oneof(
    fc.record({ $and: fc.array(inner, { minLength: 1, maxLength: 2 }) }),
    fc.record({ $or: fc.array(inner, { minLength: 1, maxLength: 2 }) }),
    fc.record({ $not: inner }),
  );
  return fc.oneof(pathConditionsArb, fc.tuple(pathConditionsArb, logical).map(([paths, ops]) => ({ ...paths, ...ops })));
}

const dataValueArb = fc.oneof(
  literalArb,
  fc.array(literalArb, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(literalArb, fc.dictionary(fc.constantFrom(...KEYS), literalArb, { maxKeys: 2 })), {
    maxKeys: 3,
  }),
);
/** Event data over the same keys the filters use. */
export const dataArb = fc.dictionary(fc.constantFrom(...KEYS), dataValueArb, { maxKeys: 4 });

/**
 * Arbitrary JSON objects as an event body would arrive: written as JSON text and parsed, so keys
 * like `__proto__` become own properties exactly as JSON.parse makes them.
 */
export const parsedJsonObjectArb = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'a', '0', 'length', 'hasOwnProperty'), fc.string()),
      fc.jsonValue({ maxDepth: 4 }),
    ),
    { maxLength: 6 },
  )
  .map((entries) => {
    const text = `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
    return JSON.parse(text) as Record<string, unknown>;
  });
