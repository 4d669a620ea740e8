'use strict';
//+1.0.1 // Orders placed by guests have no customer record.

async function loadOrder(id) {
  await new Promise((resolve) => setImmediate(resolve));
  return { id, customer: id % 3 === 0 ? undefined : { id: 1000 + id }, total: 10 * id };
}

async function ownerOf(order) {
  await new Promise((resolve) => setImmediate(resolve));
  // BUG: guest orders have no customer.
  return order.customer.id;
}

async function refundOrder(orderId) {
  const order = await loadOrder(orderId);
  const owner = await ownerOf(order);
  return { refunded: order.total, owner };
}

async function exportOrders(orderIds) {
  const orders = await Promise.all(orderIds.map((id) => loadOrder(id)));
  const rows = [];
  for (const order of orders) {
    rows.push([order.id, await ownerOf(order), order.total].join(','));
  }
  return rows.join('\n');
}

module.exports = { loadOrder, ownerOf, refundOrder, exportOrders };
