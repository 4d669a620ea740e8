// Release 1.0.0: an item without a price throws a TypeError in priceOf.

export function totalOf(items) {
  let total = 0;
  for (const item of items) {
    total += priceOf(item) * item.quantity;
  }
  return total;
}

function priceOf(item) {
  if (item.price === undefined) {
    throw new TypeError(`no price for ${item.sku}`);
  }
  return item.price;
}
