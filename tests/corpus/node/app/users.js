'use strict';
//+1.0.1 // Guest users (checkout without an account) have no profile.
//+1.0.1 const GUEST = 'guest';

function displayName(user) {
  // BUG: guest users have no profile.
  return `${user.profile.firstName} ${user.profile.lastName}`;
}

function renderHeader(user) {
  return `<header>Hello, ${displayName(user)}</header>`;
}

async function sendReceipt(user, order) {
  await new Promise((resolve) => setImmediate(resolve));
  const greeting = `Dear ${displayName(user)},`;
  return { to: user.email, body: `${greeting} thank you for order ${order.id}.` };
}

module.exports = { displayName, renderHeader, sendReceipt };
