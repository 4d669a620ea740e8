'use strict';
//+1.0.1 // Prices are { amount, currency } objects in minor units.
//+1.0.1 // Legacy carts (before 0.9) stored a plain "unitPrice" number instead.

function computeSubtotal(items) {
  // BUG: legacy items have "unitPrice" and no "price" object.
  return items
    .map((item) => item.price.amount * item.qty)
    .reduce((sum, value) => sum + value, 0);
}

function renderCart(cart) {
  return { lines: cart.items.length, subtotal: computeSubtotal(cart.items) };
}

function quote(items) {
  const subtotal = computeSubtotal(items);
  return { subtotal, tax: Math.round(subtotal * 0.2) };
}

module.exports = { computeSubtotal, renderCart, quote };
