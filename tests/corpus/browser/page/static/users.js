// Comments and the account page.
import { USERS, skuList } from './data.js';

const out = (text) => { document.getElementById('out').textContent = text; };

// 1.0.1: user names come from the profile service // @since 1.0.1
// BUG (browser-user-missing-profile): deleted and not-yet-onboarded users have no profile.
function displayName(user) {
  return user.profile.name;
}

export function showComments() {
  const lines = [];
  skuList('comment-authors').forEach((id, i) => {
    lines.push(`#${i + 1} by ${displayName(USERS[id])}`);
  });
  out(lines.join('\n'));
}

// 1.0.1: the account page shows the user id too // @since 1.0.1
export function showAccount() {
  const user = USERS[document.getElementById('account-user').value.trim()];
  out(`Hello ${displayName(user)}`); // @until 1.0.0
  out(`Hello ${displayName(user)} (${user.id})`); // @since 1.0.1
}
