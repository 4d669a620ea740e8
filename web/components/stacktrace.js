// An event's exception chain with its stack traces, the way one reads a crash: the exception
// that was raised first, then what caused it; in each trace the crash site first, the
// application's frames (Larder's `inApp` decision) emphasised and runs of library frames
// folded away; a frame opens to its source lines and local variables, and says where a
// source-mapped frame was in the minified file, or why it could not be mapped.
import { html, useState } from '../lib/view.js';
import { DataList, hasData } from './data-list.js';

function location(frame) {
  const file = frame.filename || frame.absPath || frame.module || '?';
  return frame.lineno != null ? `${file}:${frame.lineno}` : file;
}

/** preContext, contextLine, postContext as numbered lines with the frame's line marked. */
function SourceLines({ frame }) {
  const before = frame.preContext || [];
  const after = frame.postContext || [];
  const first = (frame.lineno ?? before.length + 1) - before.length;
  const lines = [...before, frame.contextLine, ...after];
  return html`<pre class="source"><code>${lines.map((text, i) => {
    const current = i === before.length;
    return html`<span class=${current ? 'line current' : 'line'} aria-current=${current ? 'true' : undefined}><span class="lineno" aria-hidden="true">${first + i}</span>${text ?? ''}${'\n'}</span>`;
  })}</code></pre>`;
}

/** Where a source-mapped frame was in the minified file, or why it is not mapped. */
function SourceMapNote({ frame }) {
  const minified = frame.minified;
  if (minified) {
    const at = `${minified.filename || '?'}:${minified.lineno ?? '?'}:${minified.colno ?? '?'}`;
    return html`<p class="muted small frame-note">Source-mapped from <span class="mono">${minified.function || '?'}</span>
      at <span class="mono">${at}</span>${frame.sourcemapError ? html` · ${frame.sourcemapError.message}` : ''}</p>`;
  }
  if (frame.sourcemapError) {
    return html`<p class="muted small frame-note">Not source-mapped: ${frame.sourcemapError.message}</p>`;
  }
  return null;
}

function FrameItem({ frame, open: initiallyOpen }) {
  const [open, setOpen] = useState(initiallyOpen);
  const hasSource = frame.contextLine != null;
  const hasVars = hasData(frame.vars);
  const hasNote = Boolean(frame.minified || frame.sourcemapError);
  const cls = `frame ${frame.inApp ? 'in-app' : 'library'}`;
  const label = html`<span class="frame-function">${frame.function || '?'}</span>
    <span class="frame-location mono">${location(frame)}</span>`;
  if (!hasSource && !hasVars && !hasNote) return html`<li class=${cls}><div class="frame-head">${label}</div></li>`;
  return html`<li class=${cls}>
    <button type="button" class="frame-head" aria-expanded=${open} onClick=${() => setOpen(!open)}>
      <span class="chevron" aria-hidden="true">${open ? '▾' : '▸'}</span>${label}
    </button>
    <div class="frame-body" hidden=${!open}>
      ${hasNote && html`<${SourceMapNote} frame=${frame} />`}
      ${hasSource && html`<${SourceLines} frame=${frame} />`}
      ${hasVars && html`<div class="frame-vars"><h4>Local variables</h4>
        <${DataList} data=${frame.vars} label="Local variables" /></div>`}
    </div>
  </li>`;
}

/** A run of consecutive library frames behind a "N library frames" toggle (in the page but
 * hidden while folded, so find-in-page and tests still see them). */
function LibraryRun({ frames }) {
  const [open, setOpen] = useState(false);
  const noun = frames.length === 1 ? 'library frame' : 'library frames';
  return html`<li class="library-run">
    <button type="button" class="quiet library-toggle" aria-expanded=${open} onClick=${() => setOpen(!open)}>
      <span class="chevron" aria-hidden="true">${open ? '▾' : '▸'}</span>${frames.length} ${noun}
    </button>
    <ol class="frames" hidden=${!open}>${frames.map((f) => html`<${FrameItem} frame=${f} open=${false} />`)}</ol>
  </li>`;
}

/** Frames crash site first; library runs folded when the trace has application frames. */
function Frames({ frames, openFirst }) {
  const ordered = [...frames].reverse();
  const anyInApp = ordered.some((f) => f.inApp);
  const crash = ordered.find((f) => f.inApp) || ordered[0];
  const items = [];
  for (let i = 0; i < ordered.length; i++) {
    const frame = ordered[i];
    if (anyInApp && !frame.inApp) {
      const run = [];
      while (i < ordered.length && !ordered[i].inApp) run.push(ordered[i++]);
      i--;
      items.push(html`<${LibraryRun} frames=${run} />`);
    } else {
      items.push(html`<${FrameItem} frame=${frame} open=${openFirst && frame === crash} />`);
    }
  }
  return html`<ol class="frames">${items}</ol>`;
}

function ExceptionSection({ exception, index, caused }) {
  const frames = exception.stacktrace?.frames || [];
  const mechanism = exception.mechanism;
  return html`<section class="exception" aria-labelledby=${`exception-${index}`}>
    ${caused && html`<p class="chain-note muted">The above was caused by:</p>`}
    <h3 id=${`exception-${index}`} class="exception-title">
      <span class="exception-type">${exception.type || 'Error'}</span>${exception.value && html`: <span class="exception-value">${exception.value}</span>`}
    </h3>
    <p class="exception-meta muted">
      ${exception.module && html`<span class="mono">${exception.module}</span>`}
      ${mechanism?.type && html`<span class="badge">mechanism: ${mechanism.type}</span>`}
      ${mechanism?.handled === false && html`<span class="badge level-error">unhandled</span>`}
      ${mechanism?.handled === true && html`<span class="badge">handled</span>`}
    </p>
    ${frames.length
      ? html`<${Frames} frames=${frames} openFirst=${index === 0} />`
      : html`<p class="muted">No stack trace was sent.</p>`}
  </section>`;
}

/** The chain, raised exception first (the API lists it oldest first). */
export function ExceptionChain({ exceptions }) {
  const raisedFirst = [...exceptions].reverse();
  return html`<div class="exceptions">
    <p class="muted small">Most recent call first.</p>
    ${raisedFirst.map((exception, i) => html`<${ExceptionSection}
      exception=${exception} index=${i} caused=${i > 0} />`)}
  </div>`;
}
