// The stream's search box (the issue search grammar of `Project.issues(query:)`, sent on Enter)
// and its filter and sort selects. Every change goes to the URL through `onChange`.
import { html, useEffect, useState } from '../lib/view.js';
import { STATUSES, LEVELS, SORTS } from './stream-state.js';
import { SearchKeys } from './search-keys.js';

const STATUS_TERM = /(^|[\s(!])is:(unresolved|resolved|ignored|archived)\b/i;

function Choice({ label, name, value, options, onChange }) {
  const id = `stream-${name}`;
  return html`<div class="stream-select">
    <label for=${id}>${label}</label>
    <select id=${id} name=${name} value=${value} onChange=${(e) => onChange({ [name]: e.target.value })}>
      ${Object.entries(options).map(([key, text]) => html`<option value=${key}>${text}</option>`)}
    </select>
  </div>`;
}

/** Options of a `Seen` list (environments, releases), keeping a chosen value that is gone. */
function seenOptions(everything, seen, chosen) {
  const options = { '': everything };
  for (const { name } of seen) options[name] = name;
  if (chosen && !(chosen in options)) options[chosen] = chosen;
  return options;
}

/**
 * `projectId`; `state`: the list state; `environments`/`releases`: `Seen` lists of the project;
 * `searchError`: the API's message when the search did not parse; `searchRef` points at the
 * input (for the `/` shortcut).
 */
export function StreamFilters({ projectId, state, environments, releases, searchError, searchRef, onChange }) {
  const [text, setText] = useState(state.q);
  useEffect(() => setText(state.q), [state.q]);
  // A search naming a status (`is:resolved`) is not narrowed again by the Status select.
  const search = (q) => onChange(STATUS_TERM.test(q) ? { q, status: 'all' } : { q });
  // A whole term searches at once; a bare `key:` waits in the box for its value.
  const addTerm = (term) => {
    const next = `${text.trim()} ${term}`.trim();
    setText(next);
    if (term.endsWith(':')) searchRef.current?.focus();
    else search(next);
  };
  const submit = (event) => {
    event.preventDefault();
    search(text.trim());
  };
  return html`<form class="stream-filters" role="search" onSubmit=${submit}>
    <div class="stream-search">
      <label for="stream-search" class="visually-hidden">Search issues</label>
      <input id="stream-search" type="search" name="q" ref=${searchRef} value=${text}
        placeholder='is:unresolved level:error browser:Chrome "timeout"' autocomplete="off"
        spellcheck="false" aria-invalid=${searchError ? 'true' : undefined}
        aria-describedby=${searchError ? 'stream-search-error' : 'stream-search-hint'}
        onInput=${(e) => setText(e.target.value)}
        onKeyDown=${(e) => { if (e.key === 'Escape') e.target.blur(); }} />
      <span id="stream-search-hint" class="visually-hidden">Press Enter to search. Press slash to come back here.</span>
      <${SearchKeys} projectId=${projectId} onAdd=${addTerm} />
      ${searchError && html`<p id="stream-search-error" class="error stream-search-error" role="alert">${searchError}</p>`}
    </div>
    <div class="stream-selects">
      <${Choice} label="Status" name="status" value=${state.status} options=${STATUSES} onChange=${onChange} />
      <${Choice} label="Level" name="level" value=${state.level} options=${LEVELS} onChange=${onChange} />
      <${Choice} label="Environment" name="environment" value=${state.environment}
        options=${seenOptions('All environments', environments, state.environment)} onChange=${onChange} />
      <${Choice} label="Release" name="release" value=${state.release}
        options=${seenOptions('All releases', releases, state.release)} onChange=${onChange} />
      <${Choice} label="Sort by" name="sort" value=${state.sort} options=${SORTS} onChange=${onChange} />
    </div>
  </form>`;
}
