/** Prometheus metrics: the definitions (one place), the pure label mappings and the /metrics server. */
export { firstAttemptLagSeconds, STATUS_CLASSES, type StatusClass, statusClassOf } from './attempts';
export {
  createGatewayMetrics,
  createWorkerMetrics,
  DEFERRAL_LIMITS,
  DELIVERY_OUTCOMES,
  type DeferralLimit,
  type DeliveryOutcome,
  type DeliveryOutcomeMetrics,
  ENDPOINT_STATES,
  type EndpointState,
  type GatewayMetrics,
  INTAKE_RESULTS,
  INTAKES,
  METRIC,
  type Repair,
  REPAIRS,
  type WorkerMetrics,
} from './definitions';
export { freePort, type MetricsServer, serveMetrics } from './server';
export { sdkPrometheusExporter, startMetricsEndpoint } from './endpoints';
