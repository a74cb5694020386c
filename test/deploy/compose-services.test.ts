// Static checks of docker-compose.yml's services: which exist, their images, how worker and gateway
// are built, started, health-checked, ordered, restarted and scaled, and where state lives. No
// Docker engine is needed: the file is parsed and checked against the code it deploys.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  ALL_SERVICES,
  APP_SERVICES,
  compose,
  containerPorts,
  dependsOn,
  DOCKERFILE,
  environment,
  GATEWAY_COMMAND,
  healthcheckWords,
  hubRepository,
  image,
  isAlpine,
  mounts,
  portBindings,
  ROOT,
  service,
  services,
  THIRD_PARTY,
  WORKER_COMMAND,
} from './compose-file';
import { commandWords, interpolate, mapping, str } from './yaml';

test('compose: postgres, temporal, temporal-setup, temporal-ui, jaeger, prometheus, grafana, worker and gateway exist; no obsolete version key', () => {
  assert.deepEqual(Object.keys(services).sort(), ALL_SERVICES);
  assert.equal(compose.version, undefined, 'the Compose spec has no top-level `version:`');
});

test('compose: every third-party image is pinned to a release, none is Alpine by tag', () => {
  for (const name of THIRD_PARTY) {
    const { repository, tag, digest } = image(name);
    assert.notEqual(tag, 'latest', `${name}: ${repository} must be pinned, not :latest`);
    if (digest === undefined) {
      assert.match(tag, /^v?\d+\.\d+/, `${name}: ${repository}:${tag} should name at least major.minor`);
    }
  }
  for (const [name, value] of Object.entries(services)) {
    const img = mapping(value, `services.${name}`).image;
    if (img !== undefined) assert.ok(!isAlpine(str(img, `services.${name}.image`)), `${name}: ${String(img)}`);
  }
});

test('compose: postgres is the official Debian image with a named volume and a pg_isready healthcheck', () => {
  const { repository, tag } = image('postgres');
  assert.equal(hubRepository(repository), 'postgres', 'the official postgres image');
  assert.match(tag, /^\d+(\.\d+)?-(bookworm|trixie)$/, `a Debian tag of postgres, got ${tag}`);

  const env = environment('postgres');
  for (const key of ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']) assert.ok(env.get(key), `postgres sets ${key}`);

  const data = mounts('postgres').find((m) => m.target === '/var/lib/postgresql/data');
  assert.ok(data, 'the data directory is a mount');
  assert.ok(data.source in mapping(compose.volumes, 'volumes'), `${data.source} should be a named volume`);

  const probe = healthcheckWords('postgres');
  assert.ok(probe.includes('pg_isready'), `postgres healthcheck uses pg_isready: ${probe.join(' ')}`);
  assert.deepEqual(portBindings('postgres'), [], 'PostgreSQL is not published on the host');
});

test('compose: worker and gateway build this Dockerfile and run the right entry points', () => {
  for (const name of APP_SERVICES) {
    const svc = service(name);
    const build = svc.build;
    let context: string;
    let dockerfile = 'Dockerfile';
    if (typeof build === 'string') {
      context = build;
    } else {
      const b = mapping(build, `services.${name}.build`);
      context = b.context === undefined ? '.' : str(b.context, 'build.context');
      if (b.dockerfile !== undefined) dockerfile = str(b.dockerfile, 'build.dockerfile');
    }
    assert.equal(path.resolve(ROOT, context, dockerfile), DOCKERFILE, `${name} should build ./Dockerfile`);
    if (svc.image !== undefined) assert.ok(!isAlpine(str(svc.image, 'image')), `${name} image must not be Alpine`);
  }
  assert.deepEqual(commandWords(service('worker').command, 'services.worker.command'), WORKER_COMMAND);
  const gatewayCommand = service('gateway').command;
  if (gatewayCommand !== undefined) {
    assert.deepEqual(commandWords(gatewayCommand, 'services.gateway.command'), GATEWAY_COMMAND);
  }
  for (const name of APP_SERVICES) {
    assert.equal(service(name).entrypoint, undefined, `${name} keeps the image's entrypoint`);
  }
  for (const file of [WORKER_COMMAND.at(-1), GATEWAY_COMMAND.at(-1)]) {
    assert.ok(file && fs.existsSync(path.join(ROOT, file)), `${file} should exist`);
  }
});

test('compose: the gateway publishes 3000 and is health-checked on GET /healthz without curl', () => {
  const gateway = service('gateway');
  assert.ok(containerPorts(gateway.ports, 'services.gateway.ports').includes(3000), 'gateway publishes 3000');
  const env = environment('gateway');
  const port = env.get('PORT');
  assert.ok(port === undefined || interpolate(port ?? '', {}) === '3000', 'the gateway listens on 3000 in the container');

  const probe = healthcheckWords('gateway');
  assert.equal(probe[0], 'CMD', 'exec form: no shell needed');
  assert.equal(probe[1], 'node', 'the slim image has no curl or wget; node does the request');
  const script = probe.slice(2).join(' ');
  assert.match(script, /http:\/\/(127\.0\.0\.1|localhost):3000\/healthz/, 'the probe requests /healthz');
  assert.match(script, /process\.exit/, 'the probe turns the answer into an exit code');
});

test('compose: worker and gateway wait for a healthy postgres and the search attributes, and restart unless stopped', () => {
  for (const name of APP_SERVICES) {
    const deps = dependsOn(name);
    assert.equal(deps.get('postgres'), 'service_healthy', `${name} waits for postgres to be healthy`);
    assert.equal(deps.get('temporal-setup'), 'service_completed_successfully', `${name} waits for the search attributes`);
    assert.equal(service(name).restart, 'unless-stopped', `${name} restart policy`);
  }
});

test('compose: the worker scales (replicas, no fixed name or host port)', () => {
  const worker = service('worker');
  const replicas = mapping(worker.deploy, 'services.worker.deploy').replicas;
  assert.equal(typeof replicas, 'number', 'services.worker.deploy.replicas is set');
  assert.ok(Number(replicas) >= 2, `more than one worker shows the scaling, got ${String(replicas)}`);
  assert.equal(worker.container_name, undefined, 'a container_name would forbid more than one worker');
  assert.deepEqual(portBindings('worker'), [], 'a published port would forbid more than one worker');
});

test('compose: named volumes hold the state; nothing mounts a host path', () => {
  const volumes = mapping(compose.volumes, 'volumes');
  for (const name of Object.keys(services)) {
    for (const mount of mounts(name)) {
      assert.ok(mount.source in volumes, `${name}: ${mount.source} should be a named volume, not a host path`);
    }
  }
  assert.deepEqual(mounts('worker'), [], 'the worker keeps no local state');
  assert.deepEqual(mounts('gateway'), [], 'the gateway keeps no local state');
});
