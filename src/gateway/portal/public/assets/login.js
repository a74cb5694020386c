// Opens a session from a single-use link. The token comes in the fragment (never sent to a
// server, never in a log) and is dropped from the address bar before anything else happens,
// so it does not stay in the history or get copied along with the URL.

const heading = document.querySelector('h1');
const status = document.getElementById('login-status');
const next = document.getElementById('login-next');

function takeTokenFromFragment() {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  history.replaceState(null, '', location.pathname);
  return token;
}

/** The server's own explanation (used, expired, not valid) when it gave one. */
async function refusal(res) {
  const problem = await res.json().catch(() => ({}));
  if (typeof problem.detail === 'string' && (res.status === 401 || res.status === 410)) return problem.detail;
  return `Signing in failed (${res.status}). Try the link again, or ask for a new one.`;
}

/** A refused link may come back to someone who is still signed in (a reload, a second tab). */
async function offerLiveSession() {
  const res = await fetch('/portal/session', { credentials: 'same-origin', cache: 'no-store' });
  next.hidden = !res.ok;
}

function refuse(message) {
  heading.textContent = 'This link cannot sign you in';
  status.textContent = message;
  status.classList.add('notice', 'error');
}

async function signIn() {
  const token = takeTokenFromFragment();
  if (!token) {
    refuse('This address has no sign-in token. Open the link you were given, or ask for a new one.');
    return offerLiveSession();
  }
  const res = await fetch('/portal/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (res.ok) return location.replace('/portal/');
  refuse(await refusal(res));
  await offerLiveSession();
}

signIn().catch(() => refuse('The service could not be reached. Check your connection and try the link again.'));
