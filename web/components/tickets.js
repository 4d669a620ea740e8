// Tickets opened for the issue in GitHub or Jira, and buttons to open one through each enabled
// GitHub or Jira integration of the organization. The ticket is opened through the outbox, so
// a pending delivery is followed until it has a link or an error.
import { html, useState } from '../lib/view.js';
import { gql } from '../lib/graphql.js';
import { timeAgo, dateTime } from '../lib/format.js';

const KINDS = { github: 'GitHub', jira: 'Jira' };
const CREATE = `mutation CreateTicket($issueId: ID!, $integrationId: ID!) {
  createExternalIssue(issueId: $issueId, integrationId: $integrationId) { id status externalUrl lastError } }`;
const DELIVERIES = `query Deliveries($id: ID!) {
  issue(id: $id) { notifications { id status externalUrl lastError } externalIssues { integrationId externalId url createdAt } } }`;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

const waiting = (d) => (d.status === 'PENDING' || d.status === 'DELIVERING') && !d.lastError;

/** Asks again (up to a minute) until the delivery has a link, an error, or is done. */
async function follow(issueId, delivery, onTickets) {
  for (let i = 0; i < 30 && waiting(delivery); i++) {
    await sleep(2000);
    const data = await gql(DELIVERIES, { id: issueId });
    delivery = data.issue.notifications.find((d) => d.id === delivery.id) || delivery;
    onTickets(data.issue.externalIssues);
  }
  return delivery;
}

function CreateButton({ integration, label, issueId, onTickets }) {
  const [state, setState] = useState(null);
  const create = async () => {
    setState({ busy: true });
    try {
      const { createExternalIssue } = await gql(CREATE, { issueId, integrationId: integration.id });
      setState({ busy: true, delivery: createExternalIssue });
      setState({ delivery: await follow(issueId, createExternalIssue, onTickets) });
    } catch (failure) {
      setState({ error: failure.message });
    }
  };
  const delivery = state?.delivery;
  return html`<li class="ticket-create">
    <button type="button" onClick=${create} disabled=${state?.busy}>${label}</button>
    <span role="status" class="small">
      ${state?.busy && html`<span class="muted"> Opening…</span>`}
      ${delivery?.externalUrl && html` <a href=${delivery.externalUrl} target="_blank" rel="noopener">Ticket opened</a>`}
      ${!state?.busy && delivery && !delivery.externalUrl && delivery.lastError && html`<span class="error"> ${delivery.lastError}</span>
        ${delivery.status === 'PENDING' && html`<span class="muted"> (Larder will try again)</span>`}`}
      ${!state?.busy && delivery && !delivery.externalUrl && !delivery.lastError && html`<span class="muted"> Still queued; the link will show here once ${KINDS[integration.kind]} answers.</span>`}
      ${state?.error && html`<span class="error"> ${state.error}</span>`}
    </span>
  </li>`;
}

/** `integrations` is null while loading (or when the viewer cannot list them). */
export function Tickets({ issue, integrations, canWrite, onTickets }) {
  const usable = (integrations || []).filter((i) => i.enabled && KINDS[i.kind]);
  const byKind = (kind) => usable.filter((i) => i.kind === kind).length;
  const names = Object.fromEntries((integrations || []).map((i) => [i.id, i.name]));
  if (!issue.externalIssues.length && !(canWrite && usable.length)) return null;
  return html`<section class="tickets" aria-labelledby="tickets-title">
    <h2 id="tickets-title">Linked tickets</h2>
    ${issue.externalIssues.length > 0 && html`<ul class="plain">${issue.externalIssues.map((t) => html`<li>
      <a href=${t.url} target="_blank" rel="noopener">${names[t.integrationId] || 'Ticket'} ${t.externalId}</a>
      <span class="muted small"> · <time datetime=${t.createdAt} title=${dateTime(t.createdAt)}>${timeAgo(t.createdAt)}</time></span></li>`)}</ul>`}
    ${canWrite && usable.length > 0 && html`<ul class="plain ticket-actions">${usable.map((integration) => {
      const base = `Create ${KINDS[integration.kind]} issue`;
      const label = byKind(integration.kind) > 1 ? `${base} in ${integration.name}` : base;
      return html`<${CreateButton} integration=${integration} label=${label} issueId=${issue.id} onTickets=${onTickets} />`;
    })}</ul>`}
  </section>`;
}
