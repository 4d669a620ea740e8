// What happened before an event (logging calls, HTTP requests, navigation): a table of time,
// category, level and message, oldest first as the SDK recorded them.
import { html } from '../lib/view.js';
import { dateTime } from '../lib/format.js';

function timeOfDay(iso) {
  const at = new Date(iso);
  return at.toLocaleTimeString(undefined, { hour12: false }) + `.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

function message(crumb) {
  if (crumb.message) return crumb.message;
  return crumb.data ? JSON.stringify(crumb.data) : '';
}

export function Breadcrumbs({ breadcrumbs }) {
  return html`<div class="table-scroll" tabindex="0" role="region" aria-label="Breadcrumbs table">
    <table class="breadcrumbs">
    <caption class="visually-hidden">Breadcrumbs, oldest first</caption>
    <thead><tr><th scope="col">Time</th><th scope="col">Category</th><th scope="col">Level</th><th scope="col">Message</th></tr></thead>
    <tbody>${breadcrumbs.map((crumb) => html`<tr>
      <td class="mono nowrap">${crumb.timestamp
        ? html`<time datetime=${crumb.timestamp} title=${dateTime(crumb.timestamp)}>${timeOfDay(crumb.timestamp)}</time>` : ''}</td>
      <td>${crumb.category || crumb.type || ''}</td>
      <td class=${`level-${crumb.level || 'info'}`}>${crumb.level || ''}</td>
      <td class="mono crumb-message">${message(crumb)}</td>
    </tr>`)}</tbody>
  </table></div>`;
}
