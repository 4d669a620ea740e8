// The one way the interface talks to Larder: the public GraphQL API at /graphql (queries and
// mutations) and /graphql/ws (subscriptions, graphql-transport-ws protocol). The browser's
// session cookie authenticates both; same-origin requests carry an Origin header, which is
// what the server's CSRF check wants. The organization a page acts in is sent in
// `X-Larder-Organization` (chosen in the switcher, kept in localStorage).

const ORGANIZATION_KEY = 'larder.organization';

/** An error the API answered with: `code` is its `extensions.code` (NOT_FOUND, FORBIDDEN…). */
export class ApiError extends Error {
  constructor(message, code, errors = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.errors = errors;
  }
}

/** The organization slug requests act in, or null for the user's first. */
export function currentOrganization() {
  return localStorage.getItem(ORGANIZATION_KEY);
}

export function setCurrentOrganization(slug) {
  if (slug) localStorage.setItem(ORGANIZATION_KEY, slug);
  else localStorage.removeItem(ORGANIZATION_KEY);
}

/** Where an unauthenticated page sends the person: sign-in, then back here. */
export function signInUrl() {
  const here = location.pathname + location.search;
  return here === '/login' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

/**
 * Runs a query or mutation and resolves to its `data`. Rejects with an ApiError carrying the
 * first error's message and code; an UNAUTHENTICATED answer sends the browser to sign-in
 * (unless `allowAnonymous`, used by the sign-in page itself).
 */
export async function gql(query, variables = {}, { allowAnonymous = false } = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const organization = currentOrganization();
  if (organization) headers['X-Larder-Organization'] = organization;
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError(`Larder could not be reached: ${error.message}`, 'NETWORK');
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`Unexpected answer from the server (HTTP ${response.status})`, 'HTTP');
  }
  const errors = body.errors || [];
  if (errors.length) {
    const code = errors[0].extensions?.code || 'ERROR';
    if ((code === 'UNAUTHENTICATED' || response.status === 401) && !allowAnonymous) {
      location.assign(signInUrl());
    }
    throw new ApiError(errors[0].message, code, errors);
  }
  return body.data;
}

/**
 * Subscribes over the websocket; `onData` gets each result's `data`. Reconnects after a
 * dropped connection (every 3 s). Returns a function that ends the subscription.
 */
export function subscribe(query, variables, onData) {
  let socket;
  let stopped = false;
  let retry;
  const open = () => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/graphql/ws`, 'graphql-transport-ws');
    socket.onopen = () => {
      const organization = currentOrganization();
      socket.send(JSON.stringify({
        type: 'connection_init',
        payload: organization ? { organization } : {},
      }));
    };
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
      } else if (frame.type === 'next' && frame.payload?.data) {
        onData(frame.payload.data);
      } else if (frame.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    };
    socket.onclose = () => {
      if (!stopped) retry = setTimeout(open, 3000);
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    socket?.close();
  };
}
