// The project's alert rules: what each fires on and whom it notifies, switched on and off,
// edited and deleted in place, and new ones added.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { useAction, Outcome, confirmed } from './common.js';
import { AlertRuleForm, TRIGGERS, INTERVALS } from './alert-rule-form.js';

const RULE_FIELDS = 'id name enabled';
const CREATE = `mutation CreateRule($projectId: ID!, $input: AlertRuleInput!) {
  createAlertRule(projectId: $projectId, input: $input) { ${RULE_FIELDS} } }`;
const UPDATE = `mutation UpdateRule($id: ID!, $input: AlertRuleInput!) {
  updateAlertRule(id: $id, input: $input) { ${RULE_FIELDS} } }`;
const DELETE = 'mutation DeleteRule($id: ID!) { deleteAlertRule(id: $id) }';

function triggerText(trigger) {
  const known = TRIGGERS.find((t) => t.kind === trigger.kind);
  if (!known?.counted) return known ? known.name[0].toLowerCase() + known.name.slice(1) : trigger.kind;
  return `more than ${trigger.count} ${known.counted} in ${trigger.intervalMinutes} min`;
}

function summary(rule, names) {
  const whom = rule.actions.map((id) => names[id] || `integration ${id}`).join(', ') || 'nobody';
  const quiet = INTERVALS.find(([m]) => m === rule.actionIntervalMinutes)?.[1]
    || `${rule.actionIntervalMinutes} minutes`;
  return `When ${rule.triggers.map(triggerText).join(' or ')}: notify ${whom}, at most once per ${quiet} per issue.`;
}

/** The AlertRuleInput that leaves a listed rule as it is, but for `changes`. */
function inputOfRule(rule, changes) {
  const { id, filters, triggers, ...rest } = rule;
  return {
    ...rest,
    triggers: triggers.map(({ kind, count, intervalMinutes }) => ({ kind, count, intervalMinutes })),
    filters: { ...filters, tags: filters.tags.map(({ key, value }) => ({ key, value })) },
    ...changes,
  };
}

export function AlertRules({ projectId, rules, integrations, onChange }) {
  const session = useSession();
  const editable = can(session, 'alerts:write');
  const [editing, setEditing] = useState(null); // null, 'new' or a rule id
  const action = useAction();
  const names = Object.fromEntries(integrations.map((i) => [i.id, i.name]));
  const save = (rule) => async (input) => {
    if (rule) await gql(UPDATE, { id: rule.id, input });
    else await gql(CREATE, { projectId, input });
    await onChange();
    setEditing(null);
    action.run(async () => {}, `Alert rule "${input.name}" saved.`);
  };
  const setEnabled = (rule) => action.run(async () => {
    await gql(UPDATE, { id: rule.id, input: inputOfRule(rule, { enabled: !rule.enabled }) });
    await onChange();
  }, `Alert rule "${rule.name}" ${rule.enabled ? 'disabled' : 'enabled'}.`);
  const remove = (rule) => confirmed(`Delete the alert rule "${rule.name}"?`) && action.run(async () => {
    await gql(DELETE, { id: rule.id });
    await onChange();
  }, `Alert rule "${rule.name}" deleted.`);
  const form = (rule) => html`<${AlertRuleForm} rule=${rule} integrations=${integrations}
    onSave=${save(rule)} onCancel=${() => setEditing(null)} />`;
  return html`<section class="settings-section" aria-labelledby="rules-heading">
    <h2 id="rules-heading">Alert rules</h2>
    ${rules.length === 0 && html`<p class="muted">No alert rules: nobody is notified of this project's issues.</p>`}
    <ul class="rule-list">
      ${rules.map((rule) => html`<li class="rule">
        ${editing === rule.id ? form(rule) : html`
          <div class="row">
            <strong>${rule.name}</strong>
            <span class="badge">${rule.enabled ? 'Enabled' : 'Disabled'}</span>
          </div>
          <p class="muted rule-summary">${summary(rule, names)}</p>
          ${editable && html`<div class="row">
            <button type="button" disabled=${action.busy} onClick=${() => setEnabled(rule)}
              aria-label=${`${rule.enabled ? 'Disable' : 'Enable'} ${rule.name}`}>${rule.enabled ? 'Disable' : 'Enable'}</button>
            <button type="button" onClick=${() => setEditing(rule.id)} aria-label=${`Edit ${rule.name}`}>Edit</button>
            <button type="button" class="danger" disabled=${action.busy} onClick=${() => remove(rule)}
              aria-label=${`Delete ${rule.name}`}>Delete</button>
          </div>`}`}
      </li>`)}
    </ul>
    ${editable && (editing === 'new'
      ? form(null)
      : html`<button type="button" class="primary" onClick=${() => setEditing('new')}>New alert rule</button>`)}
    ${!editable && html`<p class="muted">Your role cannot change alert rules.</p>`}
    <${Outcome} action=${action} />
  </section>`;
}
