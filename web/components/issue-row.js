// One issue of the stream as a table row: selection checkbox, title (a link to the issue),
// culprit, level and status, its sparkline, events, users, and when it was last and first seen.
import { html, memo } from '../lib/view.js';
import { count } from '../lib/format.js';
import { RelativeTime } from './relative-time.js';
import { Sparkline } from './sparkline.js';

/** The fields a row shows; queries using it declare `$from`, `$to` and `$interval`. */
export const ISSUE_ROW_FIELDS = `fragment IssueRowFields on Issue {
  id title culprit level status count userCount firstSeen lastSeen
  stats(from: $from, to: $to, interval: $interval) { bucket count }
}`;

const STATUS_LABELS = { RESOLVED: 'Resolved', IGNORED: 'Ignored', MERGED: 'Merged' };

const capitalized = (word) => word.charAt(0) + word.slice(1).toLowerCase();

/**
 * `current`: the row the keyboard selection (j/k) is on; `checked`/`onCheck`: bulk selection;
 * `range`: `{ label, buckets }` of the sparkline; `now`: the time the row is drawn at.
 */
export const IssueRow = memo(function IssueRow({ issue, current, checked, onCheck, range, now }) {
  const level = issue.level.toLowerCase();
  const levelName = capitalized(issue.level);
  const status = STATUS_LABELS[issue.status];
  return html`<tr class=${`issue-row${current ? ' is-current' : ''}${checked ? ' is-checked' : ''}`}
      data-issue-id=${issue.id}>
    <td class="col-check">
      <input type="checkbox" checked=${checked} aria-label=${`Select ${issue.title}`}
        onChange=${(event) => onCheck(issue.id, event.target.checked)} />
    </td>
    <td class="col-issue">
      <a class="issue-title" href=${`/issues/${issue.id}`}>${issue.title}</a>
      <div class="issue-meta">
        <span class=${`issue-level level-${level}`}><span class="level-dot" aria-hidden="true"></span>${levelName}</span>
        ${status && html`<span class=${`badge status-${issue.status.toLowerCase()}`}>${status}</span>`}
        ${issue.culprit && html`<span class="issue-culprit mono">${issue.culprit}</span>`}
        <span class="issue-seen-compact muted">${' · '}<${RelativeTime} iso=${issue.lastSeen} /></span>
      </div>
    </td>
    <td class="col-graph">
      <${Sparkline} points=${issue.stats} label=${range.label} buckets=${range.buckets} now=${now} />
    </td>
    <td class="col-num" title=${`${issue.count.toLocaleString()} events`}>${count(issue.count)}</td>
    <td class="col-num col-users" title=${`${issue.userCount.toLocaleString()} users`}>${count(issue.userCount)}</td>
    <td class="col-time"><${RelativeTime} iso=${issue.lastSeen} /></td>
    <td class="col-time col-first"><${RelativeTime} iso=${issue.firstSeen} /></td>
  </tr>`;
});
