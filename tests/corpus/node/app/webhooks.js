'use strict';
//+1.0.1 // Payment providers post their notifications here.
//+1.0.1 const MAX_BODY = 64 * 1024;

function parseEvent(rawBody) {
//+1.0.1   if (rawBody.length > MAX_BODY) return null;
  // BUG: assumes every provider posts JSON; some post form-encoded bodies, empty pings or
  // an HTML error page from their proxy.
  const event = JSON.parse(rawBody);
  return { type: event.type, id: event.id };
}

function handleStripeWebhook(rawBody) {
  const event = parseEvent(rawBody);
  return { ok: true, provider: 'stripe', type: event.type };
}

function handleAdyenWebhook(rawBody) {
  const event = parseEvent(rawBody);
  return { accepted: '[accepted]', provider: 'adyen', type: event.type };
}

module.exports = { parseEvent, handleStripeWebhook, handleAdyenWebhook };
