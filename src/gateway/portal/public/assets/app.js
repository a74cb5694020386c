// The portal page: finds its session, then shows one view per hash route. Every view renders into
// a fresh container, so a slow answer for a view already left lands nowhere visible.
import { api, onSessionEnded, setCsrfToken } from './api.js';
import { deliveriesView } from './deliveries.js';
import { deliveryView } from './delivery.js';
import { fill, h, put } from './dom.js';
import { endpointView } from './endpoint.js';
import { endpointsView } from './endpoints.js';
import { announce, announceError, takePendingMessage } from './status.js';

const ROUTES = [
  { pattern: /^\/endpoints$/, section: 'endpoints', view: endpointsView },
  { pattern: /^\/endpoints\/([^/]+)$/, section: 'endpoints', view: endpointView },
  { pattern: /^\/deliveries$/, section: 'deliveries', view: deliveriesView },
  { pattern: /^\/deliveries\/([^/]+)$/, section: 'deliveries', view: deliveryView },
];

const main = document.getElementById('main');
let leaving = new AbortController();
let sessionOver = false;

function currentRoute() {
  const [path, query = ''] = (location.hash.replace(/^#/, '') || '/endpoints').split('?', 2);
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (match) return { ...route, id: match[1] && decodeURIComponent(match[1]), params: new URLSearchParams(query) };
  }
  return undefined;
}

function markCurrentSection(section) {
  for (const link of document.querySelectorAll('.nav a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function notFound(container) {
  put(container, h('h1', { tabindex: '-1' }, 'Page not found'), h('p', {}, h('a', { href: '#/endpoints' }, 'Go to your endpoints')));
}

/** Shows the view the hash names; focus moves to its heading, so keyboard and screen reader users land on it. */
async function render({ moveFocus }) {
  if (sessionOver) return;
  leaving.abort();
  leaving = new AbortController();
  const signal = leaving.signal;
  const route = currentRoute();
  const container = h('div', { class: 'view' });
  fill(main, container);
  announce(takePendingMessage() ?? '');
  markCurrentSection(route?.section);
  try {
    if (!route) notFound(container);
    else await route.view(container, { id: route.id, params: route.params, signal });
  } catch (err) {
    if (!signal.aborted) showViewError(container, err);
  }
  if (moveFocus && !signal.aborted) (container.querySelector('h1') ?? main).focus();
}

function showViewError(container, err) {
  if (err && err.status === 401) return;
  if (!container.querySelector('h1')) put(container, h('h1', { tabindex: '-1' }, err && err.status === 404 ? 'Not found' : 'Something went wrong'));
  put(container, h('p', { class: 'notice error' }, err && err.message ? err.message : String(err)));
  announceError(err);
}

/** Any 401, the session's expiry, or signing out: the page stops and says how to come back. */
function endSession(title, message) {
  sessionOver = true;
  leaving.abort();
  document.body.classList.remove('signed-in');
  document.getElementById('tenant-name').textContent = '';
  announce('');
  fill(main, h('div', { class: 'view narrow' }, h('h1', { tabindex: '-1' }, title), h('p', { class: 'notice', role: 'alert' }, message)));
  main.focus();
}

const sessionEnded = () => endSession('Session ended', 'Your session has ended; ask for a new link.');

async function signOut() {
  try {
    await api('DELETE', '/portal/session');
  } catch (err) {
    if (err.status !== 401) return announceError(err);
  }
  endSession('Signed out', 'You have signed out. To come back, ask for a new link.');
}

/** setTimeout cannot wait longer than about 24.8 days; sessions last at most 7. */
function expireAt(expiresAt) {
  const ms = Date.parse(expiresAt) - Date.now();
  setTimeout(sessionEnded, Math.min(Math.max(ms, 0), 2 ** 31 - 1));
}

async function boot() {
  onSessionEnded(sessionEnded);
  const session = await api('GET', '/portal/session');
  setCsrfToken(session.csrfToken);
  document.getElementById('tenant-name').textContent = session.tenant.name;
  document.title = `${session.tenant.name} · Webhooks`;
  document.getElementById('sign-out').addEventListener('click', signOut);
  document.body.classList.add('signed-in');
  expireAt(session.expiresAt);
  if (!location.hash) history.replaceState(null, '', '#/endpoints');
  window.addEventListener('hashchange', () => render({ moveFocus: true }));
  await render({ moveFocus: false });
}

boot().catch((err) => {
  if (err && err.status === 401) return;
  fill(main, h('h1', {}, 'The portal could not start'), h('p', { class: 'notice error', role: 'alert' }, err && err.message ? err.message : String(err)));
});
