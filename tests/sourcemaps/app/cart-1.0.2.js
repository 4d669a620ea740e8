// Release 1.0.2: a missing price falls back to the catalogue, but a new check rejects an item
// whose quantity is below one with a RangeError in quantityOf: another bug.

const CATALOGUE = { tea: 4.5, cake: 3.25 };

export function totalOf(items) {
  let total = 0;
  for (const item of items) {
    total += priceOf(item) * quantityOf(item);
  }
  return total;
}

function priceOf(item) {
  return item.price ?? CATALOGUE[item.sku];
}

function quantityOf(item) {
  if (!(item.quantity >= 1)) {
    throw new RangeError(`quantity of ${item.sku} must be at least 1, not ${item.quantity}`);
  }
  return item.quantity;
}
