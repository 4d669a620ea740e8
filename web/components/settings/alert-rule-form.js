// The alert rule editor: a name, the triggers (any one fires the rule), filters on the event,
// the integrations to notify, the quiet time per issue and whether the rule is on.
import { html, useState } from '../../lib/view.js';
import { useAction, Outcome, SelectField, splitList, setter } from './common.js';

export const TRIGGERS = [
  { kind: 'NEW_ISSUE', name: 'A new issue is created' },
  { kind: 'REGRESSION', name: 'A resolved issue comes back' },
  { kind: 'EVENT_FREQUENCY', name: 'An issue sees more than N events', counted: 'events' },
  { kind: 'USER_FREQUENCY', name: 'An issue affects more than N users', counted: 'users' },
];

/** Sentry's choices of quiet time after a rule fired, in minutes. */
export const INTERVALS = [
  [5, '5 minutes'], [10, '10 minutes'], [30, '30 minutes'], [60, '1 hour'], [180, '3 hours'],
  [720, '12 hours'], [1440, '24 hours'], [10080, '1 week'], [43200, '30 days'],
];

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL'];

function draftOf(rule) {
  return {
    name: rule?.name || '',
    triggers: rule?.triggers.map((t) => ({ ...t })) || [{ kind: 'NEW_ISSUE', count: null, intervalMinutes: null }],
    levels: rule?.filters.levels || [],
    environments: (rule?.filters.environments || []).join(', '),
    releases: (rule?.filters.releases || []).join(', '),
    tags: (rule?.filters.tags || []).map((t) => `${t.key}:${t.value}`).join(', '),
    actions: rule?.actions || [],
    actionIntervalMinutes: String(rule?.actionIntervalMinutes ?? 30),
    enabled: rule?.enabled ?? true,
  };
}

/** The AlertRuleInput of a draft; throws a message for a tag without `key:value`. */
function inputOf(draft) {
  const tags = splitList(draft.tags).map((pair) => {
    const at = pair.indexOf(':');
    if (at < 1) throw new Error(`Tag filter "${pair}" needs the form key:value.`);
    return { key: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim() };
  });
  return {
    name: draft.name.trim(),
    triggers: draft.triggers.map((t) => {
      const counted = TRIGGERS.find((known) => known.kind === t.kind)?.counted;
      return counted
        ? { kind: t.kind, count: Number(t.count) || 0, intervalMinutes: Number(t.intervalMinutes) || 0 }
        : { kind: t.kind };
    }),
    filters: {
      levels: draft.levels,
      environments: splitList(draft.environments),
      releases: splitList(draft.releases),
      tags,
    },
    actions: draft.actions,
    actionIntervalMinutes: Number(draft.actionIntervalMinutes),
    enabled: draft.enabled,
  };
}

function toggled(list, item, on) {
  return on ? [...list, item] : list.filter((x) => x !== item);
}

function TriggerRow({ trigger, index, count, onChange, onRemove }) {
  const known = TRIGGERS.find((t) => t.kind === trigger.kind);
  const label = index === 0 ? 'Trigger' : `Trigger ${index + 1}`;
  const set = (key) => (event) => onChange({ ...trigger, [key]: event.target.value });
  return html`<div class="trigger-row row">
    <${SelectField} label=${label} value=${trigger.kind} onChange=${set('kind')}
      options=${TRIGGERS.map((t) => [t.kind, t.name])} />
    ${known?.counted && html`
      <label class="field narrow"><span>More than (${known.counted})</span>
        <input type="number" min="1" required value=${trigger.count ?? ''} onInput=${set('count')} /></label>
      <label class="field narrow"><span>Within (minutes)</span>
        <input type="number" min="1" required value=${trigger.intervalMinutes ?? ''}
          onInput=${set('intervalMinutes')} /></label>`}
    ${count > 1 && html`<button type="button" class="quiet" onClick=${onRemove}
      aria-label=${`Remove ${label.toLowerCase()}`}>Remove</button>`}
  </div>`;
}

export function AlertRuleForm({ rule, integrations, onSave, onCancel }) {
  const [draft, setDraft] = useState(() => draftOf(rule));
  const action = useAction();
  const set = setter(setDraft);
  const setTrigger = (index, value) => setDraft((old) => ({
    ...old, triggers: old.triggers.map((t, i) => (i === index ? value : t)),
  }));
  const submit = (event) => {
    event.preventDefault();
    action.run(() => onSave(inputOf(draft)));
  };
  return html`<form class="settings-form rule-form" onSubmit=${submit}
    aria-label=${rule ? `Edit alert rule ${rule.name}` : 'New alert rule'}>
    <label class="field"><span>Rule name</span>
      <input required value=${draft.name} onInput=${set('name')} /></label>
    <fieldset>
      <legend>When any of these happens</legend>
      ${draft.triggers.map((trigger, index) => html`<${TriggerRow} trigger=${trigger} index=${index}
        count=${draft.triggers.length} onChange=${(value) => setTrigger(index, value)}
        onRemove=${() => setDraft((old) => ({ ...old, triggers: old.triggers.filter((_, i) => i !== index) }))} />`)}
      <button type="button" onClick=${() => setDraft((old) => ({
        ...old, triggers: [...old.triggers, { kind: 'EVENT_FREQUENCY', count: 100, intervalMinutes: 60 }],
      }))}>Add trigger</button>
    </fieldset>
    <fieldset>
      <legend>Only for events matching (empty: every event)</legend>
      <div class="checks" role="group" aria-label="Levels">
        ${LEVELS.map((level) => html`<label class="check"><input type="checkbox"
          checked=${draft.levels.includes(level)}
          onChange=${(e) => setDraft((old) => ({ ...old, levels: toggled(old.levels, level, e.target.checked) }))} />
          ${level.toLowerCase()}</label>`)}
      </div>
      <label class="field"><span>Environments</span>
        <input value=${draft.environments} onInput=${set('environments')} placeholder="production, staging" /></label>
      <label class="field"><span>Releases</span>
        <input value=${draft.releases} onInput=${set('releases')} placeholder="shop@1.4.0" /></label>
      <label class="field"><span>Tags</span>
        <input value=${draft.tags} onInput=${set('tags')} placeholder="browser:Chrome, customer:acme" /></label>
    </fieldset>
    <fieldset>
      <legend>Notify</legend>
      ${integrations.length
        ? integrations.map((integration) => html`<div class="row"><label class="check"><input type="checkbox"
            checked=${draft.actions.includes(integration.id)}
            onChange=${(e) => setDraft((old) => ({ ...old, actions: toggled(old.actions, integration.id, e.target.checked) }))} />
            ${integration.name}</label>${!integration.enabled && html`<span class="muted check">(disabled)</span>`}</div>`)
        : html`<p class="muted">No integrations yet: add one in <a href="/settings/integrations">the organization's integrations</a>.</p>`}
    </fieldset>
    <${SelectField} label="Action interval" className="narrow" value=${draft.actionIntervalMinutes}
      onChange=${set('actionIntervalMinutes')} aria-describedby="interval-help"
      options=${INTERVALS.map(([minutes, name]) => [String(minutes), name])} />
    <p id="interval-help" class="muted hint">After the rule fires for an issue, it stays quiet for that issue this long.</p>
    <label class="check"><input type="checkbox" checked=${draft.enabled} onChange=${set('enabled')} /> Enabled</label>
    <div class="row actions">
      <button type="submit" class="primary" disabled=${action.busy}>Save rule</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
    <${Outcome} action=${action} />
  </form>`;
}
