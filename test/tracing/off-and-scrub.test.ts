import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { parseConfig } from '../../src/core/config';
import { createLogger } from '../../src/core/logger';
import { connectClient } from '../../src/temporal/client';
import { clientTracingInterceptors, startServiceTracing, workerTracingOptions } from '../../src/tracing';
import { scrubAttributes } from '../../src/tracing/scrub';
import { tracingSettings } from '../../src/tracing/settings';

const base = { API_TOKEN: 'test-token-0123456789abcdef', TEMPORAL_ADDRESS: '127.0.0.1:1' };

test('with OTEL_EXPORTER_OTLP_ENDPOINT unset nothing starts: no provider, no propagator, no instrumentation, no interceptors', async () => {
  const config = parseConfig(base);
  assert.equal(tracingSettings(config, 'worker'), undefined);
  assert.equal(startServiceTracing(config, 'gateway', createLogger('test', 'silent')), undefined);
  assert.equal(startServiceTracing(config, 'worker', createLogger('test', 'silent')), undefined);
  // The global API is still the no-op one: spans do not record, nothing is injected into requests.
  const span = trace.getTracer('test').startSpan('probe');
  assert.equal(span.isRecording(), false);
  span.end();
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  assert.deepEqual(carrier, {});
  assert.deepEqual(propagation.fields(), []);
  // The SDK and the instrumentations are not even loaded (about a second of startup saved).
  const loaded = Object.keys(require.cache).filter((m) => /@opentelemetry[\\/](sdk-trace|exporter|instrumentation)|interceptors-opentelemetry/.test(m));
  assert.deepEqual(loaded, []);
  // The HTTP instrumentation patches http.Server's emit (shimmer marks a wrapper with __wrapped).
  assert.equal('__wrapped' in http.Server.prototype.emit, false);
  // The worker gets no interceptor modules or sinks (its workflow bundle stays as it is), the gateway's client no interceptors.
  assert.deepEqual(workerTracingOptions(undefined), {});
  assert.deepEqual(clientTracingInterceptors(false), {});
  const client = await connectClient(config);
  assert.deepEqual(client.options.interceptors, { workflow: [], schedule: [], nexus: [] });
  await client.connection.close();
});

test('with OTEL_EXPORTER_OTLP_ENDPOINT set: spans go to <endpoint>/v1/traces, each process named apart, the client intercepted', async () => {
  const config = parseConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
  assert.deepEqual(tracingSettings(config, 'gateway'), { tracesUrl: 'http://collector:4318/v1/traces', serviceName: 'webhook-relay-gateway' });
  assert.deepEqual(tracingSettings({ ...config, OTEL_SERVICE_NAME: 'relay' }, 'worker'), { tracesUrl: 'http://collector:4318/v1/traces', serviceName: 'relay' });
  const client = await connectClient(config);
  // Imported here, not at the top: the first test checks that nothing has loaded it.
  const { OpenTelemetryWorkflowClientInterceptor } = await import('@temporalio/interceptors-opentelemetry');
  const { workflow } = client.options.interceptors;
  assert.ok(Array.isArray(workflow) && workflow[0] instanceof OpenTelemetryWorkflowClientInterceptor);
  await client.connection.close();
});

test('scrubbing: URLs keep origin and path only, query strings, header values and object values are dropped', () => {
  const attributes: Attributes = {
    'url.full': 'https://user:pass@receiver.example:8443/hooks/in?api_key=k1#frag',
    'url.query': '?api_key=k1',
    'url.path': '/hooks/in',
    'http.url': 'http://127.0.0.1:3000/v1/events?cursor=k2',
    'http.target': '/v1/events?cursor=k2',
    'http.request.header.authorization': ['Bearer k3'],
    'http.response.header.set-cookie': 'session=k4',
    'http.response.status_code': 503,
    temporalWorkflowId: 'delivery:evt_1:sub_1',
    memo: { subscriptionUrl: 'https://receiver.example/hooks/in' } as unknown as string,
    tags: ['a', 'b'],
  };
  scrubAttributes(attributes);
  assert.deepEqual(attributes, {
    'url.full': 'https://receiver.example:8443/hooks/in',
    'url.path': '/hooks/in',
    'http.url': 'http://127.0.0.1:3000/v1/events',
    'http.target': '/v1/events',
    'http.response.status_code': 503,
    temporalWorkflowId: 'delivery:evt_1:sub_1',
    tags: ['a', 'b'],
  });
});

test('scrubbing: a confirmation URL keeps its route, never its token, in every URL attribute and however it is spelled', () => {
  const token = 'WyJkbHZfMSIsMSwxXQ.c2lnbmF0dXJl';
  const attributes: Attributes = {
    'http.target': `/v1/confirmations/${token}?x=1`,
    'http.url': `http://127.0.0.1:3000/V1/Confirmations/${token}`,
    'url.full': `https://relay.example/v1//confirmations/${token}#f`,
    'url.path': `/v1/confirmations/${token}`,
    'http.route': '/v1/confirmations/:token',
  };
  scrubAttributes(attributes);
  assert.deepEqual(attributes, {
    'http.target': '/v1/confirmations/[redacted]',
    'http.url': 'http://127.0.0.1:3000/V1/Confirmations/[redacted]',
    'url.full': 'https://relay.example/v1//confirmations/[redacted]',
    'url.path': '/v1/confirmations/[redacted]',
    'http.route': '/v1/confirmations/:token',
  });
});
