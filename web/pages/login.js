// Sign-in: e-mail and password through the `signIn` mutation, which sets the session cookie;
// then back to the page that asked for it (`?next=`), or the issues.
import { html, useState } from '../lib/view.js';
import { gql } from '../lib/graphql.js';

const SIGN_IN = `mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { expiresAt user { id } }
}`;

/** Only paths of this site are followed after sign-in (never `//other.example`). */
function nextPath(query) {
  const next = query.get('next') || '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export default function LoginPage({ query }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await gql(SIGN_IN, { email, password }, { allowAnonymous: true });
      location.assign(nextPath(query));
    } catch (failure) {
      setError(failure.code === 'RATE_LIMITED' || failure.code === 'TOO_MANY_REQUESTS'
        ? 'Too many attempts. Wait a few minutes and try again.'
        : failure.message);
      setBusy(false);
    }
  };
  return html`<main id="main" class="page login">
    <h1>Sign in to Larder</h1>
    <form onSubmit=${submit} aria-describedby=${error ? 'login-error' : undefined}>
      <label class="field"><span>Email</span>
        <input type="email" name="email" autocomplete="username" required autofocus
          value=${email} onInput=${(e) => setEmail(e.target.value)} /></label>
      <label class="field"><span>Password</span>
        <input type="password" name="password" autocomplete="current-password" required
          value=${password} onInput=${(e) => setPassword(e.target.value)} /></label>
      ${error && html`<p id="login-error" class="error" role="alert">${error}</p>`}
      <button type="submit" class="primary" disabled=${busy}>Sign in</button>
    </form>
    <p class="muted">First time? The server printed a setup link when it started. Forgot your
      password? Ask an owner of your organization for a reset link.</p>
  </main>`;
}
