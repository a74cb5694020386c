// The Temporal Web UI, seen through a real browser: an event's workflows are found by their
// WebhookEventId search attribute, and a delivery workflow shows its summary
// (`<event type> → <receiver>`). Needs Debian's Chromium at /usr/bin/chromium (CI installs it in
// .ci/run; CHROMIUM_PATH overrides the path); SKIP_BROWSER_TESTS=1 skips this file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { deliveryWorkflowId, eventWorkflowId } from '../../src/contract';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { freePort } from '../helpers/ports';
import { TestReceiver } from '../helpers/receiver';
import { type Stack, startStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SKIP = process.env.SKIP_BROWSER_TESTS ? 'SKIP_BROWSER_TESTS is set' : false;
const OUTPUT = path.resolve(__dirname, '../../test-output');
/** How long the UI gets to show something: it polls the server itself, so this is generous. */
const UI_TIMEOUT_MS = 30_000;


const receiver = new TestReceiver(() => ({ status: 200 }));
let stack: Stack | undefined;
let browser: Browser | undefined;
let uiUrl = '';

before(async () => {
  if (SKIP) return;
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the Web UI test needs it. Install it with ` +
        '`apt-get install -y chromium` (CI does this in .ci/run), point CHROMIUM_PATH at another build, ' +
        'or set SKIP_BROWSER_TESTS=1 to skip the browser tests.',
    );
  }
  const uiPort = await freePort();
  uiUrl = `http://127.0.0.1:${uiPort}`;
  stack = await startStack({ uiPort });
  await receiver.start();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close();
  if (stack) {
    await receiver.stop();
    await stack.stop();
  }
});

/** The workflow ids the page links to (a row links its id, run id and type; only the id looks like this). */
async function listedWorkflowIds(page: Page): Promise<string[]> {
  const texts = await page.getByRole('link').allInnerTexts();
  return texts.map((t) => t.trim()).filter((t) => /^(event|fanout|delivery|replay):/.test(t));
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, name), fullPage: true });
}

type Subscription = Awaited<ReturnType<typeof createSubscription>>;

/**
 * Another event to the same subscribers first, then the one the page is asked about: the other's
 * workflows must not show up in the filtered list. Both delivered before the browser looks.
 */
async function postTwoEvents(stack: Stack): Promise<{ otherId: string; eventId: string }> {
  const other = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'order.created', data: { orderId: 1 } });
  assert.equal(other.status, 202);
  const otherId = other.body.id as string;
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'order.created', data: { orderId: 2 } });
  assert.equal(posted.status, 202);
  const eventId = posted.body.id as string;
  for (const id of [otherId, eventId]) {
    const deliveries = await waitForEventDone(stack, id, 2);
    assert.deepEqual(deliveries.map((d) => d.status), ['succeeded', 'succeeded']);
  }
  assert.equal(receiver.requests.length, 4);
  return { otherId, eventId };
}

/** Waits for the event workflow to close and for visibility to catch up, so the page has no reason to lag. */
async function awaitVisibility(stack: Stack, eventId: string, expected: string[]): Promise<void> {
  await stack.env.client.workflow.getHandle(eventWorkflowId(eventId)).result();
  await waitUntil(
    async () => {
      let n = 0;
      for await (const wf of stack.env.client.workflow.list({ query: `WebhookEventId="${eventId}" AND ExecutionStatus="Completed"` })) {
        if (wf.workflowId) n++;
      }
      return n === expected.length;
    },
    { what: `visibility to list the ${expected.length} completed workflows of the event` },
  );
}

/** The list, filtered by the event's search attribute, shows exactly `expected` and not the other event. */
async function checkFilteredList(page: Page, eventId: string, otherId: string, expected: string[]): Promise<void> {
  // Unfiltered, the list does show the other event (so its absence below means the filter works).
  await page.goto(`${uiUrl}/namespaces/default/workflows`);
  await page.getByRole('link', { name: eventWorkflowId(otherId), exact: true }).waitFor();

  const query = `WebhookEventId="${eventId}"`;
  await page.goto(`${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
  const listed = await waitUntil(
    async () => {
      const ids = await listedWorkflowIds(page);
      return ids.length === expected.length && new Set(ids).size === expected.length && ids.every((id) => expected.includes(id)) && ids;
    },
    { timeoutMs: UI_TIMEOUT_MS, intervalMs: 200, what: `the Web UI to list ${expected.join(', ')}` },
  ).catch(async (err: unknown) => {
    throw new Error(`${String(err)}; the page lists ${JSON.stringify(await listedWorkflowIds(page))}`);
  });
  assert.deepEqual(new Set(listed), new Set(expected));
  for (const id of expected) await page.getByRole('link', { name: id, exact: true }).waitFor();
  await page.getByRole('cell', { name: 'Completed' }).first().waitFor();
  const listText = await page.locator('body').innerText();
  assert.ok(!listText.includes(otherId), `the other event ${otherId} must not be listed`);
  assert.match(listText, new RegExp(`\\b${expected.length}\\s+Workflows\\b`), `the page counts ${expected.length} workflows`);
  await screenshot(page, 'web-ui-list.png');
}

/** One delivery, opened from the list: its summary is under the User Metadata tab. */
async function checkDeliverySummary(page: Page, eventId: string, sub: Subscription): Promise<void> {
  const deliveryId = deliveryWorkflowId(eventId, sub.id);
  await page.getByRole('link', { name: deliveryId, exact: true }).click();
  await page.waitForURL((url) => url.pathname.includes(`/workflows/${encodeURIComponent(deliveryId)}/`));
  await page.getByRole('heading', { name: deliveryId }).waitFor();
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  await page.getByRole('heading', { name: 'Summary', exact: true }).waitFor();
  // The UI renders the summary (markdown) in an iframe of its own.
  const summary = `order.created → ${receiver.url('/hooks/a')}`;
  await page.locator('iframe#user-metadata-summary').contentFrame().getByText(summary).waitFor();
  await page.locator('iframe#user-metadata-details').contentFrame().getByText(`to subscription ${sub.id}`).waitFor();
  await screenshot(page, 'web-ui-delivery.png');
}

test('the Web UI lists exactly an event’s workflows and shows a delivery’s summary', { skip: SKIP, timeout: 180_000 }, async () => {
  assert.ok(stack && browser);
  const subs = [
    await createSubscription(stack, { url: receiver.url('/hooks/a'), eventTypes: ['order.created'] }),
    await createSubscription(stack, { url: receiver.url('/hooks/b'), eventTypes: ['order.created'] }),
  ];
  const { otherId, eventId } = await postTwoEvents(stack);

  // The event workflow and a delivery per subscriber (two subscribers need no fan-out shard).
  const expected = [eventWorkflowId(eventId), ...subs.map((s) => deliveryWorkflowId(eventId, s.id))];
  await awaitVisibility(stack, eventId, expected);

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  try {
    await checkFilteredList(page, eventId, otherId, expected);
    await checkDeliverySummary(page, eventId, subs[0]!);
  } catch (err) {
    await screenshot(page, 'web-ui-failure.png').catch(() => undefined);
    throw err;
  } finally {
    await page.close();
  }
});
