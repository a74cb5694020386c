import { api, enc } from './api.js';
import { facts, fill, h, put } from './dom.js';
import { badge, FINAL_STATUSES, formatDuration, statusLabel, time } from './format.js';
import { announce, announceError, pause } from './status.js';

/** An open delivery is re-read this often, for this long, so its status stays live on screen. */
const POLL_MS = 1000;
const WATCH_MS = 120_000;

function attemptItem(attempt) {
  return h(
    'li',
    { class: 'card attempt' },
    h('h3', {}, `Attempt ${attempt.number} `, badge(attempt.outcome)),
    facts([
      ['Started', time(attempt.startedAt)],
      ['Duration', formatDuration(attempt.durationMs)],
      ['Status code', attempt.statusCode === null ? '' : String(attempt.statusCode)],
      ['Error', attempt.error],
    ]),
    attempt.responseBody && h('h4', {}, 'Response body'),
    attempt.responseBody && h('pre', { class: 'body', tabindex: '0' }, attempt.responseBody),
  );
}

function summary(delivery, endpointUrl) {
  return facts([
    ['Status', badge(delivery.status)],
    ['Sequence', `#${delivery.sequence}`],
    ['Event type', delivery.eventType],
    ['Event id', h('code', {}, delivery.eventId)],
    ['Endpoint', h('a', { href: `#/endpoints/${enc(delivery.subscriptionId)}`, class: 'url' }, endpointUrl ?? delivery.subscriptionId)],
    ['Created', time(delivery.createdAt)],
    ['Last attempt', time(delivery.lastAttemptAt)],
    ['Next attempt', FINAL_STATUSES.has(delivery.status) ? '' : time(delivery.nextAttemptAt)],
    ['Completed', time(delivery.completedAt)],
    ['Last error', delivery.lastError],
  ]);
}

function show(box, delivery, endpointUrl, payload) {
  const attempts = [...delivery.attempts].sort((a, b) => a.number - b.number);
  fill(
    box,
    summary(delivery, endpointUrl),
    payload !== undefined && h('h2', {}, 'Payload'),
    payload !== undefined && h('pre', { class: 'body', tabindex: '0', 'aria-label': 'The event payload sent' }, JSON.stringify(payload, null, 2)),
    h('h2', {}, `Attempts (${attempts.length})`),
    attempts.length === 0 ? h('p', { class: 'empty' }, 'No attempt yet.') : h('ol', { class: 'attempts' }, attempts.map(attemptItem)),
  );
}

/** The event's data, as every attempt sent it. */
async function payloadOf(eventId, signal) {
  const event = await api('GET', `/v1/events/${enc(eventId)}`, { signal }).catch(() => undefined);
  return event?.data;
}

function actionButtons(id, load) {
  // The server decides what is allowed (409 with its reason); the page says what it answered.
  const act = (verb, done) => async () => {
    try {
      await api('POST', `/v1/deliveries/${enc(id)}/${verb}`);
      announce(done);
    } catch (err) {
      announceError(err);
    }
    await load();
  };
  return {
    retry: h('button', { type: 'button', class: 'primary', onclick: act('retry', 'Retry started.') }, 'Retry'),
    cancel: h('button', { type: 'button', class: 'danger', onclick: act('cancel', 'Cancelling…') }, 'Cancel delivery'),
    refresh: h('button', { type: 'button', onclick: load }, 'Refresh'),
  };
}

/** The endpoint's URL to show beside the delivery; its id when the endpoint has been deleted since. */
async function endpointUrlOf(subscriptionId, signal) {
  const subscription = await api('GET', `/v1/subscriptions/${enc(subscriptionId)}`, { signal }).catch(() => undefined);
  return subscription?.url;
}

/** #/deliveries/<id>: one delivery, every attempt, and Retry / Cancel; follows it live while it is open. */
export async function deliveryView(root, { id, signal }) {
  const box = h('div', { class: 'delivery' });
  const watch = { until: Date.now() + WATCH_MS, running: false, status: undefined, endpointUrl: undefined, payload: undefined };
  const fetchDelivery = () => api('GET', `/v1/deliveries/${enc(id)}`, { signal });
  /** Shows the delivery; true once it has ended. */
  const apply = (delivery) => {
    if (watch.status !== undefined && watch.status !== delivery.status) announce(`The delivery's status is now: ${statusLabel(delivery.status)}.`);
    watch.status = delivery.status;
    show(box, delivery, watch.endpointUrl, watch.payload);
    buttons.retry.disabled = delivery.status === 'succeeded';
    buttons.cancel.disabled = FINAL_STATUSES.has(delivery.status);
    return FINAL_STATUSES.has(delivery.status);
  };
  const follow = async () => {
    watch.running = true;
    while (Date.now() < watch.until) {
      await pause(POLL_MS, signal);
      if (signal.aborted) break;
      const delivery = await fetchDelivery().catch(() => undefined);
      if (delivery && apply(delivery)) break;
    }
    watch.running = false;
  };
  const load = async () => {
    watch.until = Date.now() + WATCH_MS;
    const delivery = await fetchDelivery();
    watch.endpointUrl ??= await endpointUrlOf(delivery.subscriptionId, signal);
    watch.payload ??= await payloadOf(delivery.eventId, signal);
    const ended = apply(delivery);
    if (!ended && !watch.running) void follow();
  };
  const buttons = actionButtons(id, () => load().catch(announceError));
  put(
    root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/deliveries' }, '← Deliveries')),
    h('h1', { tabindex: '-1' }, 'Delivery ', h('span', { class: 'mono id' }, id)),
    h('div', { class: 'actions' }, buttons.retry, buttons.cancel, buttons.refresh),
    box,
  );
  await load();
}
