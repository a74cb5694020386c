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

function typeCheckboxes(knownTypes, chosen) {
  if (knownTypes.length === 0) return h('p', { class: 'hint' }, 'No events have been sent yet: type the event types below.');
  return h(
    'div',
    { class: 'checks' },
    knownTypes.map((type) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'eventType', value: type, checked: chosen.has(type) }), ` ${type}`)),
  );
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

function eventTypesFieldset(knownTypes, subscription) {
  const chosen = new Set(subscription?.eventTypes ?? []);
  const others = [...chosen].filter((t) => !knownTypes.includes(t));
  const patterns = h('input', { type: 'text', name: 'patterns', value: others.join(', '), autocomplete: 'off', spellcheck: 'false' });
  return h(
    'fieldset',
    { class: 'types' },
    h('legend', {}, 'Event types'),
    typeCheckboxes(knownTypes, chosen),
    field('Other types or patterns', patterns, 'Separated by commas: a type (invoice.paid), a prefix (order.*) or * for every type.'),
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
 * The add/edit form of an endpoint. `onSubmit(body)` does the request; its ApiError (a 400 names
 * the fields) is shown in the form, next to what the customer typed.
 */
export function endpointForm({ subscription, knownTypes, submitLabel, onSubmit, onCancel }) {
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
    eventTypesFieldset(knownTypes, subscription),
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
