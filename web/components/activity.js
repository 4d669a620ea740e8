// The issue's history, oldest first (status changes, regressions, merges, assignments,
// comments), and the form to add a comment.
import { html, useState } from '../lib/view.js';
import { timeAgo, dateTime } from '../lib/format.js';

const COMMENT = `mutation Comment($issueId: ID!, $text: String!) {
  addComment(issueId: $issueId, text: $text) { ...IssueHead } }`;

function resolvedHow(details = {}) {
  if (details.in_next_release) return ' in the next release';
  return details.in_release ? ` in ${details.in_release}` : '';
}

function ignoredHow(details = {}) {
  if (details.until) return ` until ${dateTime(details.until)}`;
  if (details.until_count != null) return ` until it reaches ${details.until_count} events`;
  if (details.until_users != null) return ` until ${details.until_users} users are affected`;
  return '';
}

/** What an entry says, after its actor. */
function describe({ kind, data }) {
  switch (kind) {
    case 'SET_RESOLVED': return `resolved the issue${resolvedHow(data?.details)}`;
    case 'SET_UNRESOLVED': return data?.reason ? `unresolved the issue (${data.reason})` : 'unresolved the issue';
    case 'SET_IGNORED': return `ignored the issue${ignoredHow(data?.details)}`;
    case 'SET_REGRESSION': return data?.release ? `marked a regression in ${data.release}` : 'marked a regression';
    case 'MERGE': return html`merged ${(data?.from || []).map((id, i) => html`${i ? ', ' : ''}<a href=${`/issues/${id}`}>#${id}</a>`)} into this issue`;
    case 'MERGED_INTO': return html`merged this issue into <a href=${`/issues/${data?.into}`}>#${data?.into}</a>`;
    case 'UNMERGE': return html`split a hash out into <a href=${`/issues/${data?.into}`}>#${data?.into}</a>`;
    case 'ASSIGNED': return data?.member ? `assigned the issue to ${data.member}` : 'unassigned the issue';
    case 'NOTE': return 'commented';
    default: return kind.toLowerCase();
  }
}

function CommentForm({ issueId, run }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await run(COMMENT, { issueId, text });
      setText('');
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="comment-form" onSubmit=${submit}>
    <div class="field"><label for="issue-comment">Comment</label>
      <textarea id="issue-comment" name="comment" required maxlength="10000" value=${text}
        onInput=${(e) => setText(e.target.value)}></textarea></div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <button type="submit" class="primary" disabled=${busy}>Add comment</button>
  </form>`;
}

export function Activity({ issue, run, canWrite }) {
  return html`<section class="activity" aria-labelledby="activity-title">
    <h2 id="activity-title">Activity</h2>
    ${issue.activity.length === 0
      ? html`<p class="muted">Nothing yet.</p>`
      : html`<ol class="activity-list">${issue.activity.map((entry) => html`<li class=${`activity-entry kind-${entry.kind.toLowerCase()}`}>
          <p><strong>${entry.actor}</strong> ${describe(entry)}
            <span class="muted small"> · <time datetime=${entry.createdAt} title=${dateTime(entry.createdAt)}>${timeAgo(entry.createdAt)}</time></span></p>
          ${entry.kind === 'NOTE' && html`<p class="comment-text">${entry.data?.text}</p>`}
        </li>`)}</ol>`}
    ${canWrite && html`<${CommentForm} issueId=${issue.id} run=${run} />`}
  </section>`;
}
