import type { Route } from '../route';
import { deliveryRoutes } from './deliveries';
import { eventTypeRoutes } from './event-types';
import { eventRoutes } from './events';
import { jobRoutes } from './jobs';
import { publicRoutes } from './public';
import { subscriptionRoutes } from './subscriptions';
import { tenantRoutes } from './tenants';

/** Every route the gateway serves, each declared once; the router and the OpenAPI document come from here. */
export const ROUTES: Route[] = [...publicRoutes, ...subscriptionRoutes, ...eventRoutes, ...eventTypeRoutes, ...deliveryRoutes, ...jobRoutes, ...tenantRoutes];
