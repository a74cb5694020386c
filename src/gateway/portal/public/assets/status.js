// The page's one live region: confirmations and errors of actions are read out by screen readers.

let pending = null;

export function announce(message, kind = 'info') {
  const status = document.getElementById('status');
  status.textContent = message;
  status.className = `status ${message ? kind : ''}`;
}

/** An error an action ran into, said in the live region (a 401 is shown by the session handler instead). */
export function announceError(err) {
  if (err && err.name === 'AbortError') return;
  if (err && err.status === 401) return;
  const fields = (err && err.errors) || [];
  const detail = fields.length > 0 ? ` ${fields.map((f) => `${f.field || f.in}: ${f.message}`).join('; ')}` : '';
  announce(`${err && err.message ? err.message : String(err)}${detail}`, 'error');
}

/** Goes to another view, with a message to show once it is there. */
export function go(hash, message) {
  pending = message ?? null;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** The message `go` left for the view being shown, if any (once). */
export function takePendingMessage() {
  const message = pending;
  pending = null;
  return message;
}

/** Waits `ms`, or less if the view is left meanwhile: for polling the server while a view is open. */
export function pause(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
