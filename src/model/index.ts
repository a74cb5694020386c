/**
 * The API's shapes, one file per resource. The gateway validates with these, the OpenAPI document
 * is generated from them and the rest of the code takes its types from them. Importers name the
 * folder (`../model`); errors.ts, the failure kinds, is imported on its own.
 */
export * from './common';
export * from './deliveries';
export * from './events';
export * from './jobs';
export * from './subscriptions';
export * from './tenants';
