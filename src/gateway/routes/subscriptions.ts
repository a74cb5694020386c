import { NotFoundError, ValidationError } from '../../errors';
import { nonPublicHostReason } from '../../http/private-address';
import { urlForLog } from '../../logger';
import {
  createdSubscriptionSchema,
  createSubscriptionSchema,
  pageQuerySchema,
  pageSchema,
  replayInputSchema,
  replaySchema,
  rotateSecretSchema,
  subscriptionSchema,
  updateSubscriptionSchema,
} from '../../model';
import { startReplay } from '../../replay';
import { generateSecret } from '../../signing';
import { type GatewayContext, route } from '../route';

/**
 * Refuses a receiver URL whose host can never be public, at the API rather than at the first
 * attempt. Only what the URL says is judged (no DNS here); the worker checks resolved addresses.
 */
function checkReceiverUrl(url: string | undefined, context: GatewayContext): void {
  if (url === undefined || context.allowPrivateNetworks) return;
  const reason = nonPublicHostReason(new URL(url));
  if (reason) throw new ValidationError([{ in: 'body', field: 'url', message: `must point at a public host: ${reason}` }]);
}

export const subscriptionRoutes = [
  route({
    method: 'post',
    path: '/v1/subscriptions',
    summary: 'Create a subscription',
    body: createSubscriptionSchema,
    responses: { 201: { description: 'Created; the secret is shown only here', schema: createdSubscriptionSchema } },
    problems: [],
    async handle({ body }, context) {
      checkReceiverUrl(body.url, context);
      const secret = body.secret ?? generateSecret();
      const subscription = await context.ledger.createSubscription({ ...body, secret });
      context.logger.info({ subscriptionId: subscription.id, url: urlForLog(subscription.url) }, 'subscription created');
      return { status: 201, location: `/v1/subscriptions/${subscription.id}`, body: { ...subscription, secret } };
    },
  }),
  route({
    method: 'get',
    path: '/v1/subscriptions',
    summary: 'List subscriptions, newest first',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of subscriptions', schema: pageSchema(subscriptionSchema) } },
    problems: [],
    async handle({ query }, { ledger }) {
      return { status: 200, body: await ledger.listSubscriptions(query) };
    },
  }),
  route({
    method: 'get',
    path: '/v1/subscriptions/{id}',
    summary: 'Get a subscription',
    responses: { 200: { description: 'The subscription', schema: subscriptionSchema } },
    problems: [404],
    async handle({ params }, { ledger }) {
      const subscription = await ledger.getSubscription(params.id!);
      if (!subscription) throw new NotFoundError('subscription', params.id!);
      return { status: 200, body: subscription };
    },
  }),
  route({
    method: 'patch',
    path: '/v1/subscriptions/{id}',
    summary: 'Change a subscription; `status: active` re-enables it',
    body: updateSubscriptionSchema,
    responses: { 200: { description: 'The subscription', schema: subscriptionSchema } },
    problems: [404],
    async handle({ params, body }, context) {
      checkReceiverUrl(body.url, context);
      const subscription = await context.ledger.updateSubscription(params.id!, body);
      if (!subscription) throw new NotFoundError('subscription', params.id!);
      return { status: 200, body: subscription };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/subscriptions/{id}',
    summary: 'Delete a subscription',
    responses: { 204: { description: 'Deleted' } },
    problems: [404],
    async handle({ params }, { ledger }) {
      if (!(await ledger.deleteSubscription(params.id!))) throw new NotFoundError('subscription', params.id!);
      return { status: 204 };
    },
  }),
  route({
    method: 'post',
    path: '/v1/subscriptions/{id}/secret/rotate',
    summary: 'Replace the signing secret; the previous one keeps signing beside it for a grace window',
    body: rotateSecretSchema,
    responses: { 200: { description: 'Rotated; the new secret is shown only here', schema: createdSubscriptionSchema } },
    problems: [404],
    async handle({ params, body }, context) {
      const secret = body.secret ?? generateSecret();
      const previousUntil = new Date(Date.now() + (body.grace ?? context.secretRotationGraceMs)).toISOString();
      const subscription = await context.ledger.rotateSecret(params.id!, secret, previousUntil);
      if (!subscription) throw new NotFoundError('subscription', params.id!);
      context.logger.info({ subscriptionId: subscription.id, previousUntil }, 'signing secret rotated');
      return { status: 200, body: { ...subscription, secret } };
    },
  }),
  route({
    method: 'post',
    path: '/v1/subscriptions/{id}/replay',
    summary: "Re-deliver the subscription's events of a time window (bounded), as a cancellable replay",
    body: replayInputSchema,
    responses: { 202: { description: 'The replay, started', schema: replaySchema } },
    problems: [404, 409, 503],
    async handle({ params, body }, context) {
      const replay = await startReplay(context, params.id!, body);
      context.logger.info({ subscriptionId: params.id, replayId: replay.id }, 'replay started');
      return { status: 202, location: `/v1/replays/${replay.id}`, body: replay };
    },
  }),
];
