'use strict';
// Request handlers of the shop. Each one is a different caller of the faulty helpers.
const config = require('./config');
const coupons = require('./coupons');
const cart = require('./cart');
const webhooks = require('./webhooks');
const pricing = require('./pricing');
const users = require('./users');
const orders = require('./orders');
const shipping = require('./shipping');
const fx = require('./fx');
const inventory = require('./inventory');
const payments = require('./payments');
//+1.0.1 const ROUTE_VERSION = 2;

function bootstrap(fileContents, env) {
  const settings = config.loadConfigFile(fileContents);
  return Object.assign(settings, config.applyEnvOverrides(env));
}

function adminReloadSettings(form) {
  return { saved: config.parseSettings(form.text) };
}

function cartPage(req) {
  const current = cart.restoreCart(req.cookies.cart);
  const page = { header: users.renderHeader(req.user), cart: pricing.renderCart(current) };
  if (req.coupon) page.discount = coupons.previewDiscount(req.coupon);
  if (req.currency) {
    // the converted total is filled in when the rates arrive (no .catch: see fx.js)
    fx.convert(page.cart.subtotal, req.currency).then((value) => {
      page.converted = value;
    });
  }
  return page;
}

async function checkout(req) {
  const current = cart.restoreCart(req.cookies.cart);
  const subtotal = pricing.computeSubtotal(current.items);
  const total = req.coupon ? coupons.applyCoupon(subtotal, req.coupon) : subtotal;
  for (const item of current.items) {
    await inventory.reserveStock(item.sku, item.qty);
  }
  const payment = payments.charge(req.paymentId, req.provider, Math.round(total));
  if (!payment.ok) return { status: 402 };
  shipping.fulfil({ id: req.orderId, carrier: req.carrier, address: req.address });
  return { status: 201, total };
}

function login(req) {
  const merged = cart.mergeGuestCart({ items: [] }, req.cookies.guest_cart);
  return { header: users.renderHeader(req.user), items: merged.items.length };
}

async function sendOrderReceipt(req) {
  return users.sendReceipt(req.user, { id: req.orderId });
}

function quoteApi(req) {
  return pricing.quote(req.items);
}

function stripeWebhook(req) {
  return webhooks.handleStripeWebhook(req.body);
}

function adyenWebhook(req) {
  return webhooks.handleAdyenWebhook(req.body);
}

async function adminRefund(req) {
  return orders.refundOrder(req.orderId);
}

async function exportOrdersCsv(req) {
  return orders.exportOrders(req.orderIds);
}

function adminReprintLabel(req) {
  return shipping.reprintLabel({ orderId: req.orderId, carrier: req.carrier, address: req.address });
}

async function renewSubscription(sub) {
  await new Promise((resolve) => setImmediate(resolve));
  return payments.charge(sub.paymentId, sub.provider, sub.amount);
}

async function bulkImport(req) {
  return inventory.bulkReserve(req.lines);
}

function nightlyReport(job) {
  for (const currency of job.currencies || []) {
    // fire and forget: the report is written when all conversions are done
    fx.convert(job.revenue, currency).then((value) => job.rows.push([currency, value]));
  }
  for (const payout of job.payouts || []) {
    payments.reportPayoutDelay(payout.id, payout.provider, payout.days);
  }
  return job.rows;
}

function adminRetryPayout(req) {
  payments.reportPayoutDelay(req.payoutId, req.provider, req.daysPending);
  return { retried: true };
}

module.exports = {
  bootstrap,
  adminReloadSettings,
  cartPage,
  checkout,
  login,
  sendOrderReceipt,
  quoteApi,
  stripeWebhook,
  adyenWebhook,
  adminRefund,
  exportOrdersCsv,
  adminReprintLabel,
  renewSubscription,
  bulkImport,
  nightlyReport,
  adminRetryPayout,
};
