// Release 1.0.1: totals are rounded to whole cents by a new helper placed before priceOf, so the
// minified names and columns move; the bug in priceOf (and its source lines) are unchanged.

export function totalOf(items) {
  let total = 0;
  for (const item of items) {
    total += priceOf(item) * item.quantity;
  }
  return roundToCents(total);
}

// Binary floating point: 0.1 + 0.2 is 0.30000000000000004; a total is shown in cents.
function roundToCents(amount) {
  const cents = Math.round(amount * 100);
  return cents / 100;
}

function priceOf(item) {
  if (item.price === undefined) {
    throw new TypeError(`no price for ${item.sku}`);
  }
  return item.price;
}
