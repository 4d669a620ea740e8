// Search with `field:value` filters.
import * as Sentry from '@sentry/browser';

const out = (text) => { document.getElementById('out').textContent = text; };

const FIELDS = ['category', 'price', 'color', 'size'];

// 1.0.1: filters are documented on the help page // @since 1.0.1
export const FILTER_HELP = '/help/search-filters'; // @since 1.0.1
// BUG (browser-unknown-filter-field): a misspelt field aborts the search instead of being
// treated as free text.
export function parseFilter(query) {
  const filter = { text: [] };
  for (const word of query.split(/\s+/).filter(Boolean)) {
    const [name, value] = word.includes(':') ? word.split(':') : [null, word];
    if (name === null) {
      filter.text.push(value);
    } else if (FIELDS.includes(name)) {
      filter[name] = value;
    } else {
      throw new Error(`unknown field "${name}"`);
    }
  }
  return filter;
}

// BUG (browser-search-timeout): the backend never answers here, and the timeout rejects with a
// plain string that no caller handles.
function searchWithTimeout(query, ms) {
  const backend = new Promise(() => {});
  const timeout = new Promise((_, reject) => {
    setTimeout(() => reject(`search for "${query}" timed out after ${ms}ms`), ms);
  });
  return Promise.race([backend, timeout]);
}

export function search() {
  const query = document.getElementById('query').value;
  const filter = parseFilter(query);
  // 1.0.1: longer timeout for filtered searches // @since 1.0.1
  searchWithTimeout(filter.text.join(' '), 40).then((hits) => out(`${hits.length} hits`));
}

export function saveFilter() {
  const query = document.getElementById('query').value;
  try {
    localStorage.setItem('filter', JSON.stringify(parseFilter(query)));
  } catch (error) {
    Sentry.captureException(error);
  }
}

export function suggest(event) {
  searchWithTimeout(event.target.value, 25).then((hits) => out(hits.join(', ')));
}
