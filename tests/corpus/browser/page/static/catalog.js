// Product pages, the catalogue and its pager.
import { PRODUCTS, skuList } from './data.js';

const out = (text) => { document.getElementById('out').textContent = text; };

// 1.0.1: category labels are upper-case // @since 1.0.1
// BUG (browser-product-missing-category): products imported from the old catalogue have no
// category, and this reads its name anyway.
function categoryLabel(product) {
  return product.category.name.toUpperCase();
}

export function showProduct() {
  const product = PRODUCTS[skuList('product-skus')[0]];
  out(`${product.title} in ${categoryLabel(product)}`);
}

export function showCatalog() {
  const rows = skuList('product-skus').map((sku) => `${PRODUCTS[sku].title} (${categoryLabel(PRODUCTS[sku])})`);
  out(rows.join('\n'));
}

// 1.0.1: the pager remembers the current page // @since 1.0.1
let currentPage = 0; // @since 1.0.1

// BUG (browser-pager-invalid-length): page size "All" is 0, and total / 0 is Infinity (or NaN).
function buildPager(total, perPage) {
  const pages = new Array(Math.ceil(total / perPage));
  return pages.fill(0).map((_, i) => i + 1);
}

const resultCount = () => Number(document.getElementById('result-count').value);
const pageSize = () => Number(document.getElementById('page-size').value);

export function changePageSize(event) {
  const pager = buildPager(resultCount(), Number(event.target.value));
  out(`${pager.length} pages`);
}

export function nextPage() {
  const pager = buildPager(resultCount(), pageSize());
  currentPage = Math.min(currentPage + 1, pager.length); // @since 1.0.1
  out(`page 2 of ${pager.length}`); // @until 1.0.0
  out(`page ${currentPage} of ${pager.length}`); // @since 1.0.1
}
