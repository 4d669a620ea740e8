'use strict';
//+1.0.1 // Stock levels per SKU; reservations are checked against the shelf count only.
//+1.0.1 const BACKORDER_SKUS = new Set(['MUG-1']);

const STOCK = { 'TSHIRT-S': 3, 'TSHIRT-M': 5, 'MUG-1': 2, 'CAP-9': 1, 'SOCKS-2': 4 };

async function reserveStock(sku, qty) {
  await new Promise((resolve) => setImmediate(resolve));
  const left = STOCK[sku] ?? 0;
  // BUG: back-orderable items should not be limited by the shelf count.
  if (qty > left) {
    throw new RangeError(`insufficient stock for ${sku}: wanted ${qty}, have ${left}`);
  }
  return { sku, qty };
}

async function bulkReserve(lines) {
  const out = [];
  for (const line of lines) out.push(await reserveStock(line.sku, line.qty));
  return out;
}

module.exports = { reserveStock, bulkReserve };
