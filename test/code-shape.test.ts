import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

// The style the README promises, checked: small functions everywhere in the project's code (the
// product, its tests, the bench and the scripts), so a long one cannot hide where no one looks.
const MAX_FUNCTION_LINES = 60;
const root = path.resolve(__dirname, '..');
/** What is not the project's own code: installed packages, git's and tools' folders, run output (.gitignore). */
const NOT_OURS = new Set(['node_modules', 'data', 'test-output']);
const CODE = /\.(ts|mts|cts|mjs|cjs|js)$/;

/** Every code file under `dir`, all the way down; dot-folders and NOT_OURS are skipped. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('.') || NOT_OURS.has(entry.name) ? [] : sourceFiles(full);
    return entry.isFile() && CODE.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** An unnamed function's caller, so a long test body reads as `test('its title')`. */
function callbackOf(node: ts.Node, source: ts.SourceFile): string {
  const call = node.parent;
  if (!call || !ts.isCallExpression(call)) return '(anonymous)';
  const title = call.arguments.find((a) => ts.isStringLiteralLike(a) || ts.isTemplateLiteral(a));
  const text = title?.getText(source) ?? '…';
  return `${call.expression.getText(source)}(${text.length > 60 ? `${text.slice(0, 59)}…` : text})`;
}

/** Every function, method and arrow longer than the limit, as `file:line name (n lines)`. */
function longFunctions(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      const name = node.name?.getText(source) ?? callbackOf(node, source);
      if (lines > MAX_FUNCTION_LINES) found.push(`${path.relative(root, file)}:${start + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('the search for code files reaches every folder of the project', () => {
  const folders = new Set(sourceFiles(root).map((f) => path.relative(root, f).split(path.sep)[0]));
  const expected = ['src', 'activities', 'workflows', 'bench', 'scripts', 'test', 'clients'].filter((d) => fs.existsSync(path.join(root, d)));
  for (const dir of expected) assert.ok(folders.has(dir), `no code files found in ${dir}/`);
  assert.ok(folders.has('eslint.config.mjs'), 'top-level files are searched too');
});

test(`no function anywhere in the project is longer than ${MAX_FUNCTION_LINES} lines`, () => {
  assert.deepEqual(sourceFiles(root).flatMap(longFunctions), []);
});
