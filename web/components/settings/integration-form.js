// Creating or editing an integration: its name, its kind (when new) and the fields that kind
// needs. Secrets are write-only: on edit they show whether they are set, and are sent only when
// the settings change (the API replaces a config whole, so a change needs them typed again).
import { html, useState } from '../../lib/view.js';
import { useAction, Outcome, SelectField, TextField } from './common.js';
import { KINDS, kindOf, valuesOf, configOf, secretIsSet } from './integration-kinds.js';

function Field({ field, value, onInput, config, editing }) {
  const help = field.secret && editing
    ? `Currently ${secretIsSet(config, field) ? 'set' : 'not set'}. Blank keeps it while the other settings stay as they are.`
    : field.help;
  if (field.type === 'select') {
    return html`<${SelectField} label=${field.label} value=${value} onChange=${onInput} options=${field.options} />`;
  }
  return html`<${TextField} label=${field.label} help=${help} type=${field.type === 'list' ? 'text' : field.type}
    value=${value} onInput=${onInput} required=${field.required && !(editing && field.secret)}
    autocomplete=${field.secret ? 'new-password' : 'off'} />`;
}

/** What to send for an edit: the name alone when no setting changed, else the whole config. */
function changesOf(integration, name, values) {
  const kind = kindOf(integration.kind);
  const before = valuesOf(integration.kind, integration.config);
  const typedSecrets = kind.fields.filter((f) => f.secret && values[f.key].trim());
  const changed = kind.fields.some((f) => !f.secret && values[f.key] !== before[f.key]);
  if (!changed && typedSecrets.length === 0) return { name };
  const missing = kind.fields.filter((f) => f.secret && secretIsSet(integration.config, f) && !values[f.key].trim());
  if (missing.length) {
    throw new Error(`Type ${missing.map((f) => f.label).join(' and ')} again: changing the settings replaces the stored secrets.`);
  }
  return { name, config: configOf(integration.kind, values, integration.config?.timeoutMs) };
}

export function IntegrationForm({ integration, onSave, onCancel }) {
  const [name, setName] = useState(integration?.name || '');
  const [kind, setKind] = useState(integration?.kind || 'webhook');
  const [values, setValues] = useState(() => valuesOf(kind, integration?.config));
  const action = useAction();
  const chooseKind = (event) => {
    setKind(event.target.value);
    setValues(valuesOf(event.target.value, null));
  };
  const submit = (event) => {
    event.preventDefault();
    action.run(() => onSave(integration
      ? changesOf(integration, name.trim(), values)
      : { name: name.trim(), config: configOf(kind, values) }));
  };
  return html`<form class="settings-form rule-form" onSubmit=${submit}
    aria-label=${integration ? `Edit ${integration.name}` : 'New integration'}>
    <div class="grid-2">
      <label class="field"><span>Integration name</span>
        <input required value=${name} onInput=${(e) => setName(e.target.value)} placeholder="Ops webhook" /></label>
      ${!integration && html`<${SelectField} label="Kind" value=${kind} onChange=${chooseKind}
        options=${KINDS.map((k) => [k.kind, k.name])} />`}
    </div>
    ${kindOf(kind).fields.map((field) => html`<${Field} field=${field} value=${values[field.key]}
      config=${integration?.config} editing=${!!integration}
      onInput=${(e) => setValues((old) => ({ ...old, [field.key]: e.target.value }))} />`)}
    <div class="row">
      <button type="submit" class="primary" disabled=${action.busy}>${integration ? 'Save integration' : 'Create integration'}</button>
      ${onCancel && html`<button type="button" onClick=${onCancel}>Cancel</button>`}
    </div>
    <${Outcome} action=${action} />
  </form>`;
}
