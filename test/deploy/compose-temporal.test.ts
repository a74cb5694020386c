// Static checks of docker-compose.yml's Temporal services: the auto-setup server on postgres, the
// one-shot that registers the search attributes the workflows use, the Web UI, the dynamic config
// every dev server runs with, and a namespace retention no longer than the ledger's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SearchAttributeType } from '@temporalio/common';
import { DEV_DYNAMIC_CONFIG } from '../../scripts/lib/dev-server';
import { parseConfig } from '../../src/core/config';
import { SEARCH_ATTRIBUTES } from '../../src/contract';
import { parseDuration } from '../../src/core/duration';
import {
  dependsOn,
  healthcheckWords,
  hubRepository,
  image,
  portBindings,
  readYaml,
  resolvedEnvironment,
  service,
  serviceConfigs,
  VARIABLE_SETS,
} from './compose-file';
import { commandWords, strings } from './yaml';

/** How the `temporal` CLI (`search-attribute create --type`) names each SDK type. */
const CLI_SEARCH_ATTRIBUTE_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

test('compose: temporal is the official auto-setup server on the postgres service, health-checked', () => {
  const { repository, tag } = image('temporal');
  assert.equal(hubRepository(repository), 'temporalio/auto-setup');
  assert.match(tag, /^1\.\d+\.\d+/, `a server release, got ${tag}`);

  for (const vars of VARIABLE_SETS) {
    const env = resolvedEnvironment('temporal', vars);
    const pg = resolvedEnvironment('postgres', vars);
    assert.equal(env.DB, 'postgres12', 'the PostgreSQL 12+ persistence plugin');
    assert.equal(env.POSTGRES_SEEDS, 'postgres', 'the postgres service is the database host');
    assert.equal(env.DB_PORT, '5432');
    assert.equal(env.POSTGRES_USER, pg.POSTGRES_USER, 'the user postgres creates');
    assert.equal(env.POSTGRES_PWD, pg.POSTGRES_PASSWORD, 'the password postgres is created with');
    // auto-setup's own databases must not be the ledger's.
    const ledgerDb = pg.POSTGRES_DB;
    assert.notEqual(env.DBNAME ?? 'temporal', ledgerDb);
    assert.notEqual(env.VISIBILITY_DBNAME ?? 'temporal_visibility', ledgerDb);
    // The namespace auto-setup creates is the one the services use.
    assert.equal(env.DEFAULT_NAMESPACE ?? 'default', resolvedEnvironment('worker', vars).TEMPORAL_NAMESPACE);
  }
  assert.equal(dependsOn('temporal').get('postgres'), 'service_healthy');
  assert.ok(healthcheckWords('temporal').join(' ').includes('operator cluster health'), 'temporal healthcheck asks the server');

  const frontend = portBindings('temporal').find((p) => p.target === 7233);
  assert.ok(frontend, 'temporal publishes the gRPC frontend, 7233');
  assert.equal(frontend.hostIp, '127.0.0.1', 'a server without authentication is published on loopback only');
});

