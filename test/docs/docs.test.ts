// Static checks of the documentation against the code it describes. No servers: the docs are parsed
// and compared with the config schema and the route table, so a setting or a route added, renamed
// or removed in the code fails here until its table says the same; and every relative link and
// #anchor in the docs must lead somewhere.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { configSchema, DATA_DIR } from '../../src/core/config';
import { ROUTES } from '../../src/gateway/routes';

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIGURATION_DOC = 'docs/configuration.md';
const API_DOC = 'docs/api.md';

/** Every Markdown file whose links are checked: the README, docs/ and the bench's README. */
function markdownFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs.sort(), 'bench/README.md'];
}

function read(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

/** The file's lines outside fenced code blocks (```), with their line numbers. */
function proseLines(text: string): { line: string; number: number }[] {
  let fenced = false;
  const out: { line: string; number: number }[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return;
    }
    if (!fenced) out.push({ line, number: i + 1 });
  });
  return out;
}

// ---- Markdown tables ---------------------------------------------------------------------------

/** A table's cells, split on unescaped pipes outside code spans (`a \| b` stays one cell). */
function cells(row: string): string[] {
  const out: string[] = [];
  let cell = '';
  let code = false;
  const body = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === '\\' && body[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (ch === '`') {
      code = !code;
      cell += ch;
    } else if (ch === '|' && !code) {
      out.push(cell.trim());
      cell = '';
    } else {
      cell += ch;
    }
  }
  out.push(cell.trim());
  return out;
}

/** The body rows of the first table whose header's first cell is `firstHeader`. */
function tableRows(file: string, firstHeader: string): string[][] {
  const lines = proseLines(read(file)).map((l) => l.line);
  const start = lines.findIndex((l) => l.startsWith('|') && cells(l)[0] === firstHeader);
  assert.ok(start >= 0, `${file} should hold a table whose first column is headed "${firstHeader}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(cells(line));
  }
  return rows;
}

/** The code spans of a cell, in order: "`A`, `B` x" → ["A", "B"]. */
function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}

function difference(a: Iterable<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x));
}

// ---- 1. the configuration table ----------------------------------------------------------------

/**
 * Settings whose default the code derives elsewhere rather than in the schema, so the table shows a
 * value where the schema has none: PUBLIC_URL from PORT, OTEL_SERVICE_NAME per process.
 */
const DERIVED_DEFAULTS = new Set(['PUBLIC_URL', 'OTEL_SERVICE_NAME']);

/** The schema's default for a setting, as the table would write it; undefined when there is none. */
function schemaDefault(schema: z.ZodType): string | undefined {
  if (schema instanceof z.ZodDefault) {
    const value: unknown = schema.def.defaultValue;
    // The ledger's default file sits in DATA_DIR, which the table writes as `data/`.
    return String(value).replace(`${DATA_DIR}${path.sep}`, 'data/');
  }
  if (schema instanceof z.ZodPipe) return schemaDefault(schema.def.in as z.ZodType);
  return undefined;
}

function configTable(): Map<string, string> {
  const table = new Map<string, string>();
  for (const [names = '', defaultCell] of tableRows(CONFIGURATION_DOC, 'Variable')) {
    const keys = codeSpans(names);
    assert.ok(keys.length > 0, `${CONFIGURATION_DOC}: a row of the configuration table names no variable: "${names}"`);
    for (const key of keys) {
      assert.ok(!table.has(key), `${CONFIGURATION_DOC} lists ${key} twice`);
      table.set(key, defaultCell ?? '');
    }
  }
  return table;
}

test(`the configuration table in ${CONFIGURATION_DOC} lists exactly the settings of configSchema`, () => {
  const documented = configTable();
  const schemaKeys = new Set(Object.keys(configSchema.shape));
  const extra = difference(documented.keys(), schemaKeys);
  const missing = difference(schemaKeys, new Set(documented.keys()));
  const problems = [
    ...extra.map((key) => `${CONFIGURATION_DOC} lists ${key}, which configSchema (src/core/config.ts) does not have`),
    ...missing.map((key) => `configSchema (src/core/config.ts) has ${key}, which ${CONFIGURATION_DOC} does not list`),
  ];
  assert.deepEqual(problems, [], problems.join('\n'));
});

test(`each default in ${CONFIGURATION_DOC} is the schema's default`, () => {
  const shape: Record<string, z.ZodType> = configSchema.shape;
  for (const [key, cell] of configTable()) {
    const schema = shape[key];
    if (!schema) continue; // reported by the test above
    const expected = schemaDefault(schema);
    const shown = cell.startsWith('`') ? codeSpans(cell)[0] : undefined;
    if (expected !== undefined) {
      assert.equal(shown, expected, `${CONFIGURATION_DOC}: ${key}'s default should read \`${expected}\` (configSchema's), not "${cell}"`);
    } else if (shown !== undefined) {
      assert.ok(DERIVED_DEFAULTS.has(key), `${CONFIGURATION_DOC} shows a default for ${key} ("${cell}"), but configSchema has none`);
    }
  }
});

// ---- 2. the API table --------------------------------------------------------------------------

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * The routes a row's first cell names. A cell holds code spans, each `METHOD[ / METHOD…] /path`
 * (`GET / PATCH / DELETE /v1/subscriptions/:id` is three routes), or a bare `/suffix` that replaces
 * the previous span's last segment with the same methods (`POST /v1/deliveries/:id/cancel`, `/retry`).
 * Path parameters are written `:id` in the docs and `{id}` in the route table.
 */
