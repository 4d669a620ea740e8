// Keeps the issue page current while it is open: the `issueChanged(projectId)` subscription
// reports every change of the project's issues; this issue's new state (status after a
// regression, counts, last seen, activity) replaces what the page shows.
import { useEffect, useRef } from '../lib/view.js';
import { subscribe } from '../lib/graphql.js';

/**
 * `fragment` is a GraphQL fragment on Issue named `fragmentName`; `onIssue(issue)` gets this
 * issue's fields each time it changes.
 */
export function useLiveIssue({ projectId, issueId, fragment, fragmentName, onIssue }) {
  const callback = useRef(onIssue);
  callback.current = onIssue;
  useEffect(() => {
    if (!projectId) return undefined;
    const query = `subscription IssueLive($projectId: ID!) {
      issueChanged(projectId: $projectId) { issue { ...${fragmentName} } } }
    ${fragment}`;
    return subscribe(query, { projectId }, (data) => {
      const issue = data.issueChanged?.issue;
      if (issue?.id === issueId) callback.current(issue);
    });
  }, [projectId, issueId]);
}
