// Free-form JSON from an event (request headers, contexts, user data, local variables,
// breadcrumb data) shown as key/value lists people can scan, nested objects indented.
import { html } from '../lib/view.js';

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** One value: text as it is, objects as a nested list, short arrays inline, others as JSON. */
function Value({ value }) {
  if (value === null || value === undefined) return html`<span class="muted mono">null</span>`;
  if (isPlainObject(value)) return html`<${DataList} data=${value} />`;
  if (Array.isArray(value)) {
    const flat = value.every((item) => item === null || typeof item !== 'object');
    return flat && value.length <= 20
      ? html`<span class="mono">${JSON.stringify(value)}</span>`
      : html`<pre class="data-json">${JSON.stringify(value, null, 2)}</pre>`;
  }
  if (typeof value === 'string') return html`<span class="mono data-text">${value}</span>`;
  return html`<span class="mono">${String(value)}</span>`;
}

/** A `<dl>` of an object's keys; for anything else the value alone. */
export function DataList({ data, label }) {
  if (!isPlainObject(data)) return html`<${Value} value=${data} />`;
  const entries = Object.entries(data);
  if (!entries.length) return html`<span class="muted mono">{}</span>`;
  return html`<dl class="data-list" aria-label=${label}>
    ${entries.map(([key, value]) => html`<div class="data-row">
      <dt class="mono">${key}</dt><dd><${Value} value=${value} /></dd></div>`)}
  </dl>`;
}

/** Whether there is anything to show (not null, not an empty object or list). */
export function hasData(value) {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return true;
}
