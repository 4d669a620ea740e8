// What the stream shows instead of rows: how to send the first event when the project has no
// issue at all, or a way back when the search and filters match nothing.
import { html } from '../lib/view.js';

/**
 * `everEmpty`: the project has no issue at all; `narrowed`: a search or filter beyond the
 * default is applied; `clearUrl`: the default (unresolved) stream; `allUrl`: every status.
 */
export function StreamEmpty({ projectId, everEmpty, narrowed, clearUrl, allUrl }) {
  if (everEmpty) {
    return html`<section class="stream-empty" aria-labelledby="stream-empty-title">
      <h2 id="stream-empty-title">No issues yet</h2>
      <p>Issues appear here as soon as the project receives its first event.</p>
      <ol>
        <li>Install a Sentry SDK in your application (for Python: <code>pip install sentry-sdk</code>).</li>
        <li>Copy the project's DSN from <a href=${`/projects/${projectId}/settings`}>Project settings</a>.</li>
        <li>Initialise the SDK with it, e.g. <code>sentry_sdk.init(dsn="…")</code>, and raise an error to try it.</li>
      </ol>
      <p class="muted">New issues show up here live; there is no need to reload.</p>
    </section>`;
  }
  if (!narrowed) {
    return html`<section class="stream-empty">
      <h2>No unresolved issues</h2>
      <p>Everything is resolved or ignored. <a href=${allUrl}>Show issues of every status</a>.</p>
    </section>`;
  }
  return html`<section class="stream-empty">
    <h2>No issues match</h2>
    <p>Nothing matches this search and these filters. <a href=${clearUrl}>Show all unresolved issues</a>.</p>
  </section>`;
}
