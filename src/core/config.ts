import path from 'node:path';
import { z } from 'zod';
import { parseDuration } from './duration';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A duration setting (`5d`, `30s`, `250ms`) in milliseconds, at least `minMs`. */
function durationFromEnv(fallback: string, minMs = 1) {
  return z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined || ms < minMs) {
        ctx.addIssue({ code: 'custom', message: `must be a duration such as 5d, 12h or 30s (at least ${minMs} ms)` });
        return z.NEVER;
      }
      return ms;
    });
}

/**
 * A retention setting: a number of days (`30`, `0.5`) or a duration (`30d`, `10s`), in milliseconds.
 * Days are what operators think in; the duration form lets tests keep data for seconds.
 */
function retentionFromEnv(fallbackDays: number) {
  return z
    .string()
    .default(String(fallbackDays))
    .transform((v, ctx) => {
      const days = /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : undefined;
      const ms = days !== undefined ? Math.round(days * 86_400_000) : parseDuration(v);
      if (ms === undefined || ms < 1000) {
        ctx.addIssue({ code: 'custom', message: 'must be a number of days (30) or a duration such as 12h or 30s (at least 1 s)' });
        return z.NEVER;
      }
      return ms;
    });
}

/** A port to serve on: a number (0 picks a free one, logged) or `off`. */
const portOrOff = (fallback: number) =>
  z
    .union([z.literal('off'), z.coerce.number().int().min(0).max(65535)])
    .default(fallback)
    .transform((v) => (v === 'off' ? undefined : v));

/**
 * An egress proxy: http:// or https://, a host and port, optionally user:password (percent-encoded).
 * Messages never repeat the value, which may hold the password.
 */
const proxyUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// proxy URL' })
  .refine((u) => {
    if (!URL.canParse(u)) return true;
    const { pathname, search, hash } = new URL(u);
    return pathname === '/' && search === '' && hash === '';
  }, 'must be the proxy\'s origin only (scheme, optional user:password, host, port), with no path or query');

export const DATA_DIR = path.resolve(process.env.DATA_DIR ?? path.join(__dirname, '..', '..', 'data'));

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Bearer token every /v1 route requires. Required outside tests and `npm run dev`. */
  API_TOKEN: z.string().min(16, 'API_TOKEN must be at least 16 characters'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'DATABASE_URL must start with sqlite: or postgres://')
    .default(`sqlite:${path.join(DATA_DIR, 'ledger.sqlite')}`),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** Temporal Cloud API key; turns TLS on. Never logged. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** mTLS client certificate and key (PEM file paths), e.g. for Temporal Cloud; turn TLS on. */
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  /** TLS to the Temporal server without a client certificate or API key. */
  TEMPORAL_TLS: booleanFromEnv.default(false),
  TASK_QUEUE: z.string().min(1).default('webhooks'),
  ALLOW_PRIVATE_NETWORKS: booleanFromEnv.default(false),
  /**
   * Every attempt leaves through this HTTP(S) proxy (receivers see its address). May carry
   * user:password, which is never logged. The worker still checks each receiver's addresses.
   */
  WEBHOOK_PROXY_URL: proxyUrlSchema.optional(),
  /** Base URL receivers reach the gateway at; confirmation links start with it. */
  PUBLIC_URL: z.url().optional(),
  /** A subscription whose attempts keep failing for this long is disabled (endpoint health). */
  DISABLE_AFTER_FAILING_FOR: durationFromEnv('5d'),
  /** After a secret rotation, how long the previous secret keeps signing beside the new one. */
  SECRET_ROTATION_GRACE: durationFromEnv('24h'),
  /** How often the reconcile schedule looks for events and deliveries that nothing is running. */
  RECONCILE_INTERVAL: durationFromEnv('1m', 1000),
  /** How long an event or delivery may sit without a workflow before the reconciler takes it up. */
  RECONCILE_GRACE: durationFromEnv('30s'),
  /** How long events' payloads and receivers' response bodies are kept (a tenant may have its own). */
  RETENTION_DAYS: retentionFromEnv(30),
  /** How long ended events, their deliveries and attempts are listed at all (never less than a tenant's RETENTION_DAYS). */
  RECORD_RETENTION_DAYS: retentionFromEnv(90),
  /** How often the purge schedule removes what retention let go. */
  PURGE_INTERVAL: durationFromEnv('1h', 1000),
  /**
   * A tenant that also receives every tenant's operational events (webhook.*), each as an event of
   * its own: the operator subscribes its endpoints there. Unset: each tenant gets only its own.
   */
  OPERATIONS_TENANT_ID: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/, 'must be a tenant id').optional(),
  /** Event workflows one gateway starts at once, after their 202 (the dispatcher's concurrency). */
  DISPATCH_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(20),
  /**
   * Accepted events not yet fanned out (ledger-wide) above which POST /v1/events and /v1/events/batch
   * answer 503 with Retry-After and record nothing: a flood waits at the producer, not in the ledger.
   */
  DISPATCH_BACKLOG_LIMIT: z.coerce.number().int().min(1).max(10_000_000).default(20_000),
  /** Deliveries one worker sends at once (its activity slots). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).default(200),
  /**
   * Workflows one worker keeps in memory between tasks. Bounds its memory however many deliveries
   * are in flight; an evicted one (say, awaiting confirmation) is replayed from its short history
   * when it next has work. At least the 40 workflow tasks a worker runs at once.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(40).max(100_000).default(1000),
  /** Address the Prometheus endpoints bind to (0.0.0.0 in a container, so Prometheus can scrape). */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** The gateway's Prometheus endpoint (GET /metrics), apart from the API port so it is never public by accident. */
  GATEWAY_METRICS_PORT: portOrOff(9464),
  /** The worker's Prometheus endpoint: delivery metrics. */
  WORKER_METRICS_PORT: portOrOff(9465),
  /** The Temporal SDK's own worker metrics (its runtime's Prometheus exporter). */
  WORKER_SDK_METRICS_PORT: portOrOff(9466),
  /** Tracing is on when set (OpenTelemetry's OTLP/HTTP endpoint, e.g. http://collector:4318); off costs nothing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

function checkTemporalAuth(config: Config): string[] {
  if (Boolean(config.TEMPORAL_TLS_CERT) !== Boolean(config.TEMPORAL_TLS_KEY)) {
    return ['TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY: set both or neither'];
  }
  return [];
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses settings from an environment; throws ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" so `FOO= npm run dev` falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const problems = checkTemporalAuth(result.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/** The gateway's base URL for links it hands out (confirmation URLs). */
export function publicUrl(config: Pick<Config, 'PUBLIC_URL' | 'PORT'>): string {
  return (config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');
}

let cached: Config | undefined;

/** The process configuration, read once from process.env. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
