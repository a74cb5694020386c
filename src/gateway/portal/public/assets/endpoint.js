import { api, enc } from './api.js';
import { statsChart } from './chart.js';
import { deliveryTable } from './deliveries.js';
import { facts, field, fill, h, put } from './dom.js';
import { deleteEndpoint, healthNote, toggledMessage, toggleEndpoint, typeChips } from './endpoints.js';
import { badge, FINAL_STATUSES, formatTime, time } from './format.js';
import { announce, announceError, go, pause } from './status.js';

/** How long the page follows a test delivery before leaving the customer to its own page. */
const TEST_WATCH_MS = 120_000;
const POLL_MS = 1000;

function secretSection(subscription) {
  const output = h('div', { class: 'secret' });
  const note = h('p', { class: 'hint' });
  const showSecret = (secret, previousUntil) => {
    const input = h('input', { type: 'text', readonly: true, value: secret, class: 'mono', spellcheck: 'false' });
    fill(output, field('Signing secret', input));
    note.textContent = previousUntil ? `The previous secret also signs every webhook until ${formatTime(previousUntil)}.` : '';
  };
  const reveal = async () => {
    const { secret, previousSecretExpiresAt } = await api('GET', `/v1/subscriptions/${enc(subscription.id)}/secret`);
    showSecret(secret, previousSecretExpiresAt);
  };
  const rotate = async () => {
    if (!confirm('Rotate the signing secret? The current one keeps signing beside the new one for a grace period, so you can switch over.')) return;
    const rotated = await api('POST', `/v1/subscriptions/${enc(subscription.id)}/secret/rotate`, { body: {} });
    showSecret(rotated.secret, rotated.previousSecretExpiresAt);
    announce('Secret rotated. Update your receiver to the new secret before the old one stops signing.');
  };
  const safely = (action) => () => action().catch(announceError);
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'secret-heading' },
    h('h2', { id: 'secret-heading' }, 'Signing secret'),
    h('p', { class: 'hint' }, 'Verify the webhook-signature header of every webhook with this secret (Standard Webhooks).'),
    output,
    note,
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: safely(reveal) }, 'Reveal secret'), h('button', { type: 'button', onclick: safely(rotate) }, 'Rotate secret')),
  );
}

function deliveryLine(delivery) {
  return [h('a', { href: `#/deliveries/${enc(delivery.id)}` }, `Delivery ${delivery.id}`), ': ', badge(delivery.status)];
}

/** Follows a test event to its delivery's end, showing each status it passes through. */
async function followTest(eventId, output, signal) {
  const deadline = Date.now() + TEST_WATCH_MS;
  for (;;) {
    const page = await api('GET', `/v1/deliveries?eventId=${enc(eventId)}&limit=1`, { signal });
    const delivery = page.data[0];
    if (delivery) fill(output, ...deliveryLine(delivery));
    if (delivery && FINAL_STATUSES.has(delivery.status)) return delivery;
    if (Date.now() > deadline || signal.aborted) {
      put(output, ' (still under way: open the delivery to follow it)');
      return delivery;
    }
    await pause(POLL_MS, signal);
  }
}

function testSection(subscription, signal, afterTest) {
  const output = h('p', { id: 'test-result', class: 'test-result', role: 'status', 'aria-live': 'polite' });
  const exact = subscription.eventTypes.filter((type) => !type.includes('*'));
  const typeSelect = h('select', { name: 'eventType' }, ['webhook.test', ...exact].map((type) => h('option', { value: type }, type)));
  const button = h('button', { type: 'button', class: 'primary' }, 'Send test event');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const event = await api('POST', `/v1/subscriptions/${enc(subscription.id)}/test`, { body: { eventType: typeSelect.value } });
      output.textContent = `Sent test event ${event.id}; waiting for its delivery…`;
      await followTest(event.id, output, signal);
      await afterTest();
    } catch (err) {
      announceError(err);
    } finally {
      button.disabled = false;
    }
  });
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'test-heading' },
    h('h2', { id: 'test-heading' }, 'Test this endpoint'),
    h('p', { class: 'hint' }, 'Sends one signed webhook to this endpoint only, whatever event types it subscribes to.'),
    h('div', { class: 'inline-form' }, field('Event type', typeSelect), button),
    output,
  );
}

async function refreshActivity(subscription, statsBox, recentBox, signal) {
  const [stats, recent] = await Promise.all([
    api('GET', `/v1/subscriptions/${enc(subscription.id)}/stats`, { signal }),
    api('GET', `/v1/deliveries?subscriptionId=${enc(subscription.id)}&limit=10`, { signal }),
  ]);
  fill(statsBox, statsChart(stats));
  fill(
    recentBox,
    recent.data.length === 0 ? h('p', { class: 'empty' }, 'No deliveries yet.') : deliveryTable(recent.data, { showEndpoint: false }),
    h('p', {}, h('a', { href: `#/deliveries?subscriptionId=${enc(subscription.id)}` }, 'All deliveries of this endpoint')),
  );
}

function detailActions(subscription) {
  const run = (action, after) => async () => {
    try {
      const result = await action(subscription);
      if (result) after(result);
    } catch (err) {
      announceError(err);
    }
  };
  const reopen = (updated) => go(`#/endpoints/${enc(subscription.id)}`, toggledMessage(updated));
  return h(
    'div',
    { class: 'actions' },
    h('button', { type: 'button', onclick: run(toggleEndpoint, reopen) }, subscription.status === 'active' ? 'Disable' : 'Enable'),
    h('button', { type: 'button', class: 'danger', onclick: run(deleteEndpoint, () => go('#/endpoints', `Deleted ${subscription.url}.`)) }, 'Delete'),
  );
}

/** #/endpoints/<id>: one endpoint, its secret, a test button, its last 24 hours and its recent deliveries. */
export async function endpointView(root, { id, signal }) {
  const subscription = await api('GET', `/v1/subscriptions/${enc(id)}`, { signal });
  const statsBox = h('div', { class: 'stats-box' }, h('p', { class: 'muted' }, 'Loading…'));
  const recentBox = h('div', {});
  const refresh = () => refreshActivity(subscription, statsBox, recentBox, signal);
  put(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/endpoints' }, '← Endpoints')),
    h('h1', { tabindex: '-1', class: 'url' }, subscription.url),
    h('div', { class: 'head-line' }, badge(subscription.status), subscription.description && h('span', { class: 'description' }, subscription.description)),
    healthNote(subscription),
    facts([['Event types', typeChips(subscription.eventTypes)], ['Created', time(subscription.createdAt)], ['Id', h('code', {}, subscription.id)]]),
    detailActions(subscription),
    secretSection(subscription),
    subscription.status === 'active' ? testSection(subscription, signal, refresh) : h('p', { class: 'note' }, 'Enable this endpoint to send it a test event.'),
    h('section', { class: 'panel', 'aria-labelledby': 'stats-heading' }, h('h2', { id: 'stats-heading' }, 'Last 24 hours'), statsBox),
    h('section', { class: 'panel', 'aria-labelledby': 'recent-heading' }, h('h2', { id: 'recent-heading' }, 'Recent deliveries'), recentBox),
  );
  await refresh();
}
