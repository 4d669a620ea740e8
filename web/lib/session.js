// Who is signed in, which organizations and projects they see: loaded once by the shell and
// shared with every page through a context (`useSession()`), refreshed after changes that
// alter it (sign-in, a new project, a role change).
import { createContext, useContext, useEffect, useState } from './view.js';
import { gql } from './graphql.js';

export const SessionContext = createContext(null);

/** `{ viewer, projects, refresh }` of the signed-in person. */
export function useSession() {
  return useContext(SessionContext);
}

const SESSION_QUERY = `query Session {
  viewer { user { id email name } organizations { id slug name role } scopes }
  projects { id name slug }
}`;

/** The viewer and the projects they see; rejects (and goes to sign-in) when signed out. */
export function loadSession() {
  return gql(SESSION_QUERY);
}

/** Whether the viewer holds a Sentry scope (`event:write`, `project:admin`…). */
export function can(session, scope) {
  return session?.viewer?.scopes?.includes(scope) ?? false;
}

// The project the page belongs to, for the header's switcher and navigation: project pages say
// so by their path; other pages (an issue's) declare it with `useProjectOfPage(id)`.
let projectOfPage = null;
const projectWatchers = new Set();

function announceProject(id) {
  projectOfPage = id;
  projectWatchers.forEach((watcher) => watcher(id));
}

/** Declares the project the current page belongs to, while it is shown. */
export function useProjectOfPage(id) {
  useEffect(() => {
    announceProject(id ?? null);
    return () => announceProject(null);
  }, [id]);
}

/** The project a page declared (null on pages of no project). */
export function useDeclaredProject() {
  const [id, setId] = useState(projectOfPage);
  useEffect(() => {
    projectWatchers.add(setId);
    return () => projectWatchers.delete(setId);
  }, []);
  return id;
}
