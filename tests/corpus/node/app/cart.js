'use strict';
// The cart lives in a "cart" cookie.
//+1.0.1 // 1.0.1: guest carts are merged into the account cart at login (mergeGuestCart).
//+1.0.1 const EMPTY_CART = Object.freeze({ items: [] });

function restoreCart(cookieValue) {
  // BUG: the cookie is parsed as is: not URL-decoded, "j:"-prefixed values and truncated or
  // empty cookies are not handled.
  const cart = JSON.parse(cookieValue);
  return { items: cart.items || [] };
}

function mergeGuestCart(accountCart, guestCookie) {
  const guest = restoreCart(guestCookie);
  return { items: accountCart.items.concat(guest.items) };
}

module.exports = { restoreCart, mergeGuestCart };
