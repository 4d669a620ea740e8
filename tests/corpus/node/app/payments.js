'use strict';
const Sentry = require('@sentry/node');
//+1.0.1 // Card payments and payouts go through several providers.
//+1.0.1 const PROVIDERS = ['stripe', 'adyen', 'paypal'];

function charge(paymentId, provider, amount) {
  if (amount % 7 === 0) {
    // Reported as a message: declines are not exceptions, but should not happen this often.
    Sentry.captureMessage(`Payment ${paymentId} declined by ${provider}`);
    return { ok: false };
  }
  return { ok: true };
}

function reportPayoutDelay(payoutId, provider, days) {
  if (days > 2) {
    Sentry.captureMessage(`Payout ${payoutId} delayed by ${provider}`, 'warning');
  }
}

module.exports = { charge, reportPayoutDelay };
