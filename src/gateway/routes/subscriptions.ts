import { maskedHeaders } from '../../delivery/custom-headers';
import { ConflictError, NotFoundError, ValidationError } from '../../model/errors';
import { nonPublicHostReason } from '../../http/private-address';
import { urlForLog } from '../../core/logger';
import {
  createdSubscriptionSchema,
  createSubscriptionSchema,
  endpointStatsSchema,
  eventSchema,
  pageSchema,
  replayInputSchema,
  replaySchema,
  rotateSecretSchema,
  subscriptionSchema,
  subscriptionSecretSchema,
  tenantPageQuerySchema,
  testEventSchema,
  updateSubscriptionSchema,
} from '../../model';
import { eventView, publishEvent } from '../../operations/events';
import { startReplay } from '../../operations/replays';
import { generateSecret } from '../../security/signing';
import { takeTestEvent } from '../../operations/quotas';
import { type GatewayContext, route } from '../route';
import { ownSubscription, scoped, tenantForNewSubscription } from '../tenancy';

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
    access: 'tenant',
    body: createSubscriptionSchema,
    responses: { 201: { description: 'Created; the secret is shown only here', schema: createdSubscriptionSchema } },
    problems: [404],
    async handle({ body, scope }, context) {
      checkReceiverUrl(body.url, context);
      const tenantId = await tenantForNewSubscription(context, scope, body.tenantId);
      const secret = body.secret ?? generateSecret();
      const subscription = await context.ledger.subscriptions.create({ ...body, tenantId, secret }, scope.tenantId !== undefined);
      context.logger.info({ subscriptionId: subscription.id, url: urlForLog(subscription.url) }, 'subscription created');
      return { status: 201, location: `/v1/subscriptions/${subscription.id}`, body: { ...subscription, secret } };
    },
  }),
  route({
    method: 'get',
    path: '/v1/subscriptions',
    summary: 'List subscriptions, newest first (custom header values masked)',
    access: 'tenant',
    query: tenantPageQuerySchema,
    responses: { 200: { description: 'A page of subscriptions', schema: pageSchema(subscriptionSchema) } },
    problems: [],
    async handle({ query, scope }, { ledger }) {
      const page = await ledger.subscriptions.list(scoped(query, scope));
      // Header values are often credentials: a list (scraped, cached, pasted) shows only their names.
      return { status: 200, body: { ...page, data: page.data.map((s) => ({ ...s, headers: maskedHeaders(s.headers) })) } };
    },
  }),
  route({
    method: 'get',
    path: '/v1/subscriptions/{id}',
    summary: 'Get a subscription',
    access: 'tenant',
    responses: { 200: { description: 'The subscription', schema: subscriptionSchema } },
    problems: [404],
    async handle({ params, scope }, context) {
      return { status: 200, body: await ownSubscription(context, scope, params.id) };
    },
  }),
  route({
    method: 'patch',
    path: '/v1/subscriptions/{id}',
    summary: 'Change a subscription; `status: active` re-enables it',
    access: 'tenant',
    body: updateSubscriptionSchema,
    responses: { 200: { description: 'The subscription', schema: subscriptionSchema } },
    problems: [404],
    async handle({ params, body, scope }, context) {
      await ownSubscription(context, scope, params.id);
      checkReceiverUrl(body.url, context);
      const subscription = await context.ledger.subscriptions.update(params.id, body);
      if (!subscription) throw new NotFoundError('subscription', params.id);
      return { status: 200, body: subscription };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/subscriptions/{id}',
    summary: 'Delete a subscription',
    access: 'tenant',
    responses: { 204: { description: 'Deleted' } },
    problems: [404],
    async handle({ params, scope }, context) {
      await ownSubscription(context, scope, params.id);
      if (!(await context.ledger.subscriptions.delete(params.id))) throw new NotFoundError('subscription', params.id);
      return { status: 204 };
    },
  }),
  route({
    method: 'post',
    path: '/v1/subscriptions/{id}/secret/rotate',
    summary: 'Replace the signing secret; the previous one keeps signing beside it for a grace window',
    access: 'tenant',
    body: rotateSecretSchema,
    responses: { 200: { description: 'Rotated; the new secret is shown only here', schema: createdSubscriptionSchema } },
    problems: [404],
    async handle({ params, body, scope }, context) {
      await ownSubscription(context, scope, params.id);
      const secret = body.secret ?? generateSecret();
      const previousUntil = new Date(Date.now() + (body.grace ?? context.secretRotationGraceMs)).toISOString();
      const subscription = await context.ledger.subscriptions.rotateSecret(params.id, secret, previousUntil);
      if (!subscription) throw new NotFoundError('subscription', params.id);
      context.logger.info({ subscriptionId: subscription.id, previousUntil }, 'signing secret rotated');
      return { status: 200, body: { ...subscription, secret } };
    },
  }),
  route({
    method: 'get',
    path: '/v1/subscriptions/{id}/secret',
    summary: 'Reveal the signing secret (and until when the previous one still signs)',
    access: 'tenant',
    responses: { 200: { description: 'The secret', schema: subscriptionSecretSchema } },
    problems: [404],
    async handle({ params, scope }, context) {
      await ownSubscription(context, scope, params.id);
      const target = (await context.ledger.subscriptions.target(params.id))!;
      context.logger.info({ subscriptionId: target.id }, 'signing secret revealed');
      return { status: 200, body: { secret: target.secret, previousSecretExpiresAt: target.previousSecretExpiresAt } };
    },
  }),
  route({
    method: 'post',
    path: '/v1/subscriptions/{id}/test',
    summary: 'Send a test event to this endpoint only; follow it with GET /v1/deliveries?eventId=…',
    access: 'tenant',
    body: testEventSchema,
    responses: { 202: { description: 'Accepted', schema: eventSchema } },
    problems: [404, 409],
    async handle({ params, body, scope }, context) {
      const subscription = await ownSubscription(context, scope, params.id);
      if (subscription.status !== 'active') throw new ConflictError(`Subscription ${subscription.id} is disabled; enable it to test it.`);
      if (scope.tenantId !== undefined) await takeTestEvent(context.ledger, scope.tenantId);
      const { event } = await publishEvent(context, {
        tenantId: subscription.tenantId,
        targetSubscriptionId: subscription.id,
        type: body.eventType,
        data: body.data,
      });
      context.logger.info({ subscriptionId: subscription.id, eventId: event.id }, 'test event sent');
      return { status: 202, location: `/v1/deliveries?eventId=${event.id}`, body: eventView(event) };
    },
  }),
  route({
    method: 'get',
    path: '/v1/subscriptions/{id}/stats',
    summary: "The endpoint's attempts over the last 24 hours, by the hour: success rate and latency",
    access: 'tenant',
    responses: { 200: { description: 'The statistics', schema: endpointStatsSchema } },
    problems: [404],
    async handle({ params, scope }, context) {
      await ownSubscription(context, scope, params.id);
      return { status: 200, body: await context.ledger.attempts.endpointStats(params.id) };
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
      const replay = await startReplay(context, params.id, body);
      context.logger.info({ subscriptionId: params.id, replayId: replay.id }, 'replay started');
      return { status: 202, location: `/v1/replays/${replay.id}`, body: replay };
    },
  }),
];
