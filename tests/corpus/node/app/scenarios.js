'use strict';
// Which request hits which bug. `r` is the release index (0 = 1.0.0, 1 = 1.0.1), used only to
// vary the inputs between releases. `label` is the faulty code site the request ends up in,
// decided when the scenario was written (the site named in the comment of each group);
// `expect` only double-checks that the event really came from that site's error.

const item = (sku, qty, amount) => ({ sku, qty, price: { amount, currency: 'EUR' } });
const legacy = (sku, qty, unitPrice) => ({ sku, qty, unitPrice });
const cookie = (...items) => JSON.stringify({ items });
const member = (id, first, last) => ({ id, email: `${first.toLowerCase()}@example.com`, profile: { firstName: first, lastName: last } });
const guest = (id) => ({ id: `guest-${id}`, email: `guest${id}@example.com` });
const pick = (r, a, b) => (r === 0 ? a : b);

function scenarios(r) {
  return {
    // config.js parseSettings: `unknown setting "<key>"`
    'node-config-unknown-setting': {
      expect: /^unknown setting "/,
      runs: [
        ['bootstrap', pick(r, 'currency=EUR\ncache_ttl=60', 'currency=GBP\nlog_level=debug'), {}],
        ['bootstrap', 'currency=EUR', pick(r, { SHOP_LOG_LEVEL: 'info' }, { SHOP_CACHE_TTL: '300' })],
        ['adminReloadSettings', { text: pick(r, 'locale=fr\nfeature_flags=beta', 'max_items=50\nretry_limit=3') }],
        ['adminReloadSettings', { text: pick(r, 'smtp_host=mail.local', 'tax_rate=0.2\ntimezone=UTC') }],
      ],
    },
    // coupons.js lookupCoupon: `unknown coupon "<code>"`
    'node-coupon-unknown-code': {
      expect: /^unknown coupon "/,
      runs: [
        ['checkout', { cookies: { cart: cookie(item('TSHIRT-S', 1, 1500)) }, coupon: pick(r, 'spring10', 'vip20'), paymentId: 'pay_c1', provider: 'stripe' }],
        ['cartPage', { cookies: { cart: cookie(item('MUG-1', 1, 900)) }, user: member(7, 'Ada', 'Lovelace'), coupon: pick(r, 'welcome5', 'Spring10') }],
        ['checkout', { cookies: { cart: cookie(item('CAP-9', 1, 1200)) }, coupon: pick(r, 'SUMMER25', 'welcome5 '), paymentId: 'pay_c2', provider: 'adyen' }],
        ['cartPage', { cookies: { cart: cookie(item('SOCKS-2', 2, 400)) }, user: member(8, 'Alan', 'Turing'), coupon: pick(r, 'vip-20', 'WELCOME_5') }],
      ],
    },
    // cart.js restoreCart: JSON.parse of the raw cookie (one bug, three callers)
    'node-cart-restore-bad-json': {
      expect: /JSON/,
      runs: [
        ['cartPage', { cookies: { cart: pick(r, '', 'undefined') }, user: member(9, 'Grace', 'Hopper') }],
        ['checkout', { cookies: { cart: pick(r, '%7B%22items%22%3A%5B%5D%7D', '{"items":[{"sku":"MUG-1"') }, paymentId: 'pay_j1', provider: 'stripe' }],
        ['login', { cookies: { guest_cart: pick(r, 'j:{"items":[]}', '') }, user: member(10, 'Edsger', 'Dijkstra') }],
        ['checkout', { cookies: { cart: pick(r, '{"items":[{"sku":"CAP-9","qty":1}', 'j:{"items":[{"sku":"MUG-1","qty":1}]}') }, paymentId: 'pay_j2', provider: 'paypal' }],
      ],
    },
    // webhooks.js parseEvent: JSON.parse of the raw body (a different bug, same error shapes)
    'node-webhook-bad-json': {
      expect: /JSON/,
      runs: [
        ['stripeWebhook', { body: pick(r, '', '<html><body>502 Bad Gateway</body></html>') }],
        ['adyenWebhook', { body: pick(r, 'eventCode=AUTHORISATION&pspReference=8815', '') }],
        ['stripeWebhook', { body: pick(r, 'type=charge.succeeded&id=evt_1N2', '{"type":"charge.refunded","id":"evt_9') }],
        ['adyenWebhook', { body: pick(r, '<html><head><title>504</title>', '[accepted]') }],
      ],
    },
    // pricing.js computeSubtotal: `item.price.amount` inside the items.map(item => ...) callback
    'node-pricing-missing-price': {
      expect: /^Cannot read properties of undefined \(reading 'amount'\)$/,
      runs: [
        ['cartPage', { cookies: { cart: cookie(legacy('MUG-1', 2, 900)) }, user: member(11, 'Barbara', 'Liskov') }],
        ['checkout', { cookies: { cart: cookie(item('TSHIRT-M', 1, 1500), legacy(pick(r, 'CAP-9', 'SOCKS-2'), 1, 1200)) }, paymentId: 'pay_p1', provider: 'adyen' }],
        ['quoteApi', { items: pick(r, [legacy('SOCKS-2', 3, 400)], [item('MUG-1', 1, 900), legacy('TSHIRT-S', 2, 1500)]) }],
        [pick(r, 'checkout', 'cartPage'), { cookies: { cart: cookie(legacy('TSHIRT-S', pick(r, 1, 4), 1500)) }, user: member(12, 'Ken', 'Thompson'), paymentId: 'pay_p2', provider: 'stripe' }],
      ],
    },
    // users.js displayName: `user.profile.firstName` for guests
    'node-user-missing-profile': {
      expect: /^Cannot read properties of undefined \(reading 'firstName'\)$/,
      runs: [
        ['cartPage', { cookies: { cart: cookie(item('MUG-1', 1, 900)) }, user: guest(pick(r, 17, 71)) }],
        ['sendOrderReceipt', { user: guest(pick(r, 23, 32)), orderId: pick(r, 4401, 5502) }],
        ['login', { cookies: { guest_cart: cookie(item('CAP-9', 1, 1200)) }, user: guest(pick(r, 41, 14)) }],
        ['sendOrderReceipt', { user: guest(pick(r, 5, 50)), orderId: pick(r, 4409, 5517) }],
      ],
    },
    // orders.js ownerOf (async): `order.customer.id` for guest orders
    'node-order-missing-customer': {
      expect: /^Cannot read properties of undefined \(reading 'id'\)$/,
      runs: [
        ['adminRefund', { orderId: pick(r, 3, 9) }],
        ['exportOrdersCsv', { orderIds: pick(r, [1, 2, 6], [4, 12]) }],
        ['adminRefund', { orderId: pick(r, 21, 33) }],
        ['exportOrdersCsv', { orderIds: pick(r, [15], [7, 8, 30]) }],
      ],
    },
    // shipping.js scheduleLabelPrint: `shipment.carrier.id` inside a setTimeout(() => ...) callback
    // (an uncaught exception: the SDK's global handler reports it and exits the process, so
    // each of these runs in a process of its own)
    'node-shipment-missing-carrier': {
      expect: /^Cannot read properties of undefined \(reading 'id'\)$/,
      crash: true,
      runs: [
        ['checkout', { cookies: { cart: cookie(item('TSHIRT-S', 1, pick(r, 1500, 2500))) }, paymentId: 'pay_s1', provider: 'stripe', orderId: pick(r, 501, 777), address: '1 Main St' }],
        ['adminReprintLabel', { orderId: pick(r, 502, 778), address: '2 High St' }],
        ['checkout', { cookies: { cart: cookie(item('MUG-1', 1, pick(r, 1200, 3100))) }, paymentId: 'pay_s2', provider: 'paypal', orderId: pick(r, 503, 779), address: '3 Park Ave' }],
        ['adminReprintLabel', { orderId: pick(r, 504, 780), address: '4 Lake Rd' }],
      ],
    },
    // fx.js convert: `rates[currency].rate` inside a promise .then(...) callback
    // (an unhandled rejection, caught by the SDK's global handler)
    'node-fx-missing-rate': {
      expect: /^Cannot read properties of undefined \(reading 'rate'\)$/,
      runs: [
        ['cartPage', { cookies: { cart: cookie(item('MUG-1', 1, 900)) }, user: member(13, 'Donald', 'Knuth'), currency: pick(r, 'CHF', 'SEK') }],
        ['nightlyReport', { revenue: pick(r, 120000, 98000), currencies: pick(r, ['EUR', 'NOK'], ['PLN']), rows: [] }],
        ['cartPage', { cookies: { cart: cookie(item('CAP-9', 2, 1200)) }, user: member(14, 'Frances', 'Allen'), currency: pick(r, 'DKK', 'CZK') }],
        ['nightlyReport', { revenue: pick(r, 54000, 61000), currencies: pick(r, ['AUD'], ['GBP', 'HUF']), rows: [] }],
      ],
    },
    // inventory.js reserveStock (async): RangeError `insufficient stock for <sku>: wanted <n>, have <m>`
    'node-inventory-oversell': {
      expect: /^insufficient stock for /,
      runs: [
        ['checkout', { cookies: { cart: cookie(item(pick(r, 'TSHIRT-S', 'CAP-9'), pick(r, 4, 2), 1500)) }, paymentId: 'pay_i1', provider: 'stripe' }],
        ['bulkImport', { lines: pick(r, [{ sku: 'MUG-1', qty: 1 }, { sku: 'SOCKS-2', qty: 9 }], [{ sku: 'TSHIRT-M', qty: 6 }]) }],
        ['checkout', { cookies: { cart: cookie(item('MUG-1', 1, 900), item(pick(r, 'SOCKS-2', 'TSHIRT-M'), pick(r, 5, 12), 400)) }, paymentId: 'pay_i2', provider: 'adyen' }],
        ['bulkImport', { lines: pick(r, [{ sku: 'CAP-9', qty: 3 }], [{ sku: 'HOODIE-XL', qty: 1 }]) }],
      ],
    },
    // payments.js charge: captureMessage(`Payment ${paymentId} declined by ${provider}`)
    'node-payment-declined-message': {
      expect: /^Payment \S+ declined by (stripe|adyen|paypal)$/,
      runs: [
        ['checkout', { cookies: { cart: cookie(item('TSHIRT-S', 1, 700)) }, paymentId: pick(r, 'pay_4X1', 'pay_9Q2'), provider: pick(r, 'stripe', 'adyen'), orderId: 601 }],
        ['renewSubscription', { paymentId: pick(r, 'sub_771', 'sub_802'), provider: pick(r, 'paypal', 'stripe'), amount: 1400 }],
        ['checkout', { cookies: { cart: cookie(item('MUG-1', 2, 1050)) }, paymentId: pick(r, 'pay_5T7', 'pay_0L3'), provider: pick(r, 'adyen', 'paypal'), orderId: 602 }],
        ['renewSubscription', { paymentId: pick(r, 'sub_913', 'sub_120'), provider: pick(r, 'stripe', 'adyen'), amount: 2100 }],
      ],
    },
    // payments.js reportPayoutDelay: captureMessage(`Payout ${payoutId} delayed by ${provider}`)
    'node-payout-delayed-message': {
      expect: /^Payout \S+ delayed by (stripe|adyen|paypal)$/,
      runs: [
        ['nightlyReport', { revenue: 0, payouts: [{ id: pick(r, 'po_118', 'po_240'), provider: pick(r, 'stripe', 'paypal'), days: 4 }], rows: [] }],
        ['adminRetryPayout', { payoutId: pick(r, 'po_119', 'po_241'), provider: pick(r, 'adyen', 'stripe'), daysPending: 3 }],
        ['nightlyReport', { revenue: 0, payouts: [{ id: 'po_1', provider: 'adyen', days: 1 }, { id: pick(r, 'po_131', 'po_262'), provider: pick(r, 'paypal', 'adyen'), days: 6 }], rows: [] }],
        ['adminRetryPayout', { payoutId: pick(r, 'po_140', 'po_270'), provider: pick(r, 'stripe', 'paypal'), daysPending: 9 }],
      ],
    },
  };
}

// Round-robin over the sites so that two consecutive events never come from the same site
// (the SDK's Dedupe integration drops an event identical to the previous one).
function schedule(r) {
  const all = scenarios(r);
  const out = [];
  const longest = Math.max(...Object.values(all).map((s) => s.runs.length));
  for (let i = 0; i < longest; i++) {
    for (const [label, site] of Object.entries(all)) {
      if (i < site.runs.length) {
        const [route, ...args] = site.runs[i];
        out.push({ label, expect: site.expect, crash: Boolean(site.crash), route, args });
      }
    }
  }
  return out;
}

module.exports = { schedule };
