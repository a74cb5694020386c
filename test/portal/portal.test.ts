// The consumer portal, end to end through a real browser: the operator hands out a magic link, the
// customer signs in with it and manages endpoints, tests them, follows and retries deliveries; a
// second tenant sees none of it; used and expired links, missing CSRF headers and signed-out
// sessions are refused. Needs Debian's Chromium at /usr/bin/chromium (CHROMIUM_PATH overrides the
// path); SKIP_BROWSER_TESTS=1 skips this file. Screenshots go to test-output/portal/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Subscription } from '../../src/model';
import { type Reply, TestReceiver } from '../helpers/receiver';
import { type Stack, startStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SKIP = process.env.SKIP_BROWSER_TESTS ? 'SKIP_BROWSER_TESTS is set' : false;
const OUTPUT = path.resolve(__dirname, '../../test-output/portal');
/** How long the page gets to show something; it polls the server itself once a second. */
const UI_TIMEOUT_MS = 30_000;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** What the receiver does with the next webhooks: the tests switch it to make deliveries fail or hang. */
let receiverMode: 'ok' | 'fail' | 'hang' = 'ok';
const receiver = new TestReceiver((): Reply => {
  if (receiverMode === 'hang') return 'hang';
  if (receiverMode === 'fail') return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'upstream exploded: the orders database is down' };
  return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' };
});
const HOOK_PATH = '/hooks/acme';

/** Declared event types the endpoint form offers with their description, example and deprecation. */
const CATALOG = {
  'order.created': {
    description: 'A customer placed an order; sent once it is paid.',
    schema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'integer' }, total: { type: 'string' } } },
    example: { orderId: 1001, total: '42.00' },
  },
  'order.placed': { description: 'The first name of order.created.', deprecated: true, deprecatedMessage: 'Renamed.', replacedBy: 'order.created' },
};

let stack: Stack | undefined;
let browser: Browser | undefined;
/** Every link issued, so the logs can be searched for their tokens at the end. */
const issuedLinks: string[] = [];

/** What the scenario builds up, test by test (node:test runs a file's tests in order). */
const acme: { context?: BrowserContext; page?: Page; link?: string; subscriptionId?: string; deliveryId?: string; pageErrors: string[] } = { pageErrors: [] };
let expiringLink: { url: string; expiresAt: string } | undefined;

function api(): Stack {
  assert.ok(stack, 'the stack is started');
  return stack;
}

async function issueLink(tenantId: string, body: Record<string, unknown> = {}): Promise<{ url: string; expiresAt: string }> {
  const res = await api().api('POST', `/v1/tenants/${tenantId}/portal-sessions`, body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const link = res.body as { url: string; expiresAt: string };
  issuedLinks.push(link.url);
  return link;
}

async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, name), fullPage: true });
}

/**
 * Script errors and Content-Security-Policy violations on the page. Chrome also logs every 4xx
 * answer as "Failed to load resource"; those are the refusals the tests ask for, so they are not errors.
 */
function collectPageErrors(page: Page, into: string[]): void {
  page.on('pageerror', (err) => into.push(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) into.push(`console: ${message.text()}`);
  });
}

async function newPortalPage(viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  assert.ok(browser);
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  const errors: string[] = [];
  collectPageErrors(page, errors);
  return { context, page, errors };
}

