import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/core/logger';
import { devLogFormat, logPrettifier, prettyPrintLines } from '../../scripts/lib/pretty-logs';

/** A service's logger (the one the worker and gateway use) and the lines `npm run dev` would print for it. */
function prettyService(name: string): { logger: ReturnType<typeof createLogger>; printed: () => string[] } {
  const prettify = logPrettifier({ colorize: false });
  const printed: string[] = [];
  const logger = createLogger(name, 'info', { write: (line: string) => void printed.push(...prettify(line).split('\n').filter(Boolean)) });
  return { logger, printed: () => printed };
}

test('npm run dev prints a JSON log line as time, level, service and message on one line', () => {
  const { logger, printed } = prettyService('worker');
  logger.info({ taskQueue: 'webhooks', eventId: 'evt_1' }, 'worker started');
  logger.warn('endpoint disabled');
  const [started, warned] = printed();
  assert.match(started!, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(worker\): worker started /);
  assert.match(started!, /"eventId":"evt_1"/, 'the fields follow the message');
  assert.match(warned!, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN \(worker\): endpoint disabled$/);
  for (const line of printed()) {
    assert.doesNotMatch(line, /^\s*\{/, `no line starts as raw JSON: ${line}`);
    assert.throws(() => JSON.parse(line), SyntaxError, `not a JSON line: ${line}`);
  }
  assert.equal(printed().length, 2);
});

test('secrets are redacted before the line is formatted: pretty output shows none', () => {
  const { logger, printed } = prettyService('gateway');
  logger.info(
    {
      secret: 'whsec_c2VjcmV0LXZhbHVlLTQ3MTE=',
      authorization: 'Bearer tok-4711',
      subscription: { id: 'sub_1', secret: 'whsec_nested-4711', headers: { 'X-Api-Key': 'hdr-4711' } },
      proxyUrl: 'http://relay:px-4711@proxy:3128',
      url: 'https://hooks.example.com/in?api_key=query-4711',
    },
    'subscription created',
  );
  const all = printed().join('\n');
  assert.doesNotMatch(all, /4711/, 'no secret reaches the terminal');
  assert.match(all, /"secret":"\[redacted\]"/);
  assert.match(all, /"id":"sub_1"/, 'the rest of the line stays');
  assert.match(all, /"url":"https:\/\/hooks\.example\.com\/in"/, 'a url is cut to origin and path');
});

test("an error's stack is printed on lines of its own", () => {
  const { logger, printed } = prettyService('worker');
  logger.error({ err: new Error('receiver unreachable') }, 'attempt failed');
  assert.match(printed()[0]!, /ERROR \(worker\): attempt failed/);
  assert.ok(printed().some((l) => /^\s+Error: receiver unreachable$/.test(l)), printed().join('\n'));
  assert.ok(printed().some((l) => /^\s+at /.test(l)), 'the stack follows');
});

test("lines that are not JSON (a crash message) pass through as they were, and the stream's end is awaited", async () => {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const done = prettyPrintLines(input, output, logPrettifier({ colorize: false }));
  input.write('{"level":30,"time":"2026-12-05T01:02:03.456Z","name":"gateway","service":"gateway","msg":"gateway listening"}\n');
  input.write('Error: listen EADDRINUSE: address already in use\n\n');
  input.end('{"level":50,"time":"2026-12-05T01:02:04.000Z","name":"gateway","msg":"last line, without a newline"}');
  await done;
  const lines = text.split('\n');
  assert.match(lines[0]!, /^\[\d\d:\d\d:\d\d\.456\] INFO \(gateway\): gateway listening$/);
  assert.equal(lines[1], 'Error: listen EADDRINUSE: address already in use');
  assert.match(lines[2]!, /ERROR \(gateway\): last line, without a newline$/);
});

test('DEV_LOG_FORMAT is pretty by default, json on request, and nothing else', () => {
  assert.equal(devLogFormat({}), 'pretty');
  assert.equal(devLogFormat({ DEV_LOG_FORMAT: '' }), 'pretty');
  assert.equal(devLogFormat({ DEV_LOG_FORMAT: 'json' }), 'json');
  assert.throws(() => devLogFormat({ DEV_LOG_FORMAT: 'yaml' }), /DEV_LOG_FORMAT must be pretty or json/);
});
