// The stream's table: a header with select-all and the sparkline range switch (24h / 14d),
// and one IssueRow per issue. Rows are memoized, so moving the keyboard cursor or checking a
// box redraws only the rows that changed.
import { html, useEffect, useMemo, useRef } from '../lib/view.js';
import { RANGES } from './stream-state.js';
import { IssueRow } from './issue-row.js';

/**
 * `checked`: a Set of issue ids; `cursor`: index of the keyboard-selected row; `range`: the
 * sparkline range key; `onCheckAll(on)`, `onRange(key)`; `busy` while the next list loads.
 */
export function StreamTable({ issues, checked, cursor, onCheck, onCheckAll, range, onRange, now, busy, tableRef, onFocusIn }) {
  const selectAll = useRef(null);
  const count = issues.filter((issue) => checked.has(issue.id)).length;
  const all = issues.length > 0 && count === issues.length;
  useEffect(() => {
    selectAll.current.indeterminate = count > 0 && !all;
  }, [count, all]);
  const sparkline = useMemo(() => {
    const { hours, interval, label } = RANGES[range];
    // Buckets start on the hour (day), so a span holds one more partly filled bucket.
    return { label, buckets: (interval === 'HOUR' ? hours : hours / 24) + 1 };
  }, [range]);
  return html`<table class="stream-table" ref=${tableRef} aria-busy=${busy ? 'true' : 'false'}
      aria-label="Issues" onFocusIn=${onFocusIn}>
    <thead><tr>
      <th class="col-check" scope="col">
        <input type="checkbox" ref=${selectAll} checked=${all} aria-label="Select all issues on this page"
          onChange=${(e) => onCheckAll(e.target.checked)} />
      </th>
      <th scope="col" class="col-issue">Issue</th>
      <th scope="col" class="col-graph">
        <span class="visually-hidden">Events over time</span>
        <span class="range-toggle" role="group" aria-label="Graph range">
          ${Object.keys(RANGES).map((key) => html`<button type="button" class="quiet"
            aria-pressed=${range === key ? 'true' : 'false'} onClick=${() => onRange(key)}>${key}</button>`)}
        </span>
      </th>
      <th scope="col" class="col-num">Events</th>
      <th scope="col" class="col-num col-users">Users</th>
      <th scope="col" class="col-time">Last seen</th>
      <th scope="col" class="col-time col-first">First seen</th>
    </tr></thead>
    <tbody>
      ${issues.map((issue, index) => html`<${IssueRow} key=${issue.id} issue=${issue}
        current=${index === cursor} checked=${checked.has(issue.id)} onCheck=${onCheck}
        range=${sparkline} now=${now} />`)}
    </tbody>
  </table>`;
}
