import { field, fill, h, uniqueId } from './dom.js';
import { headersFieldset, headersValue } from './endpoint-headers.js';

const FIELD_LABELS = { url: 'Endpoint URL', description: 'Description', eventTypes: 'Event types' };

/** Patterns typed by hand: `order.*, invoice.paid` → ['order.*', 'invoice.paid']. */
function typedPatterns(text) {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Why a deprecated type is, and what replaces it, as the platform declared it. */
function deprecationNote(entry) {
  if (!entry.deprecated) return null;
  const replacement = entry.replacedBy ? ` Use ${entry.replacedBy} instead.` : '';
  return h('span', { class: 'deprecation' }, `Deprecated.${entry.deprecatedMessage ? ` ${entry.deprecatedMessage}` : ''}${replacement}`);
}

/**
 * One type to choose: its checkbox named by the type alone (a deprecated one marked), and below it
 * what the platform declared: its description and deprecation (the checkbox's description) and
 * its example, folded.
 */
function typeOption(entry, chosen) {
  const noteId = uniqueId('type-note');
  const hasNote = Boolean(entry.description || entry.deprecated);
  const input = h('input', { type: 'checkbox', name: 'eventType', value: entry.type, checked: chosen.has(entry.type), 'aria-describedby': hasNote ? noteId : null });
  return h(
    'div',
    { class: `type-option${entry.deprecated ? ' deprecated' : ''}` },
    h('label', { class: 'check' }, input, ` ${entry.type}`, entry.deprecated && h('span', { class: 'badge badge-deprecated', 'aria-hidden': 'true' }, 'deprecated')),
    hasNote && h('p', { class: 'hint type-description', id: noteId }, entry.description ?? '', entry.description && entry.deprecated ? ' ' : '', deprecationNote(entry)),
    entry.example && h('details', { class: 'type-example' }, h('summary', {}, `Example of ${entry.type}`), h('pre', { class: 'body' }, JSON.stringify(entry.example, null, 2))),
  );
}

function typeCheckboxes(catalog, chosen) {
  if (catalog.length === 0) return h('p', { class: 'hint' }, 'No events have been sent yet: type the event types below.');
  const described = catalog.some((entry) => entry.declared);
  return h('div', { class: described ? 'checks described' : 'checks' }, catalog.map((entry) => typeOption(entry, chosen)));
}

/** A field of the API's 400 as the form names it: `headers.X-Key` is the header X-Key. */
function fieldLabel(field) {
  if (field.startsWith('headers.')) return `Header ${field.slice('headers.'.length)}`;
  return FIELD_LABELS[field.split('.')[0]] ?? (field === 'headers' ? 'Custom headers' : field);
}

function describeErrors(err) {
  const lines = (err.errors ?? []).map((e) => `${fieldLabel(e.field)}: ${e.message}`);
  return lines.length > 0 ? [err.message, ...lines] : [err.message];
}

function eventTypesFieldset(catalog, subscription) {
  const chosen = new Set(subscription?.eventTypes ?? []);
  const known = new Set(catalog.map((entry) => entry.type));
  const others = [...chosen].filter((t) => !known.has(t));
  const patterns = h('input', { type: 'text', name: 'patterns', value: others.join(', '), autocomplete: 'off', spellcheck: 'false' });
  return h(
    'fieldset',
    { class: 'types' },
    h('legend', {}, 'Event types'),
    typeCheckboxes(catalog, chosen),
    field('Other types or patterns', patterns, 'Separated by commas: a type (invoice.paid), a prefix (order.*) or * for every type but the service’s own (webhook.*, listed above).'),
  );
}

/** What the form holds, as the API wants it; `description` is null when cleared on an edit. */
function formValues(form, isEdit) {
  const checked = [...form.querySelectorAll('input[name="eventType"]:checked')].map((input) => input.value);
  const eventTypes = [...new Set([...checked, ...typedPatterns(form.elements.patterns.value)])];
  const description = form.elements.description.value.trim();
  const headers = headersValue(form);
  return {
    url: form.elements.url.value.trim(),
    eventTypes,
    ...(description ? { description } : isEdit ? { description: null } : {}),
    // An edit sends the whole set (the API replaces it): removing every row removes every header.
    ...(isEdit || Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

/**
 * The add/edit form of an endpoint, its types offered from the event-type catalog (`catalog`, as
 * GET /v1/event-types lists it). `onSubmit(body)` does the request; its ApiError (a 400 names the
 * fields) is shown in the form, next to what the customer typed.
 */
export function endpointForm({ subscription, catalog, submitLabel, onSubmit, onCancel }) {
  const errorId = uniqueId('form-error');
  const errors = h('div', { class: 'form-error', id: errorId, role: 'alert' });
  const url = h('input', { type: 'url', name: 'url', required: true, value: subscription?.url ?? '', placeholder: 'https://example.com/webhooks', autocomplete: 'off', inputmode: 'url' });
  const description = h('input', { type: 'text', name: 'description', maxlength: 500, value: subscription?.description ?? '' });
  const submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  const form = h(
    'form',
    { class: 'endpoint-form', novalidate: true, 'aria-describedby': errorId },
    field('Endpoint URL', url, 'Where we send your webhooks, https:// in production.'),
    field('Description (optional)', description),
    eventTypesFieldset(catalog, subscription),
    headersFieldset(subscription?.headers),
    errors,
    h('div', { class: 'actions' }, submit, onCancel && h('button', { type: 'button', onclick: onCancel }, 'Cancel')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = formValues(form, Boolean(subscription));
    const missing = [!body.url && 'Endpoint URL: is required', body.eventTypes.length === 0 && 'Event types: choose at least one, or type a pattern'].filter(Boolean);
    fill(errors, ...missing.map((line) => h('p', {}, line)));
    if (missing.length > 0) return;
    submit.disabled = true;
    try {
      await onSubmit(body);
    } catch (err) {
      fill(errors, ...describeErrors(err).map((line) => h('p', {}, line)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
