// The TypeScript client's generated files are checked in (a producer builds the client without
// running the gateway), so a route or schema changed without `npm run client:generate` fails here,
// naming the file that is behind. No servers: the document is built from the route table.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLIENT_DIR, generateClientFiles } from '../../scripts/generate-client';

const ROOT = path.resolve(__dirname, '..', '..');

/** The first line where two texts differ, to point at the change rather than print 7,000 lines. */
function firstDifference(actual: string, expected: string): string {
  const a = actual.split('\n');
  const e = expected.split('\n');
  const line = e.findIndex((text, i) => a[i] !== text);
  const at = line === -1 ? e.length : line;
  return `line ${at + 1}: checked in ${JSON.stringify(a[at] ?? '(end of file)')}, generated ${JSON.stringify(e[at] ?? '(end of file)')}`;
}

test(`the generated files in ${CLIENT_DIR} are what npm run client:generate writes now`, async () => {
  const files = await generateClientFiles();
  assert.ok(files.length >= 2, 'the OpenAPI document and the types');
  const stale = files.flatMap((file) => {
    const full = path.join(ROOT, file.path);
    if (!fs.existsSync(full)) return [`${file.path} is missing`];
    const current = fs.readFileSync(full, 'utf8');
    return current === file.content ? [] : [`${file.path} differs from what the script generates (${firstDifference(current, file.content)})`];
  });
  assert.deepEqual(stale, [], `${stale.join('\n')}\nRun \`npm run client:generate\` and commit the result.`);
});