/** fetch from inside the page, with its cookie: what a script on the portal's origin can do. */
async function fetchFromPage(page: Page, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<number> {
  return page.evaluate(async ({ url, init }) => (await fetch(url, { ...init, credentials: 'same-origin' })).status, { url, init });
}

async function acmeSubscription(): Promise<Subscription> {
  return api().client.subscriptions.get(acme.subscriptionId!);
}

/** The delivery view's own status (the first badge of its summary), once it shows `status`. */
async function waitForDeliveryStatus(page: Page, status: string): Promise<void> {
  await page.locator('.delivery > dl.facts .badge').filter({ hasText: new RegExp(`^${status}$`) }).waitFor();
}

async function openAcmeEndpoint(page: Page): Promise<void> {
  await page.goto(`${api().gatewayUrl}/portal/#/endpoints/${acme.subscriptionId}`);
  await page.getByRole('heading', { level: 1, name: receiver.url(HOOK_PATH) }).waitFor();
}

before(async () => {
  if (SKIP) return;
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the portal test needs it. Install it with ` +
        '`apt-get install -y chromium` (CI does this in .ci/run), point CHROMIUM_PATH at another build, ' +
        'or set SKIP_BROWSER_TESTS=1 to skip the browser tests.',
    );
  }
  stack = await startStack({ captureLogs: true });
  await receiver.start();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  for (const [id, name] of [['acme', 'Acme Corporation'], ['globex', 'Globex']]) {
    assert.equal((await stack.api('PUT', `/v1/tenants/${id}`, { name })).status, 201);
  }
  // An event of acme's, so that the event-type catalog has a type to offer in the form.
  assert.equal((await stack.api('POST', '/v1/events', { tenantId: 'acme', type: 'order.created', data: { orderId: 1 } })).status, 202);
  // The platform's catalog: order.created declared with a schema and an example, order.placed
  // declared deprecated (and never sent), so the form shows what each type means.
  for (const [type, body] of Object.entries(CATALOG)) assert.equal((await stack.api('PUT', `/v1/event-types/${type}`, body)).status, 201);
  // Issued now and tried last: by then it has (nearly) expired, so the wait for it costs little.
  expiringLink = await issueLink('acme', { linkExpiresIn: '10s' });
});

after(async () => {
  await browser?.close();
  if (stack) {
    await receiver.stop();
    await stack.stop();
  }
});

test('a magic link opens the portal on the tenant’s endpoints, and no token stays in the address', { skip: SKIP, timeout: 60_000 }, async () => {
  const link = await issueLink('acme');
  assert.match(link.url, /\/portal\/login#token=whl_/);
  const { context, page, errors } = await newPortalPage();
  Object.assign(acme, { context, page, link: link.url, pageErrors: errors });
  await page.goto(link.url);
  await page.waitForURL((url) => url.pathname === '/portal/');
  await page.getByRole('heading', { level: 1, name: 'Endpoints' }).waitFor();
  assert.equal(await page.locator('#tenant-name').textContent(), 'Acme Corporation');
  assert.ok(!page.url().includes('token'), `the address keeps no token: ${page.url()}`);
  assert.ok(!page.url().includes('whl_'), `the address keeps no token: ${page.url()}`);
  await page.getByText('No endpoints yet').waitFor();
  const history = await page.evaluate<number>('history.length');
  assert.ok(history <= 2, 'the login page replaced its own address instead of adding entries');
});

test('the form shows each declared type’s description and example, and marks deprecated types', { skip: SKIP, timeout: 60_000 }, async () => {
  const page = acme.page!;
  const created = page.getByRole('checkbox', { name: 'order.created', exact: true });
  await created.waitFor();
  const noteId = await created.getAttribute('aria-describedby');
  assert.equal(await page.locator(`[id="${noteId}"]`).innerText(), CATALOG['order.created'].description, 'the description describes the checkbox');
  const option = page.locator('.type-option').filter({ has: created });
  await option.getByText('Example of order.created').click();
  assert.deepEqual(JSON.parse(await option.locator('pre').innerText()), CATALOG['order.created'].example);

  const placed = page.locator('.type-option').filter({ has: page.getByRole('checkbox', { name: 'order.placed', exact: true }) });
  assert.equal(await placed.locator('.badge-deprecated').innerText(), 'deprecated');
  assert.match(await placed.locator('.type-description').innerText(), /^The first name of order\.created\. Deprecated\. Renamed\. Use order\.created instead\.$/);
  assert.equal(await placed.locator('details').count(), 0, 'no example declared, none shown');
  await screenshot(page, 'endpoint-form-catalog.png');
});

test('the customer adds an endpoint through the form, and a test event to it succeeds on the page', { skip: SKIP, timeout: 90_000 }, async () => {
  const page = acme.page!;
  await page.getByLabel('Endpoint URL').fill(receiver.url(HOOK_PATH));
  await page.getByLabel('Description (optional)').fill('Order updates for the warehouse');
  await page.getByRole('checkbox', { name: 'order.created' }).check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const card = page.locator('li.card.endpoint').filter({ hasText: receiver.url(HOOK_PATH) });
  await card.waitFor();
  assert.match(await card.innerText(), /order\.created/);
  assert.match(await page.getByRole('textbox', { name: 'Signing secret' }).inputValue(), /^whsec_/, 'the new secret is shown once, where it was added');

  const listed = await api().api('GET', '/v1/subscriptions?tenantId=acme');
  const [created] = (listed.body.data as Subscription[]).filter((s) => s.url === receiver.url(HOOK_PATH));
  assert.ok(created);
  assert.deepEqual(created.eventTypes, ['order.created']);
  assert.equal(created.description, 'Order updates for the warehouse');
  acme.subscriptionId = created.id;
  // A short schedule (two attempts, 1s apart) so that a failing delivery ends within the test.
  const patched = await api().api('PATCH', `/v1/subscriptions/${created.id}`, { retrySchedule: ['0', '1s'], timeoutMs: 5000 });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  await screenshot(page, 'endpoints.png');

  await page.getByRole('link', { name: receiver.url(HOOK_PATH) }).click();
  await page.getByRole('heading', { level: 2, name: 'Test this endpoint' }).waitFor();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.locator('#test-result .badge').filter({ hasText: /^succeeded$/ }).waitFor();
  assert.equal(receiver.to(HOOK_PATH).length, 1);
  assert.equal(JSON.parse(receiver.to(HOOK_PATH)[0]!.body).type, 'webhook.test');
});

test('the signing secret can be revealed and rotated', { skip: SKIP, timeout: 60_000 }, async () => {
  const page = acme.page!;
  const secret = await api().api('GET', `/v1/subscriptions/${acme.subscriptionId}/secret`);
  await page.getByRole('button', { name: 'Reveal secret' }).click();
  const input = page.getByRole('textbox', { name: 'Signing secret' });
  await waitUntil(async () => (await input.inputValue()) === secret.body.secret, { what: 'the revealed secret', timeoutMs: UI_TIMEOUT_MS });
  assert.equal(await input.getAttribute('readonly'), '');

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await page.getByText('The previous secret also signs every webhook until').waitFor();
  const rotated = await api().api('GET', `/v1/subscriptions/${acme.subscriptionId}/secret`);
  assert.notEqual(rotated.body.secret, secret.body.secret);
  assert.equal(await input.inputValue(), rotated.body.secret);
  assert.ok(rotated.body.previousSecretExpiresAt);
});

test('a failing endpoint’s delivery shows each failed attempt; Retry succeeds once the receiver is back', { skip: SKIP, timeout: 90_000 }, async () => {
  const page = acme.page!;
  receiverMode = 'fail';
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.locator('#test-result .badge').filter({ hasText: /^failed$/ }).waitFor();
  const link = page.locator('#test-result a');
  acme.deliveryId = (await link.innerText()).replace(/^Delivery /, '');
  await link.click();

  await page.getByRole('heading', { level: 1, name: `Delivery ${acme.deliveryId}` }).waitFor();
  await waitForDeliveryStatus(page, 'failed');
  const attempts = page.locator('ol.attempts > li');
  assert.equal(await attempts.count(), 2);
  for (const attempt of await attempts.all()) {
    const text = await attempt.innerText();
    assert.match(text, /Status code\s+500/i);
    assert.match(text, /upstream exploded/);
  }
  // The payload that was sent, and the delivery's place in the endpoint's order.
  assert.match(await page.getByLabel('The event payload sent').innerText(), /A test event from the webhook service/);
  assert.match(await page.locator('.delivery').innerText(), /Sequence\s+#\d+/i);
  await screenshot(page, 'delivery-failed.png');

  receiverMode = 'ok';
  await page.getByRole('button', { name: 'Retry' }).click();
  await waitForDeliveryStatus(page, 'succeeded');
  await page.locator('ol.attempts > li').nth(2).getByText('200', { exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Retry' }).isDisabled(), true, 'a succeeded delivery cannot be retried');
  await screenshot(page, 'delivery.png');
});

test('a delivery still being sent refuses Retry with the server’s reason, and Cancel ends it', { skip: SKIP, timeout: 90_000 }, async () => {
  const page = acme.page!;
  await openAcmeEndpoint(page);
  receiverMode = 'hang';
  const before = receiver.to(HOOK_PATH).length;
  await page.getByRole('button', { name: 'Send test event' }).click();
  await receiver.waitFor(() => receiver.to(HOOK_PATH).length > before, UI_TIMEOUT_MS, 'the hanging attempt');
  await page.locator('#test-result a').click();
  await waitForDeliveryStatus(page, 'delivering');

  await page.getByRole('button', { name: 'Retry' }).click();
  await page.locator('#status.error').filter({ hasText: 'its workflow is running; cancel it first' }).waitFor();
  await page.getByRole('button', { name: 'Cancel delivery' }).click();
  await waitForDeliveryStatus(page, 'cancelled');
  receiverMode = 'ok';
});

test('the endpoint page charts the last 24 hours and lists its recent deliveries', { skip: SKIP, timeout: 60_000 }, async () => {
  const page = acme.page!;
  await openAcmeEndpoint(page);
  const chart = page.getByRole('img', { name: /Attempts per hour over the last 24 hours/ });
  await chart.waitFor();
  // All within the last hour or two (a test may straddle the hour).
  assert.ok((await page.locator('svg.chart rect.bar-ok').count()) >= 1, 'an hour with successes');
  assert.ok((await page.locator('svg.chart rect.bar-fail').count()) >= 1, 'an hour with failures');
  const numbers = await page.locator('.stats .numbers').innerText();
  assert.match(numbers, /Success rate\s+\d+(\.\d)?%/);
  assert.match(numbers, /Average latency\s+\d/);
  const recent = page.locator('table.deliveries tbody tr');
  assert.equal(await recent.count(), 3);
  await screenshot(page, 'endpoint.png');
});

test('the deliveries list filters by status and dates, and pages', { skip: SKIP, timeout: 60_000 }, async () => {
  const page = acme.page!;
  await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Deliveries' }).waitFor();
  const rows = page.locator('table.deliveries tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 3);
  await screenshot(page, 'deliveries.png');

  await page.getByLabel('Status').selectOption('succeeded');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/status=succeeded/);
  await waitUntil(async () => (await rows.count()) === 2, { what: 'two succeeded deliveries', timeoutMs: UI_TIMEOUT_MS });
  for (const text of await rows.allInnerTexts()) assert.match(text, /succeeded/);

  await page.getByLabel('Created from').fill('2099-01-01T00:00:00');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText('No deliveries match these filters.').waitFor();

  await page.goto(`${api().gatewayUrl}/portal/#/deliveries?limit=2`);
  await waitUntil(async () => (await rows.count()) === 2, { what: 'a first page of two', timeoutMs: UI_TIMEOUT_MS });
  const firstPage = await rows.locator('a.mono').allInnerTexts();
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByRole('link', { name: 'First page' }).waitFor();
  assert.equal(await rows.count(), 1);
  const secondPage = await rows.locator('a.mono').allInnerTexts();
  assert.equal(new Set([...firstPage, ...secondPage]).size, 3, 'the pages do not overlap');
  await rows.locator('a.mono').first().click();
  await page.getByRole('heading', { level: 1, name: `Delivery ${secondPage[0]}` }).waitFor();
});

test('endpoints can be edited, disabled, enabled and deleted', { skip: SKIP, timeout: 60_000 }, async () => {
  const page = acme.page!;
  await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
  const card = page.locator('li.card.endpoint').filter({ hasText: receiver.url(HOOK_PATH) });
  await card.getByRole('button', { name: `Edit ${receiver.url(HOOK_PATH)}` }).click();
  await card.getByLabel('Description (optional)').fill('Orders, all of them');
  await card.getByLabel('Other types or patterns').fill('order.*');
  await card.getByRole('button', { name: 'Save changes' }).click();
  await card.getByText('Orders, all of them').waitFor();
  assert.deepEqual((await acmeSubscription()).eventTypes, ['order.created', 'order.*']);

  await card.getByRole('button', { name: `Disable ${receiver.url(HOOK_PATH)}` }).click();
  await card.locator('.badge').filter({ hasText: /^disabled$/ }).waitFor();
  assert.equal((await acmeSubscription()).status, 'disabled');
  await card.getByRole('button', { name: `Enable ${receiver.url(HOOK_PATH)}` }).click();
  await card.locator('.badge').filter({ hasText: /^active$/ }).waitFor();

  // A second endpoint, typed patterns only, to delete (after a confirm()).
  const spare = receiver.url('/hooks/spare');
  await page.getByLabel('Endpoint URL').fill(spare);
  await page.getByLabel('Other types or patterns', { exact: true }).last().fill('invoice.*, *');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const spareCard = page.locator('li.card.endpoint').filter({ hasText: spare });
  await spareCard.waitFor();
  page.once('dialog', (dialog) => void dialog.accept());
  await spareCard.getByRole('button', { name: `Delete ${spare}` }).click();
  await spareCard.waitFor({ state: 'detached' });
  await page.locator('#status').filter({ hasText: `Deleted ${spare}` }).waitFor();

  await page.getByLabel('Endpoint URL').fill('not a url');
  await page.getByRole('checkbox', { name: 'order.created' }).last().check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.locator('.form-error').getByText('Endpoint URL: must be an http(s) URL').waitFor();
});

test('custom headers are added, shown again, refused with the field named, and removed in the endpoint form', { skip: SKIP, timeout: 60_000 }, async () => {
  const page = acme.page!;
  await page.getByRole('link', { name: 'Endpoints', exact: true }).click();
  const card = page.locator('li.card.endpoint').filter({ hasText: receiver.url(HOOK_PATH) });
  const editButton = card.getByRole('button', { name: `Edit ${receiver.url(HOOK_PATH)}` });
  const save = card.getByRole('button', { name: 'Save changes' });

  await editButton.click();
  await card.getByRole('button', { name: 'Add header' }).click();
  await card.getByLabel('Header name').last().fill('X-Api-Key');
  await card.getByLabel('Header value').last().fill('portal-key-42');
  await card.getByRole('button', { name: 'Add header' }).click();
  await card.getByLabel('Header name').last().fill('X-Route');
  await card.getByLabel('Header value').last().fill('eu-1');
  await save.click();
  await editButton.waitFor();
  assert.deepEqual((await acmeSubscription()).headers, { 'X-Api-Key': 'portal-key-42', 'X-Route': 'eu-1' });
  assert.equal(await card.getByText('portal-key-42').count(), 0, 'the card shows no header value');

  // Editing again shows the values (read from the one endpoint; lists mask them).
  await editButton.click();
  await card.getByLabel('Header value').last().waitFor();
  assert.deepEqual(await card.getByLabel('Header value').evaluateAll((inputs) => inputs.map((i) => (i as unknown as { value: string }).value)), ['portal-key-42', 'eu-1']);
  await card.getByLabel('Header name').last().fill('Connection');
  await save.click();
  await card.locator('.form-error').getByText(/^Header Connection: cannot be set: /).waitFor();
  await card.getByRole('button', { name: 'Remove header Connection' }).click();
  await save.click();
  await editButton.waitFor();
  assert.deepEqual((await acmeSubscription()).headers, { 'X-Api-Key': 'portal-key-42' });
  await screenshot(page, 'endpoint-headers.png');

  // The webhook carries it.
  const before = receiver.to(HOOK_PATH).length;
  const sent = await api().api('POST', `/v1/subscriptions/${acme.subscriptionId!}/test`, {});
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  await receiver.waitFor(() => receiver.to(HOOK_PATH).length > before);
  assert.equal(receiver.to(HOOK_PATH).at(-1)!.headers['x-api-key'], 'portal-key-42');

  await editButton.click();
  await card.getByRole('button', { name: 'Remove header X-Api-Key' }).click();
  await save.click();
  await editButton.waitFor();
  assert.deepEqual((await acmeSubscription()).headers, {});
});

test('another tenant’s session sees none of acme’s endpoints or deliveries', { skip: SKIP, timeout: 60_000 }, async () => {
  const link = await issueLink('globex');
  const { context, page, errors } = await newPortalPage();
  try {
    await page.goto(link.url);
    await page.getByText('No endpoints yet').waitFor();
    assert.equal(await page.locator('#tenant-name').textContent(), 'Globex');
    assert.equal(await fetchFromPage(page, `/v1/deliveries/${acme.deliveryId}`), 404);
    assert.equal(await fetchFromPage(page, `/v1/subscriptions/${acme.subscriptionId}`), 404);
    const csrf = await page.evaluate(async () => ((await (await fetch('/portal/session')).json()) as { csrfToken: string }).csrfToken);
    const retry = await fetchFromPage(page, `/v1/deliveries/${acme.deliveryId}/retry`, { method: 'POST', headers: { 'x-csrf-token': csrf } });
    assert.equal(retry, 404, 'with a valid CSRF token, acme’s delivery is still not found');
    const own = await page.evaluate(async () => (await (await fetch('/v1/deliveries')).json()) as { data: unknown[] });
    assert.deepEqual(own.data, []);
    await page.goto(`${api().gatewayUrl}/portal/#/deliveries/${acme.deliveryId}`);
    await page.getByRole('heading', { level: 1, name: 'Delivery' }).waitFor();
    await page.locator('.notice.error').getByText(`No delivery with id ${acme.deliveryId}`).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a used, an unknown or an expired link is refused with a message', { skip: SKIP, timeout: 60_000 }, async () => {
  const { context, page, errors } = await newPortalPage();
  try {
    await page.goto(acme.link!);
    await page.locator('#login-status').filter({ hasText: 'This sign-in link has already been used. Ask for a new link.' }).waitFor();
    assert.ok(!page.url().includes('token'), 'a refused token is dropped from the address too');
    await page.getByRole('heading', { level: 1, name: 'This link cannot sign you in' }).waitFor();
    await screenshot(page, 'login-refused.png');

    // A fresh load each time, as a link opened from an email is (a new fragment alone would not reload the page).
    await page.goto('about:blank');
    await page.goto(`${api().gatewayUrl}/portal/login#token=whl_not-a-real-token`);
    await page.locator('#login-status').filter({ hasText: 'This sign-in link is not valid.' }).waitFor();

    const link = expiringLink!;
    await waitUntil(() => Date.now() > Date.parse(link.expiresAt), { timeoutMs: 20_000, intervalMs: 100, what: 'the 10s link to expire' });
    await page.goto('about:blank');
    await page.goto(link.url);
    await page.locator('#login-status').filter({ hasText: 'This sign-in link has expired. Ask for a new link.' }).waitFor();
    // Nobody is signed in here, so there is no way on to the portal.
    assert.equal(await page.getByRole('link', { name: 'Go to your webhooks' }).isVisible(), false);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a write with the session cookie but without the X-CSRF-Token header is refused (403)', { skip: SKIP, timeout: 30_000 }, async () => {
  const page = acme.page!;
  const patch = { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: 'forged' }) };
  assert.equal(await fetchFromPage(page, `/v1/subscriptions/${acme.subscriptionId}`, patch), 403);
  assert.equal(await fetchFromPage(page, `/v1/subscriptions/${acme.subscriptionId}`, { ...patch, headers: { ...patch.headers, 'x-csrf-token': 'wrong' } }), 403);
  assert.equal(await fetchFromPage(page, `/v1/subscriptions/${acme.subscriptionId}`, { method: 'DELETE' }), 403);
  assert.equal(await fetchFromPage(page, '/portal/session', { method: 'DELETE' }), 403);
  assert.equal((await acmeSubscription()).description, 'Orders, all of them');
  // Reads need no header.
  assert.equal(await fetchFromPage(page, `/v1/subscriptions/${acme.subscriptionId}`), 200);
});

test('at phone width (375 px) the views fit without scrolling sideways', { skip: SKIP, timeout: 60_000 }, async () => {
  const page = await acme.context!.newPage();
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  collectPageErrors(page, acme.pageErrors);
  await page.setViewportSize(PHONE);
  try {
    const widthOf = () => page.evaluate<number>('document.documentElement.scrollWidth');
    await page.goto(`${api().gatewayUrl}/portal/#/endpoints`);
    await page.locator('li.card.endpoint').first().waitFor();
    assert.ok((await widthOf()) <= PHONE.width, `endpoints: scrollWidth ${await widthOf()}`);
    await screenshot(page, 'phone-endpoints.png');
    await page.goto(`${api().gatewayUrl}/portal/#/deliveries`);
    await page.locator('table.deliveries tbody tr').first().waitFor();
    assert.ok((await widthOf()) <= PHONE.width, `deliveries: scrollWidth ${await widthOf()}`);
    await screenshot(page, 'phone-deliveries.png');
    await page.goto(`${api().gatewayUrl}/portal/#/deliveries/${acme.deliveryId}`);
    await page.locator('ol.attempts > li').first().waitFor();
    assert.ok((await widthOf()) <= PHONE.width, `delivery: scrollWidth ${await widthOf()}`);
    await screenshot(page, 'phone-delivery.png');
  } finally {
    await page.close();
  }
});

test('the portal’s responses carry its security headers, and the session routes refuse bad input', { skip: SKIP, timeout: 30_000 }, async () => {
  const base = api().gatewayUrl;
  const page = await fetch(`${base}/portal/`);
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-security-policy'), CSP);
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal((await fetch(`${base}/portal/login`)).status, 200);
  const script = await fetch(`${base}/portal/assets/app.js`);
  assert.match(script.headers.get('content-type') ?? '', /javascript/);
  assert.equal(script.headers.get('content-security-policy'), CSP);
  const bare = await fetch(`${base}/portal`, { redirect: 'manual' });
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get('location'), '/portal/');
  assert.equal((await fetch(`${base}/portal/nothing-here`)).status, 404);

  const post = (body: string) => fetch(`${base}/portal/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const missing = await post('{}');
  assert.equal(missing.status, 400);
  assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);
  assert.equal((await post(JSON.stringify({ token: 'x'.repeat(5000) }))).status, 413);
  assert.equal((await post('{not json')).status, 400);
  const asForm = await fetch(`${base}/portal/session`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"token":"whl_x"}' });
  assert.equal(asForm.status, 415, 'what a cross-site form can send is refused');
  assert.equal((await post(JSON.stringify({ token: 'whl_unknown' }))).status, 401);
  assert.equal((await fetch(`${base}/portal/session`)).status, 401);
});

test('a session opened outside the browser has a strict, http-only cookie and ends on sign-out', { skip: SKIP, timeout: 30_000 }, async () => {
  const base = api().gatewayUrl;
  const link = await issueLink('globex', { sessionExpiresIn: '2m' });
  const token = new URL(link.url).hash.replace('#token=', '');
  const opened = await fetch(`${base}/portal/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  assert.equal(opened.status, 200);
  const session = (await opened.json()) as { tenant: { id: string; name: string }; csrfToken: string; expiresAt: string };
  assert.deepEqual(session.tenant, { id: 'globex', name: 'Globex' });
  const setCookie = opened.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /^whp_session=whs_[A-Za-z0-9_-]+;/);
  for (const attribute of [/; HttpOnly/i, /; SameSite=Strict/i, /; Path=\//, /; Max-Age=1[12]\d\b/]) assert.match(setCookie, attribute);
  assert.doesNotMatch(setCookie, /; Secure/i, 'http://127.0.0.1 gets no Secure cookie (PUBLIC_URL is not https)');
  const cookie = setCookie.split(';')[0]!;

  const shown = await fetch(`${base}/portal/session`, { headers: { cookie } });
  assert.deepEqual(await shown.json(), session);
  assert.equal((await fetch(`${base}/portal/session`, { method: 'DELETE', headers: { cookie } })).status, 403);
  const ended = await fetch(`${base}/portal/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': session.csrfToken } });
  assert.equal(ended.status, 204);
  assert.match(ended.headers.get('set-cookie') ?? '', /^whp_session=;.*Expires=Thu, 01 Jan 1970/);
  assert.equal((await fetch(`${base}/portal/session`, { headers: { cookie } })).status, 401);
  assert.equal((await fetch(`${base}/v1/subscriptions`, { headers: { cookie } })).status, 401);
});

test('Sign out ends the session; a reload says it has ended', { skip: SKIP, timeout: 30_000 }, async () => {
  const page = acme.page!;
  await page.goto(`${api().gatewayUrl}/portal/#/endpoints`);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out. To come back, ask for a new link.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).isVisible(), false);
  await page.reload();
  await page.getByText('Your session has ended; ask for a new link.').waitFor();
  await screenshot(page, 'session-ended.png');
  assert.equal(await fetchFromPage(page, '/v1/subscriptions'), 401);
  assert.deepEqual(acme.pageErrors, [], 'no script error or CSP violation on acme’s pages');
  await acme.context!.close();
});

test('no portal token reaches the logs', { skip: SKIP }, () => {
  const logs = api().logs.join('\n');
  assert.ok(logs.includes('portal session opened'), 'the logs were captured');
  for (const url of issuedLinks) {
    const token = new URL(url).hash.replace('#token=', '');
    assert.ok(!logs.includes(token), 'a link token is in the logs');
  }
  assert.doesNotMatch(logs, /whs_[A-Za-z0-9_-]{20}/, 'a session token is in the logs');
});
