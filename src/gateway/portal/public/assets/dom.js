// DOM construction for every view. Text from the API (URLs, descriptions, response bodies, error
// texts) only ever becomes text nodes or attribute values, never markup, so it cannot inject HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttributes(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
}

function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** `h('p', {class: 'x'}, 'text', child)`: an element with attributes, listeners (`onclick`) and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

/** The same for SVG elements, which live in their own namespace. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

/** Appends children, skipping the empty ones (null, undefined, false) that conditionals leave. */
export function put(el, ...children) {
  appendChildren(el, children);
  return el;
}

/** Replaces an element's children (none: empties it). */
export function fill(el, ...children) {
  el.replaceChildren();
  return put(el, ...children);
}

let nextId = 0;
/** An id for pairing a label (or aria-describedby) with its control. */
export function uniqueId(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled control: `<div class="field"><label for=…>…</label>control hint</div>`. */
export function field(labelText, control, hint) {
  const id = control.id || uniqueId('field');
  control.id = id;
  const hintEl = hint && h('p', { class: 'hint', id: `${id}-hint` }, hint);
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
}

/** A `<dl>` of label/value pairs; pairs whose value is empty are left out. */
export function facts(pairs) {
  const shown = pairs.filter(([, value]) => value !== undefined && value !== null && value !== '');
  return h('dl', { class: 'facts' }, shown.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, value))));
}
