// Stock levels, from a (simulated) stock service that has no record for most SKUs.
const out = (text) => { document.getElementById('out').textContent = text; };

class StockError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StockError';
  }
}

const RECORDS = { mug: 14, tea: 3 };
const sku = () => document.getElementById('stock-sku').value.trim();
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

// BUG (browser-stock-unavailable): a SKU without a stock record rejects, and neither caller
// handles the rejection.
async function fetchStock(code) {
  await tick();
  // 1.0.1: stock codes are case-insensitive // @since 1.0.1
  code = code.toLowerCase(); // @since 1.0.1
  if (!(code in RECORDS)) {
    throw new StockError(`no stock record for SKU ${code}`);
  }
  return RECORDS[code];
}

export async function checkStock() {
  const level = await fetchStock(sku());
  out(`${level} in stock`);
}

function pollStock(code) {
  fetchStock(code).then((level) => out(`${level} in stock`));
}

export function watchStock() {
  const code = sku();
  setTimeout(() => pollStock(code), 30);
}
