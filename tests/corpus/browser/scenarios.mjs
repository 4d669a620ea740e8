// What the corpus runner does in the page, and which bug site (label) each action reaches.
//
// A step is a list of operations on the page followed by exactly one expected event:
//   ['fill', selector, text]      type into a field (fires `input`)
//   ['select', selector, value]   choose an option (fires `input` and `change`)
//   ['set', selector, value]      set a field's value without firing any event (restored form)
//   ['click', selector]           a real mouse click
// A boot step instead opens the page with a query string (?prefs=... / ?settings=...) that the
// page applies at start-up.
// `caller` names the call path that reaches the faulty line (only for the README and the log).

const fill = (sel, text) => ['fill', sel, text];
const click = (sel) => ['click', sel];

// ---- the call paths of every bug site --------------------------------------------------------

const prefs = {
  boot: (raw) => ({ caller: 'start-up restorePreferences (?prefs=)', boot: { prefs: raw } }),
  apply: (raw) => ({ caller: 'click Apply preferences', ops: [fill('#prefs', raw), click('#apply-prefs')] }),
  preview: (raw) => ({ caller: 'click Preview preferences (captureException)', ops: [fill('#prefs', raw), click('#preview-prefs')] }),
};
const settings = {
  boot: (text) => ({ caller: 'start-up settingsFromUrl (?settings=)', boot: { settings: text } }),
  import: (text) => ({ caller: 'click Import settings', ops: [fill('#settings', text), click('#import-settings')] }),
  validate: (text) => ({ caller: 'click Validate settings (captureException)', ops: [fill('#settings', text), click('#validate-settings')] }),
};
const api = {
  orders: (body) => ({ caller: 'click Load orders', ops: [fill('#api-body', body), click('#load-orders')] }),
  profile: (body) => ({ caller: 'click Refresh profile -> setTimeout', ops: [fill('#api-body', body), click('#refresh-profile')] }),
  badge: (body) => ({ caller: 'click Refresh badge (captureException)', ops: [fill('#api-body', body), click('#refresh-badge')] }),
};
const cart = {
  show: (skus) => ({ caller: 'click Show cart -> Array.map', ops: [fill('#cart-skus', skus), click('#show-cart')] }),
  checkout: (skus) => ({ caller: 'click Checkout -> for..of', ops: [fill('#cart-skus', skus), click('#checkout')] }),
  save: (skus) => ({ caller: 'click Save cart -> setTimeout -> Array.reduce', ops: [fill('#cart-skus', skus), click('#save-cart')] }),
};
const product = {
  one: (skus) => ({ caller: 'click Show product', ops: [fill('#product-skus', skus), click('#show-product')] }),
  catalog: (skus) => ({ caller: 'click Show catalog -> Array.map', ops: [fill('#product-skus', skus), click('#show-catalog')] }),
};
const users = {
  comments: (ids) => ({ caller: 'click Show comments -> Array.forEach', ops: [fill('#comment-authors', ids), click('#show-comments')] }),
  account: (id) => ({ caller: 'click Show account', ops: [fill('#account-user', id), click('#show-account')] }),
};
const pager = {
  change: (total) => ({
    caller: 'change Page size to All',
    ops: [fill('#result-count', total), ['select', '#page-size', '10'], ['select', '#page-size', '0']],
  }),
  next: (total) => ({
    caller: 'click Next page (page size All)',
    ops: [fill('#result-count', total), ['set', '#page-size', '0'], click('#next-page')],
  }),
};
const filter = {
  search: (query) => ({ caller: 'click Search', ops: [fill('#query', query), click('#search')] }),
  save: (query) => ({ caller: 'click Save filter (captureException)', ops: [fill('#query', query), click('#save-filter')] }),
};
const timeout = {
  search: (query) => ({ caller: 'click Search -> unhandled rejection', ops: [fill('#query', query), click('#search')] }),
  suggest: (text) => ({ caller: 'input in Suggest -> unhandled rejection', ops: [fill('#suggest', text)] }),
};
const payment = {
  pay: (id, provider) => ({ caller: 'click Pay', ops: [fill('#order-id', id), ['select', '#provider', provider], click('#pay')] }),
  retry: (id, provider) => ({
    caller: 'click Retry payment -> setTimeout',
    ops: [fill('#order-id', id), ['select', '#provider', provider], click('#retry-payment')],
  }),
};
const stock = {
  check: (sku) => ({ caller: 'click Check stock (async handler) -> unhandled rejection', ops: [fill('#stock-sku', sku), click('#check-stock')] }),
  watch: (sku) => ({ caller: 'click Watch stock -> setTimeout -> unhandled rejection', ops: [fill('#stock-sku', sku), click('#watch-stock')] }),
};

// ---- the steps of each release, per label ----------------------------------------------------

