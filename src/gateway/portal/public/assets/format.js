import { h } from './dom.js';

export const FINAL_STATUSES = new Set(['succeeded', 'failed', 'cancelled']);
export const DELIVERY_STATUSES = ['pending', 'delivering', 'awaiting_confirmation', 'succeeded', 'failed', 'cancelled'];

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const hourOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function formatTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '';
}

export function formatHour(iso) {
  return hourOnly.format(new Date(iso));
}

export function formatDuration(ms) {
  if (ms === null || ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatPercent(fraction) {
  return fraction === null || fraction === undefined ? 'n/a' : `${Math.round(fraction * 1000) / 10}%`;
}

export function statusLabel(status) {
  return status.replaceAll('_', ' ');
}

/** A status as a coloured badge; its text is the status itself, so colour is never the only signal. */
export function badge(status) {
  return h('span', { class: `badge badge-${status}` }, statusLabel(status));
}

/** `<time datetime=…>` so the machine-readable instant stays beside the local rendering. */
export function time(iso) {
  return iso ? h('time', { datetime: iso }, formatTime(iso)) : '';
}
