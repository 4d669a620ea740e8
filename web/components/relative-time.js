// A time as people read it in a list ("3 minutes ago"), with the full local date and time in
// its tooltip and the exact instant in `datetime` for assistive technology and copy-paste.
import { html } from '../lib/view.js';
import { timeAgo, dateTime } from '../lib/format.js';

/** `iso`: an ISO 8601 date-time from the API. */
export function RelativeTime({ iso }) {
  return html`<time datetime=${iso} title=${dateTime(iso)}>${timeAgo(iso)}</time>`;
}
