// The shopping cart.
import { PRODUCTS, skuList } from './data.js';

const out = (text) => { document.getElementById('out').textContent = text; };
const cartLines = () => skuList('cart-skus').map((sku, i) => ({ sku, qty: i + 1, ...PRODUCTS[sku] }));

// 1.0.1: prices are rounded to cents // @since 1.0.1
const cents = (value) => Math.round(value * 100) / 100; // @since 1.0.1

// BUG (browser-cart-missing-price): products without a fixed price (gift cards, samples) have no
// `price`, and this reads it anyway.
function lineTotal(line) {
  return line.price.amount * line.qty;
}

export function renderCart() {
  const totals = cartLines().map(lineTotal);
  out(totals.join('\n'));
}

export function checkout() {
  let sum = 0;
  for (const line of cartLines()) {
    sum += lineTotal(line);
  }
  out(`total ${sum}`);
}

function saveCart() {
  const total = cartLines().reduce((sum, line) => sum + lineTotal(line), 0);
  localStorage.setItem('cart-total', String(total));
}

export function saveCartLater() {
  setTimeout(saveCart, 40);
}
