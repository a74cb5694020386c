import { z } from 'zod';
import type { Filter } from './types';
import { filterIssues } from './validate';

/**
 * The filter schema: any JSON in, a `Filter` out (the same object, unchanged, so what is stored and
 * shown back is what the client sent). The checks are hand-written (validate.ts) rather than a
 * recursive zod union, so every issue names the bad part and says what is wrong in plain words.
 */
export const filterSchema = z
  .unknown()
  .superRefine((input, ctx) => {
    for (const issue of filterIssues(input)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input });
  })
  .transform((input) => input as Filter)
  .meta({
    type: 'object',
    description:
      'Matches the event data: path keys (order.total, items.0.sku) hold a literal or operators ($eq, $neq, $gt, $gte, $lt, $lte, $in, $nin, $exists, $startsWith); $and, $or, $not combine filters. {} matches everything.',
    examples: [{ 'order.total': { $gte: 100 }, $or: [{ 'customer.tier': 'gold' }, { 'customer.country': { $in: ['DE', 'FR'] } }] }],
  });
