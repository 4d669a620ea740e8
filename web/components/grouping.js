// "Why these events are one issue": the grouping config, where the fingerprint came from and
// every component grouping looked at, the ones that went into the hash emphasised.
import { html } from '../lib/view.js';

const SOURCES = {
  FINGERPRINT_RULE: 'a fingerprint rule of the project',
  CUSTOM_FINGERPRINT: 'the fingerprint the SDK sent',
  EXCEPTION: 'the exception (types and application frames)',
  STACKTRACE: 'the stack trace',
  EXCEPTION_VALUE: 'the exception type and message',
  MESSAGE: 'the message',
  FALLBACK: 'the fallback (nothing better to group by)',
};

export function GroupingExplanation({ grouping }) {
  const explanation = grouping.explanation;
  return html`<section class="grouping" aria-labelledby="grouping-title">
    <h2 id="grouping-title">Why these events are one issue</h2>
    ${!explanation
      ? html`<p class="muted">The explanation of hash <code>${grouping.hash}</code> cannot be read.</p>`
      : html`
        <p>Grouped by ${SOURCES[explanation.source] || explanation.source}
          <span class="muted"> · config <code>${explanation.config}</code> · hash <code>${grouping.hash}</code></span></p>
        ${explanation.rule && html`<p>Rule: <code>${explanation.rule}</code></p>`}
        ${explanation.fingerprint && html`<p>Fingerprint: <code>${JSON.stringify(explanation.fingerprint)}</code></p>`}
        <ul class="components">
          ${explanation.components.map((c) => html`<li class=${c.contributes ? 'component contributes' : 'component'}>
            <span class="badge">${c.kind.toLowerCase()}</span>
            ${c.contributes ? html`<strong class="mono">${c.value}</strong>` : html`<span class="mono">${c.value}</span>`}
            <span class="visually-hidden">${c.contributes ? ' (in the hash)' : ' (not in the hash)'}</span>
            ${c.hint && html`<span class="muted small component-hint">${c.hint}</span>`}
          </li>`)}
        </ul>`}
  </section>`;
}
