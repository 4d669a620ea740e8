'use strict';
//+1.0.1 // Exchange rates, refreshed by the rates service.

function fetchRates() {
  return new Promise((resolve) => {
    setImmediate(() => resolve({ EUR: { rate: 0.92 }, GBP: { rate: 0.79 }, JPY: { rate: 151.2 } }));
  });
}

function convert(amount, currency) {
  // BUG: currencies missing from the rates table are not handled.
  return fetchRates().then((rates) => Math.round(amount * rates[currency].rate));
}

module.exports = { fetchRates, convert };
