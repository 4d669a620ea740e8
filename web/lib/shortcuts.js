// Single-key keyboard shortcuts of a page (`j`, `k`, `/`…). They never fire while the person
// types (text fields, selects, editable content) or holds Ctrl, Alt or Meta, so they do not
// take over the browser's or a screen reader's own keys.
import { useEffect, useRef } from './view.js';

const TYPING = 'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), textarea, select, [contenteditable]:not([contenteditable=false])';

/** Whether a key event happens while the person is typing into a field. */
export function isTyping(event) {
  return !!event.target.closest?.(TYPING);
}

/**
 * `handlers` maps `event.key` to a function of the event; a handler returning `false` lets
 * the browser's default action happen, anything else prevents it. Handlers may change on
 * every render: the latest ones are used.
 */
export function useShortcuts(handlers) {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    const onKey = (event) => {
      if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
      if (isTyping(event)) return;
      const handler = latest.current[event.key];
      if (handler && handler(event) !== false) event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
