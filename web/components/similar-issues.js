// Issues that were close to this one when it was created, nearest first, each with a way to
// merge it into this issue after a confirmation (a merge moves its events and hashes here).
import { html, useState, useEffect, useRef } from '../lib/view.js';
import { count } from '../lib/format.js';

const MERGE = `mutation Merge($into: ID!, $from: [ID!]!) {
  mergeIssues(into: $into, from: $from) { ...IssueHead } }`;

function Similar({ similar, issueId, run, canWrite, onMerged }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const confirmButton = useRef(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  const merge = async () => {
    setBusy(true);
    setError(null);
    try {
      await run(MERGE, { into: issueId, from: [similar.issue.id] });
      onMerged(similar.issue.id);
    } catch (failure) {
      setError(failure.message);
      setBusy(false);
    }
  };
  return html`<li class="similar">
    <a href=${`/issues/${similar.issue.id}`}>${similar.issue.title}</a>
    <span class="muted small"> · ${count(similar.issue.count)} ${similar.issue.count === 1 ? 'event' : 'events'} ·${' '}
      ${Math.round((1 - similar.distance) * 100)}% similar</span>
    ${canWrite && (confirming
      ? html`<div class="confirm row" role="group" aria-label="Confirm the merge">
          <span>Move its events here?</span>
          <button type="button" class="primary" ref=${confirmButton} disabled=${busy} onClick=${merge}>Confirm merge</button>
          <button type="button" disabled=${busy} onClick=${() => setConfirming(false)}>Cancel</button></div>`
      : html`<div><button type="button" onClick=${() => setConfirming(true)}>Merge into this issue</button></div>`)}
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </li>`;
}

/** `similar` is null while loading. */
export function SimilarIssues({ similar, issueId, run, canWrite, onMerged }) {
  return html`<section class="similar-issues" aria-labelledby="similar-title">
    <h2 id="similar-title">Similar issues</h2>
    ${similar === null
      ? html`<p class="muted" role="status">Looking for similar issues…</p>`
      : similar.length === 0
        ? html`<p class="muted">None.</p>`
        : html`<ul class="plain">${similar.map((s) => html`<${Similar} similar=${s} issueId=${issueId}
            run=${run} canWrite=${canWrite} onMerged=${onMerged} />`)}</ul>`}
  </section>`;
}