export const RELEASES = {
  '1.0.0': {
    'browser-prefs-json-parse': [
      prefs.boot('dark'),
      prefs.apply('{"theme": dark}'),
      prefs.preview("{'theme': 'dark'}"),
      prefs.apply('{"fontSize": 14,}'),
      prefs.preview('light'),
    ],
    'browser-unknown-setting': [
      settings.boot('currency=EUR;cache_ttl=30'),
      settings.import('language=en\nlog_level=debug'),
      settings.validate('theme_color=#333'),
      settings.import('max_items=50'),
      settings.validate('currency=USD\nretry_ms=200'),
    ],
    'browser-api-json-parse': [
      api.orders('<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>'),
      api.profile('Internal Server Error'),
      api.badge('{"count": 3'),
      api.orders(''),
      api.profile('<html><head><title>Maintenance</title></head></html>'),
    ],
    'browser-cart-missing-price': [
      cart.show('mug,gift-card'),
      cart.checkout('gift-card'),
      cart.save('tea,sample-sachet,mug'),
      cart.show('sample-sachet'),
      cart.checkout('poster,lamp,gift-card'),
    ],
    'browser-product-missing-category': [
      product.one('clearance-vase'),
      product.catalog('mug,legacy-kettle'),
      product.one('outlet-rug'),
      product.catalog('tea,poster,clearance-vase'),
      product.one('legacy-kettle'),
    ],
    'browser-user-missing-profile': [
      users.comments('u1,u7,u2'),
      users.account('u9'),
      users.comments('u8'),
      users.account('u10'),
      users.comments('u3,u4,u9'),
    ],
    'browser-pager-invalid-length': [
      pager.change('40'),
      pager.next('120'),
      pager.change('0'),
      pager.next('7'),
      pager.change('333'),
    ],
    'browser-unknown-filter-field': [
      filter.search('red mug colour:red'),
      filter.save('brnad:acme'),
      filter.search('sizes:xl shirt'),
      filter.save('category:decor material:wood'),
      filter.search('lamp prize:20'),
    ],
    'browser-search-timeout': [
      timeout.search('red mug color:red'),
      timeout.suggest('tea'),
      timeout.search('desk lamp'),
      timeout.suggest('pos'),
      timeout.search('gift card price:20'),
    ],
    'browser-payment-declined': [
      payment.pay('10231', 'stripe'),
      payment.retry('10232', 'adyen'),
      payment.pay('9987', 'paypal'),
      payment.retry('31', 'stripe'),
      payment.pay('200417', 'adyen'),
    ],
    'browser-stock-unavailable': [
      stock.check('lamp'),
      stock.watch('poster'),
      stock.check('gift-card'),
      stock.watch('vase-01'),
      stock.check('kettle'),
    ],
  },
  '1.0.1': {
    'browser-prefs-json-parse': [
      prefs.boot('{"lang":"fr"'),
      prefs.apply('theme=dark'),
      prefs.preview('{"theme":"dark"}}'),
      prefs.apply('undefined'),
      prefs.preview('{density: "compact"}'),
    ],
    'browser-unknown-setting': [
      settings.boot('timezone=UTC;log_level=warn'),
      settings.import('cache_ttl=600'),
      settings.validate('newsletter=yes\nlanguag=fr'),
      settings.import('page_size=20\ndark_mode=on'),
      settings.validate('cache_size=64'),
    ],
    'browser-api-json-parse': [
      api.orders('upstream connect error or disconnect/reset before headers'),
      api.profile('{"result": {"name": "Ada"}'),
      api.badge('<!DOCTYPE html><html><body><h1>504 Gateway Timeout</h1></body></html>'),
      api.orders('{"result": [1, 2,]}'),
      api.badge('Service Unavailable'),
    ],
    'browser-cart-missing-price': [
      cart.save('gift-card,mug'),
      cart.show('tea,tea,sample-sachet'),
      cart.checkout('sample-sachet,poster'),
      cart.save('lamp,gift-card'),
      cart.show('promo-bundle,gift-card'),
    ],
    'browser-product-missing-category': [
      product.catalog('outlet-rug'),
      product.one('clearance-vase'),
      product.catalog('promo-bundle,lamp,legacy-kettle'),
      product.one('outlet-rug'),
      product.catalog('mug,clearance-vase'),
    ],
    'browser-user-missing-profile': [
      users.account('u7'),
      users.comments('u2,u10'),
      users.account('u9'),
      users.comments('u1,u2,u8'),
      users.account('u8'),
    ],
    'browser-pager-invalid-length': [
      pager.next('40'),
      pager.change('15'),
      pager.next('0'),
      pager.change('250'),
      pager.next('64'),
    ],
    'browser-unknown-filter-field': [
      filter.save('colour:blue'),
      filter.search('tea origin:japan'),
      filter.save('size:m sizes:l'),
      filter.search('brand:acme kettle'),
      filter.save('weight:2kg'),
    ],
    'browser-search-timeout': [
      timeout.suggest('kett'),
      timeout.search('green tea size:s'),
      timeout.suggest('vase'),
      timeout.search('poster'),
      timeout.suggest('mu'),
    ],
    'browser-payment-declined': [
      payment.retry('20011', 'paypal'),
      payment.pay('20012', 'stripe'),
      payment.retry('7', 'adyen'),
      payment.pay('88410', 'paypal'),
      payment.retry('20015', 'stripe'),
    ],
    'browser-stock-unavailable': [
      stock.watch('lamp'),
      stock.check('rug-9'),
      stock.watch('sku-4410'),
      stock.check('poster'),
      stock.watch('candle'),
    ],
  },
};

/**
 * The visits (page loads) of one release: every boot step gets a page load of its own; the other
 * steps are dealt round-robin over the labels (so no two consecutive events in a page come from
 * the same site, which the SDK's dedupe integration could otherwise drop) and cut into visits of
 * at most `perVisit` steps.
 */
export function visitsOf(release, perVisit = 14) {
  const byLabel = Object.entries(RELEASES[release]);
  const visits = [];
  for (const [label, steps] of byLabel) {
    for (const step of steps.filter((s) => s.boot)) visits.push([{ label, ...step }]);
  }
  const queues = byLabel.map(([label, steps]) => steps.filter((s) => !s.boot).map((s) => ({ label, ...s })));
  const dealt = [];
  while (queues.some((q) => q.length)) {
    for (const q of queues) if (q.length) dealt.push(q.shift());
  }
  for (let i = 0; i < dealt.length; i += perVisit) visits.push(dealt.slice(i, i + perVisit));
  return visits;
}
