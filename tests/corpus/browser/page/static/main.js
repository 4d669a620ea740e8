// Entry point of the shop page: starts the Sentry browser SDK and wires the controls.
// Lines marked `@since 1.0.1` exist only in release 1.0.1 (run.mjs drops them for 1.0.0).
import * as Sentry from '@sentry/browser';
import { applyPreferences, previewPreferences, restorePreferences } from './prefs.js'; // @since 1.0.1
import { importSettings, validateSettings, settingsFromUrl } from './settings.js';
import { loadOrders, refreshProfileLater, refreshBadge } from './api.js';
import { renderCart, checkout, saveCartLater } from './cart.js';
import { showProduct, showCatalog, changePageSize, nextPage } from './catalog.js';
import { showComments, showAccount } from './users.js';
import { search, saveFilter, suggest } from './search.js';
import { pay, retryPaymentLater } from './payment.js';
import { checkStock, watchStock } from './stock.js';
import { applyPreferences, previewPreferences, restorePreferences } from './prefs.js'; // @until 1.0.0

window.__corpusSent = [];

Sentry.init({
  dsn: '__DSN__',
  release: 'shop-web@__RELEASE__',
  environment: 'production',
  // no sessions, no client reports, no tracing: only error/message events reach the server
  integrations: (defaults) => defaults.filter((integration) => integration.name !== 'BrowserSession'),
  sendClientReports: false,
  // corpus harness only: remember which event ids were sent, so run.mjs can label them
  beforeSend(event) {
    window.__corpusSent.push(event.event_id);
    return event;
  },
});
window.Sentry = Sentry;

const on = (id, type, handler) => document.getElementById(id).addEventListener(type, handler);

on('apply-prefs', 'click', applyPreferences);
on('preview-prefs', 'click', previewPreferences);
on('import-settings', 'click', importSettings);
on('validate-settings', 'click', validateSettings);
on('load-orders', 'click', loadOrders);
on('refresh-profile', 'click', refreshProfileLater);
on('refresh-badge', 'click', refreshBadge);
on('show-cart', 'click', renderCart);
on('checkout', 'click', checkout);
on('save-cart', 'click', saveCartLater);
on('show-product', 'click', showProduct);
on('show-catalog', 'click', showCatalog);
on('page-size', 'change', changePageSize);
on('next-page', 'click', nextPage);
on('show-comments', 'click', showComments);
on('show-account', 'click', showAccount);
on('search', 'click', search);
on('save-filter', 'click', saveFilter);
on('suggest', 'input', suggest);
on('pay', 'click', pay);
on('retry-payment', 'click', retryPaymentLater);
on('check-stock', 'click', checkStock);
on('watch-stock', 'click', watchStock);

window.__corpusReady = true;

// Restore state passed in the address (shared links): ?prefs=... and ?settings=...
const params = new URLSearchParams(location.search);
if (params.has('prefs')) {
  restorePreferences(params.get('prefs'));
}
if (params.has('settings')) {
  settingsFromUrl(params.get('settings'));
}
