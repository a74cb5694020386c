import { cancelBulkRetry, getBulkRetry } from '../../operations/retries';
import { bulkRetryJobSchema, replaySchema } from '../../model';
import { cancelReplay, getReplay } from '../../operations/replays';
import { NotFoundError } from '../../model/errors';
import { idRoute, type Scope } from '../route';

/** A bulk retry is a tenant's if its filter was confined to that tenant. */
function ownJob<J extends { id: string; filter: { tenantId?: string } }>(job: J, scope: Scope): J {
  if (scope.tenantId !== undefined && job.filter.tenantId !== scope.tenantId) throw new NotFoundError('bulk retry', job.id);
  return job;
}

/** Replays and bulk retries: jobs that run as workflows, read and cancelled by id. */
export const jobRoutes = [
  idRoute({
    method: 'get',
    path: '/v1/replays/{id}',
    summary: "A replay's progress",
    status: 200,
    description: 'The replay',
    schema: replaySchema,
    problems: [404, 503],
    run: (id, context) => getReplay(context, id),
  }),
  idRoute({
    method: 'post',
    path: '/v1/replays/{id}/cancel',
    summary: 'Stop a replay and cancel its re-deliveries in flight',
    status: 202,
    description: 'Cancelling',
    schema: replaySchema,
    problems: [404, 409, 503],
    run: (id, context) => cancelReplay(context, id),
  }),
  idRoute({
    method: 'get',
    path: '/v1/retries/{id}',
    summary: "A bulk retry's progress",
    status: 200,
    description: 'The bulk retry',
    schema: bulkRetryJobSchema,
    problems: [404, 503],
    access: 'tenant',
    run: async (id, context, scope) => ownJob(await getBulkRetry(context, id), scope),
  }),
  idRoute({
    method: 'post',
    path: '/v1/retries/{id}/cancel',
    summary: 'Stop a bulk retry: it starts no more deliveries',
    status: 202,
    description: 'Cancelling',
    schema: bulkRetryJobSchema,
    problems: [404, 409, 503],
    access: 'tenant',
    run: async (id, context, scope) => {
      ownJob(await getBulkRetry(context, id), scope);
      return cancelBulkRetry(context, id);
    },
  }),
];
