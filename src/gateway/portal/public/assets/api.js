// The page's only way to the server: the same /v1 API the platform uses, authenticated by the
// session cookie. Writes echo the session's CSRF token, which the server checks.

let csrfToken = '';
const sessionEndedListeners = [];

export function setCsrfToken(token) {
  csrfToken = token;
}

export function onSessionEnded(listener) {
  sessionEndedListeners.push(listener);
}

/** A problem+json answer: `detail` is the server's explanation, `errors` the failing fields. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(typeof problem.detail === 'string' ? problem.detail : `The request failed (${status}).`);
    this.name = 'ApiError';
    this.status = status;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** `api('GET', '/v1/subscriptions')`; resolves to the parsed JSON (undefined for 204), rejects with ApiError. */
export async function api(method, path, { body, signal } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE_METHODS.has(method)) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    cache: 'no-store',
    signal,
  });
  if (res.status === 204) return undefined;
  const data = await res.json().catch(() => ({}));
  if (res.ok) return data;
  if (res.status === 401) for (const listener of sessionEndedListeners) listener();
  throw new ApiError(res.status, data);
}

/** A path segment or query value the server gave us, made safe to put in a URL. */
export const enc = encodeURIComponent;

/**
 * The event-type catalog, by name: types seen so far and types the platform declared (those with
 * `description`, `example`, `deprecated`…). An empty list rather than a failed page when unreachable.
 */
export async function eventCatalog(signal) {
  const { data } = await api('GET', '/v1/event-types', { signal }).catch(() => ({ data: [] }));
  return data.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** The names of the types in the catalog, sorted. */
export async function knownEventTypes(signal) {
  return (await eventCatalog(signal)).map((entry) => entry.type);
}
