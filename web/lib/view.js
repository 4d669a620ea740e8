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
