// A small bar chart of an issue's events over time (`Issue.stats`), drawn as one inline SVG
// path so a page of fifty rows stays cheap to render. Each chart is scaled to its own peak.
import { html } from '../lib/view.js';

const WIDTH = 96;
const HEIGHT = 24;

/**
 * `points`: `[{ bucket, count }]` oldest first; `label` says the span ("last 24 hours").
 * Buckets that start after `now` are left out, and at most `buckets` of the latest are drawn.
 */
export function Sparkline({ points, label, buckets = points.length, now = Date.now() }) {
  const shown = points.filter((p) => Date.parse(p.bucket) <= now).slice(-buckets);
  const total = shown.reduce((sum, p) => sum + p.count, 0);
  const peak = Math.max(1, ...shown.map((p) => p.count));
  const step = WIDTH / Math.max(1, shown.length);
  const bar = Math.max(1, step - 1);
  const d = shown
    .map((p, i) => {
      if (!p.count) return '';
      const height = Math.max(2, (p.count / peak) * HEIGHT);
      return `M${(i * step).toFixed(2)} ${HEIGHT}v${(-height).toFixed(2)}h${bar.toFixed(2)}v${height.toFixed(2)}z`;
    })
    .join('');
  const description = `${total.toLocaleString()} ${total === 1 ? 'event' : 'events'} in the ${label}`;
  return html`<svg class="sparkline" viewBox="0 0 ${WIDTH} ${HEIGHT}" width=${WIDTH} height=${HEIGHT}
      role="img" aria-label=${description} preserveAspectRatio="none">
    <title>${description}</title>
    <path class="sparkline-baseline" d="M0 ${HEIGHT - 0.5}H${WIDTH}" />
    ${d && html`<path class="sparkline-bars" d=${d} />`}
  </svg>`;
}
