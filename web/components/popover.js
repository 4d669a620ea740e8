// A small panel opened by a button beside another control (the split buttons of the issue
// status): the button carries the panel's name and `aria-expanded`; the panel takes focus
// when it opens, and Escape (focus back on the button) or a click outside closes it.
import { html, useState, useEffect, useRef } from '../lib/view.js';

/** `panel(close)` draws the panel's content; `label` names the (icon-only) button. */
export function Popover({ label, panel }) {
  const [open, setOpen] = useState(false);
  const box = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const close = (event) => {
      if (event.type === 'keydown' && event.key !== 'Escape') return;
      if (event.type === 'click' && box.current?.contains(event.target)) return;
      setOpen(false);
      if (event.type === 'keydown') box.current?.querySelector('button')?.focus();
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', close);
    box.current?.querySelector('.popover-panel :is(button, input, select)')?.focus();
    return () => {
      document.removeEventListener('click', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  return html`<span class="popover" ref=${box}>
    <button type="button" class="split-toggle" aria-label=${label} aria-expanded=${open}
      onClick=${() => setOpen(!open)}><span aria-hidden="true">▾</span></button>
    ${open && html`<div class="popover-panel">${panel(() => setOpen(false))}</div>`}
  </span>`;
}
