// The issue stream's state lives in the page URL (search, filters, sort, graph range, page
// cursor), so back/forward, reload and a shared link all show the same list. This module reads
// that state from the URL, writes it back, and turns it into the GraphQL variables of a page.

/** Choices of the filter selects: URL value → label (the first is the default). */
export const STATUSES = { unresolved: 'Unresolved', resolved: 'Resolved', ignored: 'Ignored', all: 'All statuses' };
export const LEVELS = { '': 'Any level', fatal: 'Fatal', error: 'Error', warning: 'Warning', info: 'Info', debug: 'Debug' };
export const SORTS = { last_seen: 'Last seen', first_seen: 'First seen', count: 'Events', users: 'Users' };
/** Sparkline ranges: the span and the bucket size of `Issue.stats`. */
export const RANGES = {
  '24h': { hours: 24, interval: 'HOUR', label: 'last 24 hours' },
  '14d': { hours: 14 * 24, interval: 'DAY', label: 'last 14 days' },
};
export const PAGE_SIZE = 50;

const DEFAULTS = { q: '', status: 'unresolved', level: '', environment: '', release: '', sort: 'last_seen', range: '24h' };

/** The list state of a URL's query string; unknown values fall back to the defaults. */
export function readState(query) {
  const pick = (name, allowed) => {
    const value = query.get(name);
    return value !== null && (!allowed || value in allowed) ? value : DEFAULTS[name];
  };
  return {
    q: pick('q'),
    status: pick('status', STATUSES),
    level: pick('level', LEVELS),
    environment: pick('environment'),
    release: pick('release'),
    sort: pick('sort', SORTS),
    range: pick('range', RANGES),
    after: query.get('after') || '',
    // Cursors of the pages before this one (keyset pages only go forward; "" is the first).
    back: query.has('back') ? query.get('back').split(',') : [],
  };
}

/** The stream URL of `state`; default values are left out to keep links short. */
export function streamUrl(projectId, state) {
  const params = new URLSearchParams();
  for (const [name, fallback] of Object.entries(DEFAULTS)) {
    if (state[name] !== fallback) params.set(name, state[name]);
  }
  if (state.after) params.set('after', state.after);
  if (state.back.length) params.set('back', state.back.join(','));
  const search = params.toString();
  return `/projects/${projectId}/issues${search ? `?${search}` : ''}`;
}

/** `state` with `changes` applied, back on the first page (a new list starts over). */
export function withChanges(state, changes) {
  return { ...state, ...changes, after: '', back: [] };
}

/** The time window of the sparklines ending at `to` (a Date). */
export function statsWindow(range, to) {
  const { hours, interval } = RANGES[range];
  return { from: new Date(to.getTime() - hours * 3600e3).toISOString(), to: to.toISOString(), interval };
}

/** `Project.issues` arguments of the state: filter, search and sort as the API takes them. */
export function listArguments(state) {
  const filter = {};
  if (state.status !== 'all') filter.status = [state.status.toUpperCase()];
  if (state.level) filter.level = [state.level.toUpperCase()];
  if (state.environment) filter.environment = state.environment;
  if (state.release) filter.release = state.release;
  return { filter, query: state.q.trim() || null, sort: state.sort.toUpperCase() };
}

/** Whether any search or filter narrows the list beyond the default (unresolved) view. */
export function isNarrowed(state) {
  return ['q', 'level', 'environment', 'release'].some((name) => state[name] !== DEFAULTS[name])
    || state.status !== DEFAULTS.status;
}
