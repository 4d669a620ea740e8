// The audit log: who changed access and settings, newest first, a page at a time (`before` the
// last entry seen; earlier pages kept so "Newer" goes back without asking again).
import { html, useState } from '../../lib/view.js';
import { dateTime, timeAgo } from '../../lib/format.js';
import { useQuery, Loading } from './common.js';

const PAGE = 50;
const AUDIT = `query Audit($first: Int, $before: ID) {
  organization { auditLog(first: $first, before: $before) { id actor action target clientAddress createdAt } }
}`;

export function AuditLog() {
  // The `before` cursor of every page visited so far; the last is the page shown.
  const [cursors, setCursors] = useState([null]);
  const before = cursors[cursors.length - 1];
  const { data, error } = useQuery(AUDIT, { first: PAGE, before }, [before]);
  if (!data) return html`<${Loading} error=${error} />`;
  const entries = data.organization.auditLog;
  const page = cursors.length;
  return html`
    ${entries.length === 0
      ? html`<p>${page === 1 ? 'Nothing recorded yet.' : 'No older entries.'}</p>`
      : html`<div class="table-wrap"><table>
        <caption class="visually-hidden">Audit log, page ${page}</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th>
          <th scope="col">Target</th><th scope="col">Address</th></tr></thead>
        <tbody>${entries.map((entry) => html`<tr>
          <td><time datetime=${entry.createdAt} title=${dateTime(entry.createdAt)}>${timeAgo(entry.createdAt)}</time></td>
          <td>${entry.actor}</td>
          <td><code>${entry.action}</code></td>
          <td class="mono">${entry.target}</td>
          <td class="mono">${entry.clientAddress || ''}</td>
        </tr>`)}</tbody>
      </table></div>`}
    <nav class="row pager" aria-label="Audit log pages">
      <button type="button" disabled=${page === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>Newer</button>
      <span class="muted">Page ${page}</span>
      <button type="button" disabled=${entries.length < PAGE}
        onClick=${() => setCursors([...cursors, entries[entries.length - 1].id])}>Older</button>
    </nav>`;
}
