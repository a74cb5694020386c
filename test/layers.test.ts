import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';

// The promise of docs/architecture.md: every folder of src/ stands on one layer, and no import runs back up.
const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');

async function layers(): Promise<string[][]> {
  const config = (await import(pathToFileURL(path.join(root, 'eslint.config.mjs')).href)) as { LAYERS: string[][] };
  return config.LAYERS;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Each relative import of a file, as [its src/ folder, the src/ folder it reaches]. */
function folderImports(file: string): [string, string][] {
  const from = path.relative(src, file).split(path.sep)[0]!;
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  return source.statements.flatMap((node) => {
    if (!(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) || !node.moduleSpecifier) return [];
    const specifier = (node.moduleSpecifier as ts.StringLiteral).text;
    if (!specifier.startsWith('.')) return [];
    const target = path.relative(src, path.resolve(path.dirname(file), specifier));
    return target.startsWith('..') ? [] : [[from, target.split(path.sep)[0]!] as [string, string]];
  });
}

test('every entry of src/ is a folder with a layer', async () => {
  const listed = new Set((await layers()).flat());
  const entries = fs.readdirSync(src, { withFileTypes: true });
  assert.deepEqual(entries.filter((e) => !e.isDirectory()).map((e) => e.name), [], 'no loose files at src/ root');
  assert.deepEqual(entries.map((e) => e.name).filter((name) => !listed.has(name)), [], 'folders missing from LAYERS');
});

test('no import in src/ runs up to a higher layer', async () => {
  const all = await layers();
  const layerOf = (folder: string) => all.findIndex((layer) => layer.includes(folder));
  const upward = sourceFiles(src)
    .flatMap(folderImports)
    .filter(([from, to]) => layerOf(to) > layerOf(from))
    .map(([from, to]) => `${from} → ${to}`);
  assert.deepEqual([...new Set(upward)], []);
});

test('lint refuses an import that runs up: the store importing an operation', async () => {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText("import { publishEvent } from '../operations/events';\nexport const x = publishEvent;\n", {
    filePath: path.join(src, 'store', 'layer-probe.ts'),
  });
  const messages = result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  assert.deepEqual(messages, ['\'../operations/events\' import is restricted from being used by a pattern. src/store/ sits below src/operations/ (LAYERS in eslint.config.mjs).']);
});
