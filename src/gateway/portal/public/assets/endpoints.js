import { api, enc, eventCatalog } from './api.js';
import { field, fill, h, put } from './dom.js';
import { endpointForm } from './endpoint-form.js';
import { badge, formatTime } from './format.js';
import { announce, announceError } from './status.js';

const PAGE_SIZE = 50;

/** Disable or enable; either way the customer's change, said in the live region. */
export async function toggleEndpoint(subscription) {
  const status = subscription.status === 'active' ? 'disabled' : 'active';
  const updated = await api('PATCH', `/v1/subscriptions/${enc(subscription.id)}`, { body: { status } });
  announce(toggledMessage(updated));
  return updated;
}

export function toggledMessage(subscription) {
  return subscription.status === 'active' ? `Enabled ${subscription.url}.` : `Disabled ${subscription.url}: it receives no webhooks until enabled.`;
}

/** Deletes after the customer confirms; false if they did not. */
export async function deleteEndpoint(subscription) {
  if (!confirm(`Delete the endpoint ${subscription.url}? It stops receiving webhooks at once.`)) return false;
  await api('DELETE', `/v1/subscriptions/${enc(subscription.id)}`);
  announce(`Deleted ${subscription.url}.`);
  return true;
}

/** Why an endpoint needs attention, if it does. */
export function healthNote(subscription) {
  if (subscription.status === 'disabled') {
    return h('p', { class: 'note warning' }, `Disabled${subscription.disabledReason ? `: ${subscription.disabledReason}` : ''}.`);
  }
  if (subscription.failingSince) return h('p', { class: 'note warning' }, `Failing since ${formatTime(subscription.failingSince)}.`);
  return null;
}

export function typeChips(eventTypes) {
  return h('ul', { class: 'chips', 'aria-label': 'Event types' }, eventTypes.map((type) => h('li', {}, type)));
}

function cardActions(subscription, { onEdit, reload }) {
  const run = (action) => async () => {
    try {
      if (await action(subscription)) await reload();
    } catch (err) {
      announceError(err);
    }
  };
  return h(
    'div',
    { class: 'actions' },
    h('button', { type: 'button', onclick: onEdit, 'aria-label': `Edit ${subscription.url}` }, 'Edit'),
    h('button', { type: 'button', onclick: run(toggleEndpoint), 'aria-label': `${subscription.status === 'active' ? 'Disable' : 'Enable'} ${subscription.url}` }, subscription.status === 'active' ? 'Disable' : 'Enable'),
    h('button', { type: 'button', class: 'danger', onclick: run(deleteEndpoint), 'aria-label': `Delete ${subscription.url}` }, 'Delete'),
  );
}

function endpointCard(subscription, context) {
  const card = h('li', { class: 'card endpoint' });
  const show = () =>
    fill(
      card,
      h('div', { class: 'card-head' }, h('a', { class: 'url', href: `#/endpoints/${enc(subscription.id)}` }, subscription.url), badge(subscription.status)),
      subscription.description && h('p', { class: 'description' }, subscription.description),
      typeChips(subscription.eventTypes),
      healthNote(subscription),
      cardActions(subscription, { ...context, onEdit: edit }),
    );
  const edit = async () => {
    // Lists mask header values; the form edits them, so it reads the one endpoint.
    let full;
    try {
      full = await api('GET', `/v1/subscriptions/${enc(subscription.id)}`, { signal: context.signal });
    } catch (err) {
      announceError(err);
      return;
    }
    const form = endpointForm({
      subscription: full,
      catalog: context.catalog,
      submitLabel: 'Save changes',
      onCancel: show,
      onSubmit: async (body) => {
        const updated = await api('PATCH', `/v1/subscriptions/${enc(subscription.id)}`, { body });
        announce(`Saved ${updated.url}.`);
        await context.reload();
      },
    });
    fill(card, h('h3', {}, `Edit ${subscription.url}`), form);
    form.querySelector('input').focus();
  };
  show();
  return card;
}

/** The signing secret of a new endpoint, shown where the customer just added it. */
function createdNotice(created) {
  const secret = h('input', { type: 'text', readonly: true, value: created.secret, class: 'mono', spellcheck: 'false' });
  return h(
    'div',
    { class: 'notice success' },
    h('p', {}, `Verify the webhooks we send to ${created.url} with this signing secret. You can also reveal it on the endpoint's page.`),
    field('Signing secret', secret),
  );
}

async function renderList(list, more, context, cursor) {
  const page = await api('GET', `/v1/subscriptions?limit=${PAGE_SIZE}${cursor ? `&cursor=${enc(cursor)}` : ''}`, { signal: context.signal });
  if (!cursor) fill(list);
  for (const subscription of page.data) put(list, endpointCard(subscription, context));
  if (!cursor && page.data.length === 0) put(list, h('li', { class: 'empty' }, 'No endpoints yet. Add one below to start receiving webhooks.'));
  more.hidden = !page.nextCursor;
  more.onclick = () => renderList(list, more, context, page.nextCursor).catch(announceError);
}

/** #/endpoints: the tenant's endpoints, each editable in place, and the form to add one. */
export async function endpointsView(root, { signal }) {
  const list = h('ul', { class: 'cards', 'aria-labelledby': 'endpoints-heading' });
  const more = h('button', { type: 'button', hidden: true }, 'Show more endpoints');
  const notice = h('div', {});
  const context = { signal, catalog: [], reload: () => renderList(list, more, context) };
  put(
    root,
    h('h1', { tabindex: '-1', id: 'endpoints-heading' }, 'Endpoints'),
    h('p', { class: 'lead' }, 'The URLs we send your webhooks to. Open one to see its signing secret, test it and follow its deliveries.'),
    notice,
    list,
    more,
  );
  [context.catalog] = await Promise.all([eventCatalog(signal), context.reload()]);
  const form = endpointForm({
    catalog: context.catalog,
    submitLabel: 'Add endpoint',
    onSubmit: async (body) => {
      const created = await api('POST', '/v1/subscriptions', { body });
      form.reset();
      fill(notice, createdNotice(created));
      announce(`Added ${created.url}.`);
      await context.reload();
    },
  });
  put(root, h('section', { class: 'panel', 'aria-labelledby': 'add-heading' }, h('h2', { id: 'add-heading' }, 'Add an endpoint'), form));
}
