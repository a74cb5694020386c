import { startBulkRetry } from '../../operations/retries';
import { cancelDelivery, retryDelivery } from '../../operations/deliveries';
import { bulkRetryJobSchema, bulkRetrySchema, deliveryFilterSchema, deliverySchema, deliveryWithAttemptsSchema, pageSchema } from '../../model';
import { idRoute, route } from '../route';
import { ownDelivery, scoped } from '../tenancy';

export const deliveryRoutes = [
  route({
    method: 'get',
    path: '/v1/deliveries',
    summary: 'List deliveries, newest first',
    access: 'tenant',
    query: deliveryFilterSchema,
    responses: { 200: { description: 'A page of deliveries', schema: pageSchema(deliverySchema) } },
    problems: [],
    async handle({ query, scope }, { ledger }) {
      return { status: 200, body: await ledger.deliveries.list(scoped(query, scope)) };
    },
  }),
  route({
    method: 'post',
    path: '/v1/deliveries/retry',
    summary: 'Retry the failed (or cancelled) deliveries matching a filter, at most `limit`, as a job that answers at once',
    access: 'tenant',
    body: bulkRetrySchema,
    responses: { 202: { description: 'The bulk retry job, started', schema: bulkRetryJobSchema } },
    problems: [503],
    async handle({ body, scope }, context) {
      const job = await startBulkRetry(context, scoped(body, scope), scope.tenantId !== undefined);
      return { status: 202, location: `/v1/retries/${job.id}`, body: job };
    },
  }),
  route({
    method: 'get',
    path: '/v1/deliveries/{id}',
    summary: 'A delivery with its attempts',
    access: 'tenant',
    responses: { 200: { description: 'The delivery', schema: deliveryWithAttemptsSchema } },
    problems: [404],
    async handle({ params, scope }, context) {
      const delivery = await ownDelivery(context, scope, params.id);
      return { status: 200, body: { ...delivery, attempts: await context.ledger.attempts.list(delivery.id) } };
    },
  }),
  idRoute({
    method: 'post',
    path: '/v1/deliveries/{id}/cancel',
    summary: 'Cancel a delivery that has not ended (sending, between retries, awaiting confirmation, or left without a workflow)',
    status: 202,
    description: 'Cancelling',
    schema: deliverySchema,
    problems: [404, 409, 503],
    access: 'tenant',
    run: async (id, context, scope) => cancelDelivery(context, (await ownDelivery(context, scope, id)).id),
  }),
  idRoute({
    method: 'post',
    path: '/v1/deliveries/{id}/retry',
    summary: 'Run a delivery that has not succeeded again (409 while its workflow runs): same webhook-id, attempt numbers continuing',
    status: 202,
    description: 'Started',
    schema: deliverySchema,
    problems: [404, 409, 503],
    access: 'tenant',
    run: async (id, context, scope) => retryDelivery(context, (await ownDelivery(context, scope, id)).id),
  }),
];