function rowRoutes(cell: string): string[] {
  const out: string[] = [];
  let previous: { methods: string[]; path: string } | undefined;
  for (const span of codeSpans(cell)) {
    let methods: string[];
    let route: string;
    if (span.startsWith('/') && previous) {
      methods = previous.methods;
      route = previous.path.replace(/\/[^/]+$/, span);
    } else {
      const [, methodList, spanPath] = /^([A-Z]+(?: \/ [A-Z]+)*) (\/\S*)$/.exec(span) ?? [];
      assert.ok(methodList && spanPath, `${API_DOC}: "${span}" in the route table is not "METHOD /path"`);
      methods = methodList.split(' / ');
      route = spanPath;
      for (const m of methods) assert.ok(METHODS.includes(m), `${API_DOC}: "${m}" in "${span}" is no HTTP method`);
    }
    previous = { methods, path: route };
    const normalised = route.replace(/:([A-Za-z]+)/g, '{$1}');
    for (const m of methods) out.push(`${m} ${normalised}`);
  }
  return out;
}

function apiTable(): Map<string, { tenant: boolean }> {
  const table = new Map<string, { tenant: boolean }>();
  for (const [first = ''] of tableRows(API_DOC, 'Route')) {
    const routes = rowRoutes(first);
    assert.ok(routes.length > 0, `${API_DOC}: a row of the route table names no route: "${first}"`);
    for (const route of routes) {
      assert.ok(!table.has(route), `${API_DOC} lists ${route} twice`);
      table.set(route, { tenant: /\*tenant\*/.test(first) });
    }
  }
  return table;
}

const served = new Map(ROUTES.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r]));

test(`the route table in ${API_DOC} lists exactly the routes of ROUTES`, () => {
  const documented = apiTable();
  const extra = difference(documented.keys(), new Set(served.keys()));
  const missing = difference(served.keys(), new Set(documented.keys()));
  const problems = [
    ...extra.map((route) => `${API_DOC} lists ${route}, which ROUTES (src/gateway/routes) does not have`),
    ...missing.map((route) => `ROUTES (src/gateway/routes) has ${route}, which ${API_DOC} does not list`),
  ];
  assert.deepEqual(problems, [], problems.join('\n'));
});

test(`the routes marked *tenant* in ${API_DOC} are those tenant keys may call`, () => {
  for (const [route, { tenant }] of apiTable()) {
    const declared = served.get(route);
    if (!declared) continue; // reported by the test above
    const open = declared.access === 'tenant';
    assert.equal(tenant, open, `${API_DOC}: ${route} ${open ? 'is open to tenant keys: mark it *tenant*' : 'is the operator\'s alone: it is not *tenant*'}`);
  }
});

// ---- 3. links and anchors ----------------------------------------------------------------------

/** GitHub's anchor for a heading (github-slugger): lower case, punctuation dropped, spaces → '-'. */
function slug(heading: string): string {
  const text = heading
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** The anchors a Markdown file's headings get, with GitHub's -1, -2 … for repeats. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const { line } of proseLines(read(file))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

/** The inline links of a file's prose (code spans and fenced blocks left out), with line numbers. */
function links(file: string): { target: string; number: number }[] {
  const out: { target: string; number: number }[] = [];
  for (const { line, number } of proseLines(read(file))) {
    const prose = line.replace(/`[^`]*`/g, '``');
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: m[1] ?? '', number });
  }
  return out;
}

test('every relative link in README.md, docs/ and bench/README.md leads to a file, and every #anchor to a heading', () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    for (const { target, number } of links(file)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: …
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
      const where = `${file}:${number}: ${target}`;
      if (!fs.existsSync(path.join(ROOT, resolved))) {
        broken.push(`${where} (no file ${resolved})`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) {
        broken.push(`${where} (no heading with anchor #${anchor} in ${resolved})`);
      }
    }
  }
  assert.deepEqual(broken, [], `broken links:\n${broken.join('\n')}`);
});

test('the slugs follow GitHub', () => {
  assert.equal(slug('Confirmation: "done", not just "received"'), 'confirmation-done-not-just-received');
  assert.equal(slug('Order: sequence numbers and FIFO endpoints'), 'order-sequence-numbers-and-fifo-endpoints');
  assert.equal(slug('API (v1)'), 'api-v1');
  assert.equal(slug('Compared with Svix, Convoy and Outpost'), 'compared-with-svix-convoy-and-outpost');
  assert.equal(slug('`npm run dev` and more'), 'npm-run-dev-and-more');
});

// ---- 4. the docs' own shape --------------------------------------------------------------------

test("every doc opens with its title and one line on who it is for, and the README's 'Read next' links it", () => {
  const readme = read('README.md');
  const readNext = readme.slice(readme.indexOf('## Read next'));
  assert.ok(readNext.startsWith('## Read next'), 'README.md should end with a "Read next" section');
  for (const file of markdownFiles().filter((f) => f !== 'README.md')) {
    const [title = '', blank, who = ''] = read(file).split('\n');
    assert.match(title, /^# \S/, `${file} should open with a "# Title" line`);
    assert.equal(blank, '', `${file}: a blank line should follow the title`);
    assert.match(who, /^For /, `${file}: the line after the title should say who the doc is for ("For …")`);
    assert.ok(readNext.includes(`](${file})`), `README.md's "Read next" table should link ${file}`);
  }
});
