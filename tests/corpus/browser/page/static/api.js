// Talking to the shop's API. The page has no real backend: the body the API "returns" is taken
// from the simulated-response box, which the corpus runner fills with what a broken proxy sends.
import * as Sentry from '@sentry/browser';

const out = (text) => { document.getElementById('out').textContent = text; };
const responseBody = () => document.getElementById('api-body').value;

// 1.0.1: every request carries the client version // @since 1.0.1
export const CLIENT_VERSION = 'shop-web/1.0.1'; // @since 1.0.1
 // @since 1.0.1
// BUG (browser-api-json-parse): assumes every response body is JSON, even error pages.
export function parseApiResponse(text) {
  const data = JSON.parse(text);
  return data.result ?? data;
}

export function loadOrders() {
  const orders = parseApiResponse(responseBody());
  out(`${orders.length} orders`);
}

function refreshProfile() {
  const profile = parseApiResponse(responseBody());
  out(`profile of ${profile.name}`);
}

export function refreshProfileLater() {
  // 1.0.1: the profile refresh waits a little longer // @since 1.0.1
  setTimeout(refreshProfile, 60);
}

export function refreshBadge() {
  try {
    const badge = parseApiResponse(responseBody());
    out(`badge ${badge.count}`);
  } catch (error) {
    Sentry.captureException(error);
  }
}
