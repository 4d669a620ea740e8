// How the project's events are grouped: fingerprint rules and stack-trace rules (checked by the
// server, which names the line it rejects) and whether new hashes may join a similar issue.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { useAction, Outcome, problemText, setter } from './common.js';

const SAVE = `mutation SaveGrouping($projectId: ID!, $settings: GroupingSettingsInput!) {
  updateGroupingSettings(projectId: $projectId, settings: $settings) { id }
}`;

export function GroupingRules({ projectId, grouping, onSaved }) {
  const session = useSession();
  const editable = can(session, 'project:write');
  const [values, setValues] = useState(() => ({
    fingerprintRules: grouping.fingerprintRules,
    stacktraceRules: grouping.stacktraceRules,
    similarityEnabled: grouping.similarityEnabled,
    similarityThreshold: String(grouping.similarityThreshold),
  }));
  const set = setter(setValues);
  const action = useAction();
  const submit = (event) => {
    event.preventDefault();
    action.run(async () => {
      await gql(SAVE, {
        projectId,
        settings: { ...values, similarityThreshold: Number(values.similarityThreshold) },
      });
      await onSaved();
    }, 'Grouping rules saved. They apply to events received from now on.');
  };
  const rulesError = action.error?.code === 'BAD_USER_INPUT';
  return html`<section class="settings-section" aria-labelledby="grouping-heading">
    <h2 id="grouping-heading">Grouping rules</h2>
    <p class="muted">Grouping algorithm <code>${grouping.config}</code>.</p>
    <form class="settings-form" onSubmit=${submit} aria-labelledby="grouping-heading">
      <fieldset disabled=${!editable} class="plain">
        <div class="rules-field">
          <label class="field"><span>Fingerprint rules</span>
            <textarea class="mono rules" spellcheck="false" value=${values.fingerprintRules}
              onInput=${set('fingerprintRules')} aria-invalid=${rulesError ? 'true' : undefined}
              aria-describedby=${rulesError ? 'rules-error rules-help' : 'rules-help'}
              placeholder=${'error.type:DatabaseError -> database-error\nmessage:"*timeout*" -> timeouts title="Timeouts"'}></textarea></label>
          ${rulesError && html`<p id="rules-error" class="error rules-error" role="alert">${problemText(action.error)}</p>`}
        </div>
        <p id="rules-help" class="muted hint">One rule a line: <code>matcher:value … -> fingerprint[, …] [title="…"]</code>.
          Events a rule matches are grouped by its fingerprint.</p>
        <label class="field"><span>Stack-trace rules</span>
          <textarea class="mono rules" spellcheck="false" value=${values.stacktraceRules}
            onInput=${set('stacktraceRules')} aria-invalid=${rulesError ? 'true' : undefined}
            aria-describedby="stack-rules-help"
            placeholder=${'stack.module:mycompany.* +app\nstack.function:log_* -app\nstack.function:handle_error ^-group'}></textarea></label>
        <p id="stack-rules-help" class="muted hint">One rule a line: <code>matcher:value … action …</code> with
          <code>+app</code>/<code>-app</code> (application code or not) and <code>+group</code>/<code>-group</code>
          (in grouping or not), <code>^</code> for the frames above the match, <code>v</code> for those below.</p>
        <label class="check"><input type="checkbox" checked=${values.similarityEnabled}
          onChange=${set('similarityEnabled')} /> Group similar new errors into existing issues</label>
        <label class="field narrow"><span>Similarity threshold</span>
          <input type="number" min="0" max="1" step="0.01" required value=${values.similarityThreshold}
            onInput=${set('similarityThreshold')} disabled=${!values.similarityEnabled}
            aria-describedby="threshold-help" /></label>
        <p id="threshold-help" class="muted hint">Largest distance (0 to 1) at which a new error joins an issue; lower is stricter.</p>
      </fieldset>
      ${editable
        ? html`<button type="submit" class="primary" disabled=${action.busy}>Save grouping</button>`
        : html`<p class="muted">Your role cannot change grouping.</p>`}
      <${Outcome} action=${rulesError ? { ...action, error: null } : action} />
    </form>
  </section>`;
}
