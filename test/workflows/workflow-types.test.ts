import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

// Clients start workflows through the contract's WorkflowTypes, never importing workflows/; the
// type checker is what holds the two together, so this test runs it on a file that assigns one to
// the other (tsx, which runs the tests, does not check types).
const root = path.resolve(__dirname, '..', '..');

test('the contract names every workflow type with the signature workflows/ implements', () => {
  const configFile = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const program = ts.createProgram([path.join(__dirname, 'fixtures', 'workflow-types.check.ts')], options);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(problems, []);
});