test('compose: temporal-setup registers every search attribute the workflows use, once, then exits', () => {
  const { repository } = image('temporal-setup');
  assert.equal(hubRepository(repository), 'temporalio/admin-tools');
  assert.equal(dependsOn('temporal-setup').get('temporal'), 'service_healthy');
  const restart = service('temporal-setup').restart;
  assert.ok(restart === undefined || restart === 'no', `a one-shot must not be restarted, got ${String(restart)}`);

  for (const vars of VARIABLE_SETS) {
    const env = resolvedEnvironment('temporal-setup', vars);
    assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(env.TEMPORAL_NAMESPACE, resolvedEnvironment('worker', vars).TEMPORAL_NAMESPACE, 'the namespace the services use');
  }

  const entrypoint = commandWords(service('temporal-setup').entrypoint, 'services.temporal-setup.entrypoint');
  assert.deepEqual(entrypoint, ['/bin/sh', '-c'], "the image's entrypoint only sleeps: run the script with sh -c");
  const command = strings(service('temporal-setup').command, 'services.temporal-setup.command');
  assert.equal(command.length, 1, 'the script is one argument to sh -c');
  const script = command[0] ?? '';
  // Compose interpolates `$` itself: every `$` meant for the shell must be written `$$`.
  assert.ok(!script.replaceAll('$$', '').includes('$'), 'unescaped $ in the temporal-setup script');

  assert.match(script, /temporal operator search-attribute create --namespace "\$\$ns" --name "\$\$1" --type "\$\$2"/);
  const registered = new Map<string, string>();
  for (const match of script.matchAll(/^\s*register (\S+) (\S+)\s*$/gm)) registered.set(match[1] ?? '', match[2] ?? '');
  const checked = /for name in ([^;\n]+);/.exec(script)?.[1]?.trim().split(/\s+/) ?? [];

  assert.equal(SEARCH_ATTRIBUTES.length, 4);
  for (const key of SEARCH_ATTRIBUTES) {
    assert.equal(registered.get(key.name), CLI_SEARCH_ATTRIBUTE_TYPE[key.type], `register ${key.name} ${CLI_SEARCH_ATTRIBUTE_TYPE[key.type]}`);
    assert.ok(checked.includes(key.name), `the final check waits for ${key.name}`);
  }
  assert.deepEqual([...registered.keys()].sort(), SEARCH_ATTRIBUTES.map((k) => k.name).sort(), 'no attribute the code does not use');
  assert.ok(
    SEARCH_ATTRIBUTES.every((k) => CLI_SEARCH_ATTRIBUTE_TYPE[k.type] === 'Keyword'),
    'the final check compares with Keyword: update it when a type changes',
  );
});

test('compose: temporal-ui is the official Web UI on the temporal service, published on loopback', () => {
  const { repository } = image('temporal-ui');
  assert.equal(hubRepository(repository), 'temporalio/ui');
  assert.equal(resolvedEnvironment('temporal-ui', {}).TEMPORAL_ADDRESS, 'temporal:7233');
  assert.ok(dependsOn('temporal-ui').has('temporal'), 'temporal-ui starts after temporal');
  const ui = portBindings('temporal-ui').find((p) => p.target === 8080);
  assert.ok(ui, 'the Web UI (8080 in the container) is published');
  assert.equal(ui.hostIp, '127.0.0.1', 'the Web UI has no login: loopback only');
});

test("compose: Temporal keeps closed workflows no longer than the ledger keeps their rows (namespace retention ≤ RECORD_RETENTION_DAYS)", () => {
  for (const vars of VARIABLE_SETS) {
    const retention = parseDuration(resolvedEnvironment('temporal', vars).DEFAULT_NAMESPACE_RETENTION ?? '');
    assert.ok(retention !== undefined && retention > 0, 'DEFAULT_NAMESPACE_RETENTION is set, as a duration');
    const worker = parseConfig(resolvedEnvironment('worker', vars));
    assert.ok(retention <= worker.RECORD_RETENTION_DAYS, `${retention} ms > ${worker.RECORD_RETENTION_DAYS} ms`);
  }
});

test('compose: temporal runs with the dynamic config of every dev server (Task Queue Fairness, one partition, eager activities)', () => {
  const target = resolvedEnvironment('temporal', {}).DYNAMIC_CONFIG_FILE_PATH ?? assert.fail('temporal sets DYNAMIC_CONFIG_FILE_PATH');
  const file = serviceConfigs('temporal').get(target) ?? assert.fail(`temporal gets a config file at ${target}`);
  const settings = readYaml(file);
  const asDevArgs = Object.entries(settings).map(([key, values]) => {
    const [first] = values as { value: unknown }[];
    return `${key}=${String(first?.value)}`;
  });
  assert.deepEqual(asDevArgs.sort(), [...DEV_DYNAMIC_CONFIG].sort());
});
