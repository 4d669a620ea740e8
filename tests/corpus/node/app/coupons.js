'use strict';
//+1.0.1 // Coupon codes are printed in upper case on the flyers.
const COUPONS = { SPRING10: 0.1, WELCOME5: 0.05, VIP20: 0.2 };

function lookupCoupon(code) {
  // BUG: codes typed in lower case are not normalised before the lookup.
  const rate = COUPONS[code];
  if (rate === undefined) {
    throw new Error(`unknown coupon "${code}"`);
  }
  return rate;
}

function applyCoupon(subtotal, code) {
//+1.0.1   if (!code) return subtotal;
  return subtotal * (1 - lookupCoupon(code));
}

function previewDiscount(code) {
  return { code, percent: lookupCoupon(code) * 100 };
}

module.exports = { lookupCoupon, applyCoupon, previewDiscount };
