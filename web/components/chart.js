// Events over time as inline SVG bars (no charting library): the last 24 hours by hour or the
// last 14 days by day. The same numbers are given as a sentence and, on request, a table, for
// people who do not see the bars.
import { html, useState } from '../lib/view.js';
import { count } from '../lib/format.js';

const RANGES = [
  { key: 'hourly', label: '24 hours', unit: 'hour' },
  { key: 'daily', label: '14 days', unit: 'day' },
];

function bucketLabel(iso, unit) {
  const at = new Date(iso);
  return unit === 'hour'
    ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : at.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

function summary(points, range) {
  const total = points.reduce((sum, p) => sum + p.count, 0);
  if (!total) return `No events in the last ${range.label}.`;
  const peak = points.reduce((best, p) => (p.count > best.count ? p : best));
  return `${count(total)} ${total === 1 ? 'event' : 'events'} in the last ${range.label}; most in the ${range.unit} of `
    + `${bucketLabel(peak.bucket, range.unit)} (${count(peak.count)}).`;
}

function Bars({ points, unit }) {
  const width = 100 / Math.max(points.length, 1);
  const max = Math.max(1, ...points.map((p) => p.count));
  return html`<svg class="chart-bars" viewBox="0 0 100 40" preserveAspectRatio="none" aria-hidden="true">
    ${points.map((p, i) => {
      const height = p.count ? Math.max(1.5, (p.count / max) * 40) : 0.4;
      return html`<rect x=${i * width + width * 0.1} y=${40 - height} width=${width * 0.8} height=${height}
        class=${p.count ? 'bar' : 'bar empty'}><title>${bucketLabel(p.bucket, unit)}: ${p.count}</title></rect>`;
    })}
  </svg>`;
}

/** `stats` holds both ranges (`hourly`, `daily`), loaded with the page. */
export function EventsChart({ stats }) {
  const [rangeKey, setRangeKey] = useState('hourly');
  const [table, setTable] = useState(false);
  const range = RANGES.find((r) => r.key === rangeKey);
  const points = stats[rangeKey] || [];
  return html`<section class="chart" aria-labelledby="chart-title">
    <div class="chart-head">
      <h2 id="chart-title">Events</h2>
      <div class="range-switch" role="group" aria-label="Time range">
        ${RANGES.map((r) => html`<button type="button" aria-pressed=${r.key === rangeKey}
          onClick=${() => setRangeKey(r.key)}>${r.label}</button>`)}
      </div>
    </div>
    <${Bars} points=${points} unit=${range.unit} />
    <p class="chart-summary muted small">${summary(points, range)}${' '}
      <button type="button" class="link" aria-expanded=${table} onClick=${() => setTable(!table)}>
        ${table ? 'Hide table' : 'Show as table'}</button></p>
    ${table && html`<div class="table-scroll chart-table" tabindex="0" role="region" aria-label="Events table">
      <table>
      <caption class="visually-hidden">Events per ${range.unit}, last ${range.label}</caption>
      <thead><tr><th scope="col">${range.unit === 'hour' ? 'Hour' : 'Day'}</th><th scope="col">Events</th></tr></thead>
      <tbody>${points.map((p) => html`<tr><td>${bucketLabel(p.bucket, range.unit)}</td><td>${p.count}</td></tr>`)}</tbody>
    </table></div>`}
  </section>`;
}
