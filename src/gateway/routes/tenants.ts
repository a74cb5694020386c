import { z } from 'zod';
import { NotFoundError } from '../../model/errors';
import {
  createdTenantKeySchema,
  createPortalSessionSchema,
  createTenantKeySchema,
  pageQuerySchema,
  pageSchema,
  portalLinkSchema,
  putTenantSchema,
  tenantKeySchema,
  tenantSchema,
} from '../../model';
import { deleteTenant, existingTenant, issuePortalLink, issueTenantKey, putTenant } from '../../operations/tenants';
import { route } from '../route';

/** Tenants, their keys and portal links: the operator's alone. */
export const tenantRoutes = [
  route({
    method: 'put',
    path: '/v1/tenants/{id}',
    summary: "Create or update a tenant, named by the platform's own id for its customer",
    body: putTenantSchema,
    responses: { 201: { description: 'Created', schema: tenantSchema }, 200: { description: 'Updated', schema: tenantSchema } },
    problems: [409, 503],
    async handle({ params, body }, context) {
      const { tenant, created } = await putTenant(context, params.id, body);
      const { logger } = context;
      logger.info({ tenantId: tenant.id, created }, created ? 'tenant created' : 'tenant updated');
      return { status: created ? 201 : 200, location: `/v1/tenants/${tenant.id}`, body: tenant };
    },
  }),
  route({
    method: 'get',
    path: '/v1/tenants',
    summary: 'List tenants by id',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of tenants', schema: pageSchema(tenantSchema) } },
    problems: [],
    async handle({ query }, { ledger }) {
      return { status: 200, body: await ledger.tenants.list(query) };
    },
  }),
  route({
    method: 'get',
    path: '/v1/tenants/{id}',
    summary: 'Get a tenant',
    responses: { 200: { description: 'The tenant', schema: tenantSchema } },
    problems: [404],
    async handle({ params }, context) {
      return { status: 200, body: await existingTenant(context, params.id) };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/tenants/{id}',
    summary: 'Delete a tenant: its subscriptions are disabled, its keys and portal sessions end, its open deliveries are cancelled',
    responses: { 200: { description: 'Deleted', schema: z.object({ id: z.string(), cancelledDeliveries: z.number() }) } },
    problems: [404, 503],
    async handle({ params }, context) {
      const { cancelled } = await deleteTenant(context, params.id);
      context.logger.info({ tenantId: params.id, cancelled }, 'tenant deleted');
      return { status: 200, body: { id: params.id, cancelledDeliveries: cancelled } };
    },
  }),
  route({
    method: 'post',
    path: '/v1/tenants/{id}/keys',
    summary: "Issue a tenant key: it reaches only this tenant's subscriptions and deliveries",
    body: createTenantKeySchema,
    responses: { 201: { description: 'Issued; the key is shown only here', schema: createdTenantKeySchema } },
    problems: [404],
    async handle({ params, body }, context) {
      const key = await issueTenantKey(context, params.id, body);
      context.logger.info({ tenantId: key.tenantId, keyId: key.id }, 'tenant key issued');
      return { status: 201, body: key };
    },
  }),
  route({
    method: 'get',
    path: '/v1/tenants/{id}/keys',
    summary: "A tenant's keys, newest first, without their secrets",
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of keys', schema: pageSchema(tenantKeySchema) } },
    problems: [404],
    async handle({ params, query }, context) {
      await existingTenant(context, params.id);
      return { status: 200, body: await context.ledger.access.listKeys(params.id, query) };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/tenants/{id}/keys/{keyId}',
    summary: 'Revoke a tenant key; it stops working at once',
    responses: { 200: { description: 'Revoked', schema: tenantKeySchema } },
    problems: [404],
    async handle({ params }, { ledger, logger }) {
      const key = await ledger.access.revokeKey(params.id, params.keyId);
      if (!key) throw new NotFoundError('key', params.keyId);
      logger.info({ tenantId: key.tenantId, keyId: key.id }, 'tenant key revoked');
      return { status: 200, body: key };
    },
  }),
  route({
    method: 'post',
    path: '/v1/tenants/{id}/portal-sessions',
    summary: 'A single-use link that opens a consumer portal session for the tenant',
    body: createPortalSessionSchema,
    responses: { 201: { description: 'The link to hand to the customer', schema: portalLinkSchema } },
    problems: [404],
    async handle({ params, body }, context) {
      const link = await issuePortalLink(context, params.id, body);
      context.logger.info({ tenantId: params.id, expiresAt: link.expiresAt }, 'portal link issued');
      return { status: 201, body: link };
    },
  }),
  route({
    method: 'delete',
    path: '/v1/tenants/{id}/portal-sessions',
    summary: "End every portal session and unused link of the tenant",
    responses: { 200: { description: 'Ended', schema: z.object({ ended: z.number() }) } },
    problems: [404],
    async handle({ params }, context) {
      await existingTenant(context, params.id);
      return { status: 200, body: { ended: await context.ledger.access.revokePortalAccess(params.id) } };
    },
  }),
];
