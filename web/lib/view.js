// The view library the pages are written with: Preact, with htm's tagged templates instead of
// JSX so that no build step is needed. Pages import everything from here.
import { h, render, createContext, Fragment } from '../vendor/preact.js';
import htm from '../vendor/htm.js';

export { render, createContext, Fragment };
export {
  useState,
  useEffect,
  useMemo,
  useCallback,
  useRef,
  useContext,
  useReducer,
} from '../vendor/preact-hooks.js';

/** `html\`<p class=${cls}>${text}</p>\`` builds Preact elements. */
export const html = htm.bind(h);

/**
 * A component that redraws only when one of its props changed (compared with `===`), for
 * long lists whose rows mostly stay the same; pass it stable callbacks (`useCallback`).
 */
export function memo(component) {
  function changed(next) {
    const keys = Object.keys(next);
    return keys.length !== Object.keys(this.props).length
      || keys.some((key) => next[key] !== this.props[key]);
  }
  function Memoized(props) {
    this.shouldComponentUpdate = changed;
    return h(component, props);
  }
  Memoized.displayName = `memo(${component.displayName || component.name})`;
  return Memoized;
}
