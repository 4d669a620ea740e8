// The application: the shell (header with the organization and project switchers, navigation,
// sign-out) and the page for the current location. Pages are separate modules loaded when first
// visited, so the first page transfers only what it needs.
import { html, render, useEffect, useState } from './lib/view.js';
import { navigate, useLocation, match } from './lib/router.js';
import { gql, currentOrganization, setCurrentOrganization } from './lib/graphql.js';
import { SessionContext, loadSession, useSession, useDeclaredProject } from './lib/session.js';

/** Path patterns and the module drawing each; `anonymous` pages need no session. */
const ROUTES = [
  { pattern: '/login', load: () => import('./pages/login.js'), anonymous: true },
  { pattern: '/projects/:projectId/issues', load: () => import('./pages/stream.js') },
  { pattern: '/issues/:issueId', load: () => import('./pages/issue.js') },
  { pattern: '/issues/:issueId/events/:eventId', load: () => import('./pages/issue.js') },
  { pattern: '/projects/:projectId/settings', load: () => import('./pages/project-settings.js') },
  { pattern: '/settings', load: () => import('./pages/organization-settings.js') },
  { pattern: '/settings/:section', load: () => import('./pages/organization-settings.js') },
  { pattern: '/', load: () => Promise.resolve({ default: Home }) },
];

function resolve(path) {
  for (const route of ROUTES) {
    const params = match(route.pattern, path);
    if (params) return { route, params };
  }
  return null;
}

/** `/`: the first project's issues, or the organization's settings when it has none. */
function Home() {
  const session = useSession();
  useEffect(() => {
    const first = session?.projects?.[0];
    navigate(first ? `/projects/${first.id}/issues` : '/settings', { replace: true });
  }, []);
  return html`<p class="loading" role="status">Opening your issues…</p>`;
}

/** Loads the module of the current route and draws it with the route's parameters. */
function Page({ found, query }) {
  const [module, setModule] = useState(null);
  const [failed, setFailed] = useState(null);
  useEffect(() => {
    let current = true;
    setModule(null);
    found.route.load().then(
      (loaded) => current && setModule(loaded),
      (error) => current && setFailed(error),
    );
    return () => { current = false; };
  }, [found.route]);
  if (failed) return html`<p class="error" role="alert">This page could not load: ${failed.message}</p>`;
  if (!module) return html`<p class="loading" role="status">Loading…</p>`;
  const Component = module.default;
  return html`<${Component} ...${found.params} query=${query} />`;
}

/** `aria-current` of a navigation link: "page" on the page it leads to. */
const here = (current) => (current ? 'page' : undefined);

function Header({ session, path }) {
  const organizations = session.viewer.organizations;
  const selected = currentOrganization() || organizations[0]?.slug;
  const declared = useDeclaredProject();
  const onProjectPage = match('/projects/:projectId/:section', path);
  const projectId = onProjectPage?.projectId || declared;
  const section = onProjectPage?.section || 'issues';
  const switchOrganization = (event) => {
    setCurrentOrganization(event.target.value);
    location.assign('/');
  };
  // Another project opens on the same page (issues or settings), without this one's filters.
  const switchProject = (event) => navigate(`/projects/${event.target.value}/${section}`);
  const signOut = async () => {
    await gql('mutation { signOut }').catch(() => {});
    setCurrentOrganization(null);
    location.assign('/login');
  };
  return html`<header class="topbar">
    <a class="brand" href="/">Larder</a>
    ${organizations.length > 1 && html`<label class="switcher">
      <span class="visually-hidden">Organization</span>
      <select value=${selected} onChange=${switchOrganization}>
        ${organizations.map((o) => html`<option value=${o.slug}>${o.name}</option>`)}
      </select></label>`}
    ${session.projects.length > 0 && html`<label class="switcher">
      <span class="visually-hidden">Project</span>
      <select value=${projectId || ''} onChange=${switchProject}>
        ${!projectId && html`<option value="">Choose a project</option>`}
        ${session.projects.map((p) => html`<option value=${p.id}>${p.name}</option>`)}
      </select></label>`}
    <nav aria-label="Main">
      ${projectId && html`<a href=${`/projects/${projectId}/issues`} aria-current=${here(section === 'issues')}>Issues</a>`}
      ${projectId && html`<a href=${`/projects/${projectId}/settings`} aria-current=${here(section === 'settings')}>Project settings</a>`}
      <a href="/settings" aria-current=${here(path.startsWith('/settings'))}>Organization</a>
    </nav>
    <span class="spacer"></span>
    <span class="who">${session.viewer.user?.name || session.viewer.user?.email || 'API token'}</span>
    <button type="button" class="quiet" onClick=${signOut}>Sign out</button>
  </header>`;
}

function App() {
  const { path, query } = useLocation();
  const found = resolve(path);
  const [session, setSession] = useState(null);
  const [problem, setProblem] = useState(null);
  const anonymous = found?.route.anonymous;
  const refresh = () => loadSession().then(setSession, (error) => {
    if (error.code !== 'UNAUTHENTICATED') setProblem(error);
  });
  useEffect(() => {
    if (!anonymous && !session) refresh();
  }, [anonymous, path]);
  // The page's module loads while the session does, not after it (modules are cached, so
  // Page's own load() then finds it ready).
  useEffect(() => {
    found?.route.load().catch(() => {});
  }, [found?.route]);
  // On arrival, a page that offers `prefetch` also asks for its data while the session loads
  // (only then: later pages mount at once and ask for themselves).
  useEffect(() => {
    if (found && !anonymous) {
      found.route.load().then((module) => module.prefetch?.({ ...found.params, query }), () => {});
    }
  }, []);
  useEffect(() => {
    document.body.classList.toggle('signed-out', !!anonymous);
  }, [anonymous]);
  if (!found) {
    return html`<main class="page"><h1>Not found</h1><p>No page here. <a href="/">Go to your issues</a>.</p></main>`;
  }
  if (anonymous) return html`<${Page} found=${found} query=${query} />`;
  if (problem) return html`<main class="page"><p class="error" role="alert">${problem.message}</p></main>`;
  if (!session) return html`<p class="loading" role="status">Loading…</p>`;
  const value = { ...session, refresh };
  return html`<${SessionContext.Provider} value=${value}>
    <a class="skip" href="#main">Skip to content</a>
    <${Header} session=${session} path=${path} />
    <main id="main" class="page"><${Page} found=${found} query=${query} /></main>
  </${SessionContext.Provider}>`;
}

render(html`<${App} />`, document.getElementById('app'));
