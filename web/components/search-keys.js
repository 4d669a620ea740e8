// The keys an issue search can use (`searchKeys(projectId)`: built in, and the project's tags
// with sample values), behind a disclosure beside the search box and asked for only when
// opened. Choosing a key or a value adds the term to the search.
import { html, useRef, useState } from '../lib/view.js';
import { gql } from '../lib/graphql.js';

const KEYS = `query SearchKeys($projectId: ID!) {
  searchKeys(projectId: $projectId) { key kind builtIn values }
}`;

/** What a value of each kind looks like. */
const HINTS = {
  DATE: '-24h (within), +7d (older than) or a date',
  NUMBER: 'a number, or >10, <=5',
  BOOLEAN: 'true or false',
  TEXT: 'text; * matches anything',
  CHOICE: 'one of the values',
};
const SAMPLES = 6;

/** A value as a search term writes it: quoted when it holds spaces or quotes. */
function term(key, value) {
  return `${key}:${/[\s"()]/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value}`;
}

/** `onAdd(text)` appends a term (or `key:` to finish typing) to the search box. */
export function SearchKeys({ projectId, onAdd }) {
  const [keys, setKeys] = useState(null);
  const [error, setError] = useState(null);
  const details = useRef(null);
  const add = (text) => {
    details.current.open = false;
    onAdd(text);
  };
  const load = (event) => {
    if (!event.target.open || keys) return;
    gql(KEYS, { projectId }).then((data) => setKeys(data.searchKeys || []), (e) => setError(e.message));
  };
  const groups = keys && [['Built in', keys.filter((k) => k.builtIn)], ['Tags of this project', keys.filter((k) => !k.builtIn)]];
  return html`<details class="search-keys" ref=${details} onToggle=${load}>
    <summary>Search syntax</summary>
    <div class="search-keys-panel">
      <p class="muted">Terms are <code>key:value</code>; side by side they all must hold.${' '}
        <code>!key:value</code> negates, <code>OR</code> and parentheses combine,${' '}
        <code>"quoted text"</code> searches titles and culprits.</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${!keys && !error && html`<p class="loading" role="status">Loading keys…</p>`}
      ${groups && groups.filter(([, list]) => list.length).map(([title, list]) => html`<h3>${title}</h3>
        <ul class="search-keys-list">
          ${list.map((k) => html`<li>
            <button type="button" class="link mono" onClick=${() => add(`${k.key}:`)}
              title=${HINTS[k.kind]}>${k.key}:</button>
            ${k.values.slice(0, SAMPLES).map((value) => html` <button type="button" class="chip"
              onClick=${() => add(term(k.key, value))}>${value}</button>`)}
            ${!k.values.length && html` <span class="muted">${HINTS[k.kind]}</span>`}
          </li>`)}
        </ul>`)}
    </div>
  </details>`;
}
