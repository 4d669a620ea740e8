// Live updates of the issue stream through the `issueChanged(projectId)` subscription: rows
// already on the page change in place; issues created (or regressed) elsewhere are checked
// against the current search on the server and counted for the "N new issues — show" bar, so
// the list never jumps under the reader's cursor.
import { useEffect, useRef, useState } from '../lib/view.js';
import { gql, subscribe } from '../lib/graphql.js';
import { ISSUE_ROW_FIELDS } from './issue-row.js';
import { statsWindow } from './stream-state.js';

const LIVE = `subscription StreamLive($projectId: ID!, $from: DateTime!, $to: DateTime!, $interval: StatsInterval!) {
  issueChanged(projectId: $projectId) { kind issue { ...IssueRowFields } }
}
${ISSUE_ROW_FIELDS}`;

const MATCHING = `query StreamMatching($projectId: ID!, $filter: IssueFilter, $query: String) {
  project(id: $projectId) {
    issues(first: 100, filter: $filter, query: $query, sort: LAST_SEEN) { edges { node { id } } }
  }
}`;

/** How long changes are gathered before one matching request asks about all of them. */
const SETTLE_MS = 700;

/**
 * `projectId` (null: nothing to follow), `args` (the `Project.issues` arguments of the list shown) and `range` (of the
 * sparklines, `24h`/`14d`); `onIssue(issue)` gets every changed issue; `isShown(id)` tells
 * whether the page shows it. Returns `{ fresh, clearFresh }`: `fresh` is the number of new
 * matching issues not shown yet.
 */
export function useLiveIssues({ projectId, args, range, onIssue, isShown }) {
  const [fresh, setFresh] = useState(new Set());
  const callbacks = useRef();
  callbacks.current = { onIssue, isShown };
  const key = JSON.stringify([projectId, args, range]);

  useEffect(() => {
    setFresh(new Set());
    if (!projectId) return undefined;
    let pending = new Set();
    let timer;
    const check = async () => {
      const asked = pending;
      pending = new Set();
      try {
        const data = await gql(MATCHING, { projectId, ...args });
        const matched = (data.project?.issues.edges || [])
          .map((edge) => edge.node.id)
          .filter((id) => asked.has(id));
        if (matched.length) setFresh((before) => new Set([...before, ...matched]));
      } catch {
        // A failed check only means the bar does not show these; the next reload lists them.
      }
    };
    // Sparklines of live issues are asked up to one range past now, so buckets filled while
    // the page stays open come along too (the sparkline leaves out those still ahead).
    const { from, to, interval } = statsWindow(range, new Date());
    const later = new Date(2 * Date.parse(to) - Date.parse(from)).toISOString();
    const stop = subscribe(LIVE, { projectId, from, to: later, interval }, (data) => {
      const { kind, issue } = data.issueChanged;
      callbacks.current.onIssue(issue);
      if ((kind === 'CREATED' || kind === 'REGRESSED') && !callbacks.current.isShown(issue.id)) {
        pending.add(issue.id);
        clearTimeout(timer);
        timer = setTimeout(check, SETTLE_MS);
      }
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [key]);

  return { fresh: fresh.size, clearFresh: () => setFresh(new Set()) };
}
