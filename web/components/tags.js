// The issue's tag distributions: each key with its most frequent values and their share of
// the events that carried the key, as bars with the percentage written out.
import { html } from '../lib/view.js';
import { count } from '../lib/format.js';

function percent(part, whole) {
  if (!whole) return 0;
  return Math.round((part / whole) * 100);
}

function TagKey({ tag }) {
  const others = tag.totalCount - tag.topValues.reduce((sum, v) => sum + v.count, 0);
  return html`<div class="tag-key">
    <h3 class="tag-name mono">${tag.key}</h3>
    <ul class="tag-values">
      ${tag.topValues.map((value) => {
        const share = percent(value.count, tag.totalCount);
        return html`<li class="tag-value" title=${`${value.count} of ${tag.totalCount}`}>
          <span class="tag-bar" style=${{ width: `${share}%` }}></span>
          <span class="tag-label mono">${value.value}</span>
          <span class="tag-share">${share}%</span>
        </li>`;
      })}
      ${others > 0 && html`<li class="tag-value muted">
        <span class="tag-label">${count(tag.distinctValues - tag.topValues.length)} other values</span>
        <span class="tag-share">${percent(others, tag.totalCount)}%</span></li>`}
    </ul>
  </div>`;
}

export function TagDistributions({ tags }) {
  return html`<section class="tags" aria-labelledby="tags-title">
    <h2 id="tags-title">Tags</h2>
    ${tags.length
      ? tags.map((tag) => html`<${TagKey} tag=${tag} />`)
      : html`<p class="muted">No tags.</p>`}
  </section>`;
}
