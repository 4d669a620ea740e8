// What every settings form shares: loading a query, running a change with its outcome told in a
// polite live region (errors beside the form, FORBIDDEN explained), copying to the clipboard,
// and the "one a line" list fields.
import { html, useCallback, useEffect, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';

/** The message to show for a failed request; FORBIDDEN says what to do about it. */
export function problemText(error) {
  if (error?.code === 'FORBIDDEN') {
    return `Your role does not allow this (${error.message}). Ask an owner or admin of the organization.`;
  }
  return error?.message || String(error);
}

/** Runs `query` now and on `reload()`; `{ data, error, reload }`. */
export function useQuery(query, variables, deps) {
  const [state, setState] = useState({ data: null, error: null });
  const reload = useCallback(() => gql(query, variables).then(
    (data) => setState({ data, error: null }),
    (error) => setState((old) => ({ data: old.data, error })),
  ), deps);
  useEffect(() => { setState({ data: null, error: null }); reload(); }, [reload]);
  return { ...state, reload };
}

/**
 * A change and its outcome: `run(action, success)` awaits `action()`, then announces `success`
 * (a text, or a function of the result) or keeps the error. `{ busy, status, error, run, clear }`.
 */
export function useAction() {
  const [state, setState] = useState({ busy: false, status: '', error: null });
  const run = async (action, success) => {
    setState({ busy: true, status: '', error: null });
    try {
      const result = await action();
      const status = typeof success === 'function' ? success(result) : success;
      setState({ busy: false, status: status || '', error: null });
      return result;
    } catch (error) {
      setState({ busy: false, status: '', error });
      return undefined;
    }
  };
  const clear = () => setState({ busy: false, status: '', error: null });
  return { ...state, run, clear };
}

/** The outcome of an action: success in a polite live region, a failure as an alert. */
export function Outcome({ action, id }) {
  return html`<div class="outcome">
    <p class="status" role="status" aria-live="polite">${action.status}</p>
    ${action.error && html`<p id=${id} class="error" role="alert">${problemText(action.error)}</p>`}
  </div>`;
}

/** A page section's load failure, or its loading note. */
export function Loading({ error }) {
  if (error) return html`<p class="error" role="alert">${problemText(error)}</p>`;
  return html`<p class="loading" role="status">Loading…</p>`;
}

/** Copies `text` with the clipboard API and says so. */
export function CopyButton({ text, label = 'Copy', what }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setSaid('Copied');
    } catch {
      setSaid('Copying failed: select the text and copy it by hand');
    }
    setTimeout(() => setSaid(''), 3000);
  };
  return html`<span class="copy">
    <button type="button" onClick=${copy} aria-label=${what ? `${label} ${what}` : undefined}>${label}</button>
    <span role="status" class="muted">${said}</span>
  </span>`;
}

/** Text typed one item a line (or comma-separated) as a list, blanks dropped. */
export function splitList(text) {
  return text.split(/[\n,]/).map((item) => item.trim()).filter(Boolean);
}

/** A list for a textarea, one item a line. */
export function joinLines(items) {
  return (items || []).join('\n');
}

/** Updates one key of a form object kept in state. */
export function setter(setValues) {
  return (key) => (event) => {
    const target = event.target;
    const value = target.type === 'checkbox' ? target.checked : target.value;
    setValues((old) => ({ ...old, [key]: value }));
  };
}

let lastId = 0;

/**
 * A labelled select. The label points at it with `for`: a label wrapping a select would add the
 * chosen option's text to the select's accessible name. `options` are `[value, text]` pairs.
 */
export function SelectField({ label, value, onChange, options, className = '', ...rest }) {
  const [id] = useState(() => `select-${++lastId}`);
  return html`<div class=${`field ${className}`}>
    <label for=${id}>${label}</label>
    <select id=${id} value=${value} onChange=${onChange} ...${rest}>
      ${options.map(([optionValue, text]) => html`<option value=${optionValue}>${text}</option>`)}
    </select>
  </div>`;
}

/**
 * A labelled text field (or `as="textarea"`) with its help below, outside the label, so the
 * control's accessible name is the label alone and the help its description.
 */
export function TextField({ label, help, as = 'input', className = '', ...control }) {
  const [id] = useState(() => `field-${++lastId}`);
  const Control = as;
  return html`<div class=${`field ${className}`}>
    <label for=${id}>${label}</label>
    <${Control} id=${id} aria-describedby=${help ? `${id}-help` : undefined} ...${control} />
    ${help && html`<small id=${`${id}-help`} class="muted">${help}</small>`}
  </div>`;
}

/** Asks before something that cannot be undone. */
export function confirmed(question) {
  return window.confirm(question);
}
