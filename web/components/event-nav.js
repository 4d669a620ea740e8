// Older/newer event links of an issue. `Issue.events` lists newest first, a page at a time;
// the page loads the first page with the issue, and when the shown event is further back the
// next pages of ids are fetched until it is found.
import { html, useEffect, useState } from '../lib/view.js';
import { gql } from '../lib/graphql.js';

const MORE_EVENTS = `query MoreEvents($id: ID!, $after: String) {
  issue(id: $id) { events(first: 100, after: $after) {
    edges { node { id eventId } } pageInfo { hasNextPage endCursor } } } }`;

const MAX_PAGES = 50;

/** The event ids known so far (newest first), extended until `event` and the one
 * older than it are among them. */
function useEventIds(issueId, firstPage, event) {
  const [ids, setIds] = useState(firstPage);
  useEffect(() => setIds(firstPage), [firstPage]);
  useEffect(() => {
    const at = event ? ids.edges.findIndex(({ node }) => node.id === event.id) : -2;
    const needMore = at === -1 || at === ids.edges.length - 1;
    if (!needMore || !ids.pageInfo.hasNextPage) return undefined;
    if (ids.edges.length > MAX_PAGES * 100) return undefined;
    let current = true;
    gql(MORE_EVENTS, { id: issueId, after: ids.pageInfo.endCursor }).then((data) => {
      const page = data.issue.events;
      if (current) setIds({ ...ids, edges: [...ids.edges, ...page.edges], pageInfo: page.pageInfo });
    }, () => {});
    return () => { current = false; };
  }, [ids, event?.id]);
  return ids;
}

function eventLink(issueId, node) {
  return `/issues/${issueId}/events/${node.eventId}`;
}

export function EventNav({ issueId, firstPage, event }) {
  const ids = useEventIds(issueId, firstPage, event);
  const index = ids.edges.findIndex(({ node }) => node.id === event.id);
  const newer = index > 0 ? ids.edges[index - 1].node : null;
  const older = index >= 0 ? ids.edges[index + 1]?.node : null;
  return html`<nav class="event-nav" aria-label="Events of this issue">
    ${index >= 0 && html`<span class="muted small">Event ${(index + 1).toLocaleString()} of ${ids.totalCount.toLocaleString()} (newest first)</span>`}
    <span class="row">
      ${newer ? html`<a class="button" href=${eventLink(issueId, newer)}>Newer event</a>`
        : html`<span class="button disabled" aria-disabled="true">Newer event</span>`}
      ${older ? html`<a class="button" href=${eventLink(issueId, older)}>Older event</a>`
        : html`<span class="button disabled" aria-disabled="true">Older event</span>`}
      ${index > 0 && html`<a href=${`/issues/${issueId}`}>Latest</a>`}
    </span>
  </nav>`;
}
