// Static checks of the observability docker-compose.yml sets up: traces to jaeger, metrics served
// on the project network, prometheus scraping every process, grafana provisioned, and a dashboard
// that only queries metrics the code registers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseConfig } from '../../src/core/config';
import { createGatewayMetrics, createWorkerMetrics } from '../../src/metrics';
import {
  APP_SERVICES,
  DEPLOY,
  hubRepository,
  image,
  portBindings,
  readYaml,
  resolvedEnvironment,
  ROOT,
  service,
  serviceConfigs,
  TEST_TOKEN,
} from './compose-file';
import { type Mapping, mapping, str, strings } from './yaml';

test('compose: worker and gateway send traces to jaeger (off with an empty OTEL_EXPORTER_OTLP_ENDPOINT); its UI on loopback', () => {
  assert.equal(hubRepository(image('jaeger').repository), 'jaegertracing/all-in-one');
  for (const name of APP_SERVICES) {
    assert.equal(resolvedEnvironment(name, { API_TOKEN: TEST_TOKEN }).OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318');
    assert.equal(resolvedEnvironment(name, { API_TOKEN: TEST_TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT, '');
  }
  for (const target of [16686, 4318]) {
    assert.equal(portBindings('jaeger').find((p) => p.target === target)?.hostIp, '127.0.0.1', `jaeger's ${target} on loopback only`);
  }
});

test('compose: worker and gateway serve metrics on every interface of their container, published nowhere', () => {
  for (const name of APP_SERVICES) {
    const config = parseConfig(resolvedEnvironment(name, { API_TOKEN: TEST_TOKEN }));
    assert.equal(config.METRICS_HOST, '0.0.0.0', `${name}: METRICS_HOST=0.0.0.0 so that prometheus reaches it`);
  }
  const published = portBindings('gateway').map((p) => p.target);
  assert.deepEqual(published, [3000], 'only the API port is published; the metrics ports stay on the project network');
});

test('compose: prometheus scrapes the gateway, every worker replica and their SDK exporters on the ports their config gives them', () => {
  const prometheus = readYaml(serviceConfigs('prometheus').get('/etc/prometheus/prometheus.yml') ?? assert.fail('prometheus gets deploy/prometheus/prometheus.yml'));
  const command = strings(service('prometheus').command, 'services.prometheus.command');
  assert.ok(command.includes('--config.file=/etc/prometheus/prometheus.yml'), 'prometheus reads the file compose puts there');
  const jobs = new Map(
    (prometheus.scrape_configs as unknown[]).map((job) => {
      const m = mapping(job, 'scrape_configs[]');
      return [str(m.job_name, 'job_name'), m];
    }),
  );
  const gateway = parseConfig(resolvedEnvironment('gateway', { API_TOKEN: TEST_TOKEN }));
  const worker = parseConfig(resolvedEnvironment('worker', { API_TOKEN: TEST_TOKEN }));
  const staticTargets = (job: Mapping) => (job.static_configs as unknown[]).flatMap((c) => strings(mapping(c, 'static_configs[]').targets, 'targets'));
  assert.deepEqual(staticTargets(jobs.get('gateway') ?? assert.fail('a gateway job')), [`gateway:${gateway.GATEWAY_METRICS_PORT}`]);
  // Replicas: each worker container is found by DNS (one A record each), not one name that hits any of them.
  for (const [jobName, port] of [['worker', worker.WORKER_METRICS_PORT], ['temporal-sdk', worker.WORKER_SDK_METRICS_PORT]] as const) {
    const job = jobs.get(jobName) ?? assert.fail(`a ${jobName} job`);
    const [dns] = (job.dns_sd_configs as unknown[]).map((c) => mapping(c, 'dns_sd_configs[]'));
    assert.ok(dns, `${jobName} discovers the worker replicas by DNS`);
    assert.deepEqual(strings(dns.names, 'names'), ['worker']);
    assert.equal(dns.type, 'A');
    assert.equal(dns.port, port, `${jobName} scrapes the port the worker serves it on`);
  }
  assert.ok(
    portBindings('prometheus').some((p) => p.target === 9090 && p.hostIp === '127.0.0.1'),
    'prometheus listens on 9090, published on loopback only (no login)',
  );
});

test('compose: grafana provisions the prometheus data source and the dashboard from deploy/grafana', () => {
  const configs = serviceConfigs('grafana');
  const datasources = readYaml(configs.get('/etc/grafana/provisioning/datasources/prometheus.yml') ?? assert.fail('a provisioned data source'));
  const [source] = (datasources.datasources as unknown[]).map((d) => mapping(d, 'datasources[]'));
  assert.equal(source?.type, 'prometheus');
  assert.equal(source?.url, 'http://prometheus:9090', 'the prometheus service');
  const providers = readYaml(configs.get('/etc/grafana/provisioning/dashboards/webhooks.yml') ?? assert.fail('a dashboard provider'));
  const [provider] = (providers.providers as unknown[]).map((p) => mapping(p, 'providers[]'));
  const folder = str(mapping(provider?.options, 'providers[].options').path, 'provider path');
  const dashboard = configs.get(`${folder}/webhooks.json`);
  assert.equal(dashboard, path.join(DEPLOY, 'grafana', 'dashboards', 'webhooks.json'), 'the dashboard lands in the folder the provider reads');
  for (const file of configs.values()) assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} exists`);
  assert.ok(portBindings('grafana').length > 0 && portBindings('grafana').every((p) => p.hostIp === '127.0.0.1'), 'grafana is published on loopback only');
});

/** Every sample name the code's registries can serve (histograms as their _bucket, _sum and _count). */
async function registeredNames(): Promise<Set<string>> {
  const zero = async () => ({ healthy: 0, failing: 0, disabled: 0 });
  const registries = [createGatewayMetrics().registry, createWorkerMetrics({ endpointStates: zero }).registry];
  const names = new Set<string>();
  for (const registry of registries) {
    for (const metric of await registry.getMetricsAsJSON()) {
      const suffixes = metric.type.toString() === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
      for (const suffix of suffixes) names.add(`${metric.name}${suffix}`);
    }
  }
  return names;
}

test('dashboard: parses, every panel queries the provisioned data source, and every metric it names is one the code registers', async () => {
  const dashboard = mapping(JSON.parse(fs.readFileSync(path.join(DEPLOY, 'grafana', 'dashboards', 'webhooks.json'), 'utf8')), 'webhooks.json');
  const datasource = mapping((readYaml(path.join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yml')).datasources as unknown[])[0], 'datasource');
  const panels = (dashboard.panels as unknown[]).map((p) => mapping(p, 'panel')).filter((p) => p.type !== 'row');
  assert.ok(panels.length >= 8, 'throughput, success rate, lag, failing endpoints, SDK…');
  const registered = await registeredNames();
  const expressions: string[] = [];
  for (const panel of panels) {
    const title = str(panel.title, 'panel title');
    assert.ok(typeof panel.description === 'string' && panel.description.length > 40, `${title}: says what healthy looks like`);
    const targets = (panel.targets as unknown[]).map((t) => mapping(t, `${title} target`));
    assert.ok(targets.length > 0, `${title} has queries`);
    for (const target of [panel, ...targets]) assert.equal(mapping(target.datasource, `${title} datasource`).uid, datasource.uid, `${title} uses the provisioned data source`);
    expressions.push(...targets.map((t) => str(t.expr, `${title} expr`)));
  }
  const named = new Set(expressions.flatMap((e) => e.match(/\b(webhook|process|nodejs)_[a-z0-9_]+/g) ?? []));
  assert.deepEqual([...named].filter((n) => !registered.has(n)), [], 'metrics the dashboard queries but the code never registers');
  // The Temporal SDK's names are checked against a live exporter in test/metrics/metrics.test.ts.
  for (const wanted of ['webhook_deliveries_completed_total', 'webhook_accept_to_first_attempt_seconds_bucket', 'webhook_endpoints', 'webhook_events_accepted_total']) {
    assert.ok(named.has(wanted), `the dashboard shows ${wanted}`);
  }
  assert.ok(expressions.some((e) => /\btemporal_/.test(e)), 'a Temporal SDK panel');
  assert.ok(expressions.some((e) => /histogram_quantile\(0\.99, sum by \(le\) \(rate\(webhook_accept_to_first_attempt_seconds_bucket/.test(e)), 'lag p99');
});
