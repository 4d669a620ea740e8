// The shop's data (normally from the API).
export const PRODUCTS = {
  mug: { title: 'Mug', price: { amount: 12, currency: 'EUR' }, category: { name: 'Kitchen' } },
  tea: { title: 'Green tea', price: { amount: 7, currency: 'EUR' }, category: { name: 'Pantry' } },
  poster: { title: 'Poster', price: { amount: 20, currency: 'EUR' }, category: { name: 'Decor' } },
  lamp: { title: 'Desk lamp', price: { amount: 45, currency: 'EUR' }, category: { name: 'Decor' } },
  // gift cards and samples have no fixed price
  'gift-card': { title: 'Gift card', category: { name: 'Gifts' } },
  'sample-sachet': { title: 'Tea sample', category: { name: 'Pantry' } },
  // imported from the old catalogue without a category
  'clearance-vase': { title: 'Vase (clearance)', price: { amount: 9, currency: 'EUR' } },
  'legacy-kettle': { title: 'Kettle (legacy)', price: { amount: 30, currency: 'EUR' } },
  'outlet-rug': { title: 'Rug (outlet)', price: { amount: 60, currency: 'EUR' } },
  'promo-bundle': { title: 'Promo bundle', price: { amount: 99, currency: 'EUR' }, category: { name: 'Bundles' } }, // @since 1.0.1
};

export const USERS = {
  u1: { id: 'u1', profile: { name: 'Ada' } },
  u2: { id: 'u2', profile: { name: 'Grace' } },
  u3: { id: 'u3', profile: { name: 'Linus' } },
  u4: { id: 'u4', profile: { name: 'Barbara' } },
  // accounts deleted by their owners keep their comments but lose their profile
  u7: { id: 'u7', deleted: true },
  u8: { id: 'u8', deleted: true },
  // accounts that signed up but never finished onboarding have no profile yet
  u9: { id: 'u9' },
  u10: { id: 'u10' },
};

export const skuList = (id) => document.getElementById(id).value.split(',').map((s) => s.trim()).filter(Boolean);
