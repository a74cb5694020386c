import { api, enc, knownEventTypes } from './api.js';
import { field, h, put } from './dom.js';
import { badge, DELIVERY_STATUSES, statusLabel, time } from './format.js';
import { announceError, go } from './status.js';

const DEFAULT_PAGE_SIZE = 25;
/** Filters kept in the hash (`#/deliveries?status=failed`), so Back, reload and bookmarks keep them. */
const FILTERS = ['status', 'eventType', 'subscriptionId', 'since', 'until'];

/** A table of deliveries; each links to its own view. On a phone each row becomes a small card (portal.css). */
export function deliveryTable(deliveries, { showEndpoint = true, endpoints = new Map() } = {}) {
  const headers = ['#', 'Delivery', 'Event type', showEndpoint && 'Endpoint', 'Status', 'Attempts', 'Created'].filter(Boolean);
  const cell = (label, ...content) => h('td', { 'data-label': label }, ...content);
  const row = (d) =>
    h(
      'tr',
      {},
      // The endpoint's sequence number: the order its events were accepted in (webhook-sequence).
      cell('#', String(d.sequence)),
      cell('Delivery', h('a', { href: `#/deliveries/${enc(d.id)}`, class: 'mono' }, d.id)),
      cell('Event type', d.eventType),
      showEndpoint && cell('Endpoint', h('a', { href: `#/endpoints/${enc(d.subscriptionId)}`, class: 'url' }, endpoints.get(d.subscriptionId) ?? d.subscriptionId)),
      cell('Status', badge(d.status)),
      cell('Attempts', String(d.attemptCount)),
      cell('Created', time(d.createdAt)),
    );
  return h(
    'table',
    { class: 'deliveries' },
    h('thead', {}, h('tr', {}, headers.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, deliveries.map(row)),
  );
}

function choice(name, anyLabel, options, selected) {
  return h(
    'select',
    { name },
    h('option', { value: '' }, anyLabel),
    options.map(([value, label]) => h('option', { value, selected: value === selected }, label)),
  );
}

/** `datetime-local` speaks local time without a zone; the API wants an instant. */
const toInstant = (local) => new Date(local).toISOString();

function filterForm(params, { types, endpoints }) {
  const when = (name) => h('input', { type: 'datetime-local', name, value: params.get(name) ?? '', step: 1 });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter deliveries' },
    field('Status', choice('status', 'Any status', DELIVERY_STATUSES.map((s) => [s, statusLabel(s)]), params.get('status'))),
    field('Event type', choice('eventType', 'Any event type', types.map((t) => [t, t]), params.get('eventType'))),
    field('Endpoint', choice('subscriptionId', 'Any endpoint', [...endpoints], params.get('subscriptionId'))),
    field('Created from', when('since')),
    field('Created before', when('until')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Apply filters'), h('a', { href: '#/deliveries', class: 'button' }, 'Clear')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = new URLSearchParams();
    for (const name of FILTERS) if (form.elements[name].value) chosen.set(name, form.elements[name].value);
    if (params.get('limit')) chosen.set('limit', params.get('limit'));
    go(`#/deliveries?${chosen}`);
  });
  return form;
}

function apiQuery(params) {
  const query = new URLSearchParams({ limit: params.get('limit') ?? String(DEFAULT_PAGE_SIZE) });
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value) query.set(name, name === 'since' || name === 'until' ? toInstant(value) : value);
  }
  if (params.get('cursor')) query.set('cursor', params.get('cursor'));
  return query;
}

async function endpointNames(signal) {
  const page = await api('GET', '/v1/subscriptions?limit=100', { signal });
  return new Map(page.data.map((s) => [s.id, s.url]));
}

function pager(params, nextCursor) {
  const first = new URLSearchParams(params);
  first.delete('cursor');
  const next = new URLSearchParams(params);
  if (nextCursor) next.set('cursor', nextCursor);
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    params.get('cursor') && h('a', { href: `#/deliveries?${first}`, class: 'button' }, 'First page'),
    nextCursor && h('button', { type: 'button', onclick: () => go(`#/deliveries?${next}`) }, 'Next page'),
  );
}

/** #/deliveries: every delivery of the tenant, newest first, filtered and paged. */
export async function deliveriesView(root, { params, signal }) {
  put(root, h('h1', { tabindex: '-1' }, 'Deliveries'), h('p', { class: 'lead' }, 'Every webhook we sent or are sending you, newest first.'));
  const [types, endpoints, page] = await Promise.all([
    knownEventTypes(signal),
    endpointNames(signal),
    api('GET', `/v1/deliveries?${apiQuery(params)}`, { signal }).catch((err) => {
      announceError(err);
      return { data: [], nextCursor: null };
    }),
  ]);
  put(root, filterForm(params, { types, endpoints }));
  const filtered = FILTERS.some((name) => params.get(name));
  put(
    root,
    page.data.length === 0
      ? h('p', { class: 'empty' }, filtered ? 'No deliveries match these filters.' : 'No deliveries yet.')
      : deliveryTable(page.data, { endpoints }),
    pager(params, page.nextCursor),
  );
}
