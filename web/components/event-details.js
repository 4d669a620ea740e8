// The parts of an event around its stack trace: the HTTP request, the user, the contexts
// (runtime, OS, browser, custom ones), the SDK, attachments, user reports and the stored raw
// JSON (loaded only when opened: it can be large).
import { html, useState } from '../lib/view.js';
import { gql } from '../lib/graphql.js';
import { dateTime } from '../lib/format.js';
import { DataList, hasData } from './data-list.js';

function Section({ title, children }) {
  const id = `event-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return html`<section class="event-section" aria-labelledby=${id}>
    <h2 id=${id}>${title}</h2>${children}</section>`;
}

function RequestSection({ request }) {
  const parts = [
    ['Headers', request.headers],
    ['Query', request.queryString],
    ['Data', request.data],
    ['Cookies', request.cookies],
    ['Environment', request.env],
  ].filter(([, value]) => hasData(value));
  return html`<${Section} title="Request">
    <p class="request-line mono"><strong>${request.method || ''}</strong> ${request.url || ''}</p>
    ${parts.map(([label, value]) => html`<h3>${label}</h3><${DataList} data=${value} label=${label} />`)}
  </${Section}>`;
}

function UserSection({ user }) {
  const known = { ID: user.id, Email: user.email, Username: user.username, 'IP address': user.ipAddress };
  const shown = Object.fromEntries(Object.entries(known).filter(([, v]) => v));
  return html`<${Section} title="User">
    <${DataList} data=${{ ...shown, ...(user.data || {}) }} label="User" />
  </${Section}>`;
}

function ContextsSection({ contexts }) {
  return html`<${Section} title="Contexts">
    <div class="contexts">${Object.entries(contexts).map(([name, value]) => html`<div class="context">
      <h3>${name}</h3><${DataList} data=${value} label=${name} /></div>`)}</div>
  </${Section}>`;
}

function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const RAW = `query RawEvent($id: ID!) { event(id: $id) { raw } }`;

/** The stored event as JSON, fetched the first time it is opened. */
function RawJson({ eventId }) {
  const [open, setOpen] = useState(false);
  const [raw, setRaw] = useState(null);
  const toggle = () => {
    setOpen(!open);
    if (!raw) {
      gql(RAW, { id: eventId }).then((d) => setRaw(JSON.stringify(d.event?.raw, null, 2)),
        (failure) => setRaw(`Could not load it: ${failure.message}`));
    }
  };
  return html`<${Section} title="Raw JSON">
    <button type="button" aria-expanded=${open} onClick=${toggle}>
      ${open ? 'Hide raw JSON' : 'Show raw JSON'}</button>
    ${open && html`<pre class="raw-json" tabindex="0" aria-label="Raw JSON of the event"
      aria-busy=${!raw}>${raw ?? 'Loading…'}</pre>`}
  </${Section}>`;
}

/** Every section the event has data for, in reading order; the raw JSON last. */
export function EventDetails({ event }) {
  return html`
    ${event.request && (event.request.url || event.request.method) && html`<${RequestSection} request=${event.request} />`}
    ${event.user && html`<${UserSection} user=${event.user} />`}
    ${hasData(event.contexts) && html`<${ContextsSection} contexts=${event.contexts} />`}
    ${event.sdk && html`<${Section} title="SDK">
      <p class="mono">${event.sdk.name || 'unknown'} ${event.sdk.version || ''}</p></${Section}>`}
    ${event.attachments.length > 0 && html`<${Section} title="Attachments">
      <ul class="plain">${event.attachments.map((a) => html`<li>
        <span class="mono">${a.filename}</span>
        <span class="muted"> · ${a.contentType || a.attachmentType} · ${size(a.size)}</span></li>`)}</ul></${Section}>`}
    ${event.userReports.length > 0 && html`<${Section} title="User reports">
      <ul class="plain">${event.userReports.map((r) => html`<li class="user-report">
        <p>${r.comments}</p>
        <p class="muted small">${r.name || 'Anonymous'}${r.email ? ` <${r.email}>` : ''} ·${' '}
          <time datetime=${r.createdAt}>${dateTime(r.createdAt)}</time></p></li>`)}</ul></${Section}>`}
    <${RawJson} key=${event.id} eventId=${event.id} />`;
}
