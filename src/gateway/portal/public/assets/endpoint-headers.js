import { fill, h, put } from './dom.js';

/** The API's limit: the portal stops offering rows there. */
const MAX_HEADERS = 20;

function headerRow(name = '', value = '', onRemove) {
  const row = h('div', { class: 'header-row' });
  const nameInput = h('input', { type: 'text', name: 'headerName', value: name, 'aria-label': 'Header name', placeholder: 'X-Api-Key', autocomplete: 'off', spellcheck: 'false', maxlength: 100 });
  // Values are often the receiver's credentials: no autocomplete, no spell-check sent anywhere.
  const valueInput = h('input', { type: 'text', name: 'headerValue', value, 'aria-label': 'Header value', class: 'mono', autocomplete: 'off', spellcheck: 'false', maxlength: 2048 });
  const remove = h('button', { type: 'button', 'aria-label': `Remove header ${name}`.trim(), onclick: () => onRemove(row) }, 'Remove');
  nameInput.addEventListener('input', () => remove.setAttribute('aria-label', `Remove header ${nameInput.value}`.trim()));
  return put(row, nameInput, valueInput, remove);
}

/**
 * The endpoint's custom headers, sent with every webhook: a row per header, added and removed in
 * place. `headers` are the current ones (values included: the caller read the one endpoint).
 */
export function headersFieldset(headers) {
  const rows = h('div', { class: 'header-rows' });
  const add = h('button', { type: 'button' }, 'Add header');
  const refresh = () => {
    add.disabled = rows.children.length >= MAX_HEADERS;
  };
  const removeRow = (row) => {
    row.remove();
    refresh();
  };
  const addRow = (name, value) => {
    put(rows, headerRow(name, value, removeRow));
    refresh();
  };
  add.addEventListener('click', () => {
    addRow();
    rows.lastElementChild.querySelector('input').focus();
  });
  fill(rows);
  for (const [name, value] of Object.entries(headers ?? {})) addRow(name, value);
  refresh();
  return h(
    'fieldset',
    { class: 'headers' },
    h('legend', {}, 'Custom headers'),
    h('p', { class: 'hint' }, `Sent with every webhook, e.g. your receiver's API key (at most ${MAX_HEADERS}). Our own headers (webhook-*, content-type, user-agent) cannot be replaced.`),
    rows,
    add,
  );
}

/** The headers the form holds, as the API wants them; rows without a name are left out. */
export function headersValue(form) {
  const entries = [...form.querySelectorAll('.header-row')].map((row) => [row.querySelector('input[name="headerName"]').value.trim(), row.querySelector('input[name="headerValue"]').value]);
  return Object.fromEntries(entries.filter(([name]) => name !== ''));
}
