// Bulk actions on the issues checked in the stream: resolve and ignore each of them
// (`resolveIssue`, `ignoreIssue`), or merge them into the first one (`mergeIssues`) after a
// confirmation. The outcome is announced through `announce` (a polite live region).
import { html, useState } from '../lib/view.js';
import { gql } from '../lib/graphql.js';

const RESOLVE = 'mutation Resolve($id: ID!) { resolveIssue(id: $id) { id status } }';
const IGNORE = 'mutation Ignore($id: ID!) { ignoreIssue(id: $id) { id status } }';
const MERGE = 'mutation Merge($into: ID!, $from: [ID!]!) { mergeIssues(into: $into, from: $from) { id } }';

const plural = (n, word) => `${n} ${n === 1 ? word : `${word}s`}`;

/** Runs `mutation` for each issue; the changed `{ id, status }` and the failures' messages. */
async function eachIssue(mutation, field, issues) {
  const results = await Promise.allSettled(issues.map((issue) => gql(mutation, { id: issue.id })));
  return {
    changed: results.filter((r) => r.status === 'fulfilled').map((r) => r.value[field]),
    failures: results.filter((r) => r.status === 'rejected').map((r) => r.reason.message),
  };
}

/** Sets the status of one issue (the `e` shortcut uses it too); resolves to `{ id, status }`. */
export async function resolveIssue(id) {
  return (await gql(RESOLVE, { id })).resolveIssue;
}

/**
 * `selected`: the checked issues in list order; `onChanged(changes)` gets the `{ id, status }`
 * of changed issues; `onMerged()` runs after a merge (the page reloads its list).
 */
export function StreamBulk({ selected, onChanged, onMerged, announce }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = async (work) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  };
  const setStatus = (mutation, field, verb) => run(async () => {
    const { changed, failures } = await eachIssue(mutation, field, selected);
    onChanged(changed);
    announce(`${verb} ${plural(changed.length, 'issue')}.`);
    if (failures.length) setError(`${plural(failures.length, 'issue')} not changed: ${failures[0]}`);
  });
  const merge = () => {
    const [into, ...from] = selected;
    const question = `Merge ${plural(from.length, 'issue')} into “${into.title}”? `
      + 'Their events move there and they leave the list.';
    if (!window.confirm(question)) return;
    run(async () => {
      await gql(MERGE, { into: into.id, from: from.map((issue) => issue.id) });
      announce(`Merged ${plural(from.length, 'issue')} into ${into.title}.`);
      onMerged();
    });
  };
  const none = busy || selected.length === 0;
  return html`<div class="stream-bulk" role="group" aria-label="Selected issues">
    <span class="stream-bulk-count muted">${selected.length ? `${selected.length} selected` : 'None selected'}</span>
    <button type="button" disabled=${none} onClick=${() => setStatus(RESOLVE, 'resolveIssue', 'Resolved')}>Resolve selected</button>
    <button type="button" disabled=${none} onClick=${() => setStatus(IGNORE, 'ignoreIssue', 'Ignored')}>Ignore selected</button>
    <button type="button" disabled=${busy || selected.length < 2} onClick=${merge}
      title="Merge the selected issues into the first one">Merge selected</button>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </div>`;
}
