// Client-side navigation: the server answers every page of the interface with the same shell,
// and the application draws the page for `location`. Links are plain `<a href>` (so they work
// with a middle click and a screen reader); clicks on same-origin links are taken over here.
import { useEffect, useState } from './view.js';

const listeners = new Set();

/** Where the page being returned to (back/forward) was scrolled, until a page restores it. */
let returnScroll = null;

/** Goes to `url` (path and query) without reloading the page. */
export function navigate(url, { replace = false } = {}) {
  returnScroll = null;
  // The page being left keeps its scroll position in its history entry, for back.
  history.replaceState({ ...history.state, scrollY: window.scrollY }, '');
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((listener) => listener());
  window.scrollTo(0, 0);
}

/** The current location (`{ path, query }`, query a URLSearchParams), redrawn on navigation. */
export function useLocation() {
  const read = () => ({ path: location.pathname, query: new URLSearchParams(location.search) });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = () => setCurrent(read());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return current;
}

/**
 * After back or forward, scrolls to where the page was once `ready` is true (its content is
 * drawn: the browser's own restoration happens before a page has loaded its data).
 */
export function useRestoredScroll(ready) {
  useEffect(() => {
    if (ready && returnScroll !== null) {
      window.scrollTo(0, returnScroll);
      returnScroll = null;
    }
  }, [ready]);
}

window.addEventListener('popstate', (event) => {
  returnScroll = event.state?.scrollY ?? null;
});

/** Matches `path` against a pattern like `/issues/:id`; the named parts, or null. */
export function match(pattern, path) {
  const names = [];
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, name) => { names.push(name); return '([^/]+)'; })}/?$`,
  );
  const found = regex.exec(path);
  if (!found) return null;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
}

document.addEventListener('click', (event) => {
  const link = event.target.closest?.('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (link.target || link.hasAttribute('download') || link.dataset.reload !== undefined) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});
