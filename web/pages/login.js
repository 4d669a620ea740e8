// Sign-in: e-mail and password through the `signIn` mutation, which sets the session cookie;
// then back to the page that asked for it (`?next=`), or the issues.
import { html, useState } from '../lib/view.js';
import { gql } from '../lib/graphql.js';

const SIGN_IN = `mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { expiresAt user { id } }
}`;

const REQUEST_RESET = `mutation RequestReset($email: String!) { requestPasswordReset(email: $email) }`;

/** "Forgot your password?": a reset link by e-mail (the answer never says whether the address
 * has an account). */
function ForgotPassword({ email: typed }) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState(typed);
  const [outcome, setOutcome] = useState(null);
  const send = async (event) => {
    event.preventDefault();
    try {
      await gql(REQUEST_RESET, { email }, { allowAnonymous: true });
      setOutcome({ ok: true, text: `If ${email} has an account, a reset link is on its way (valid for an hour). No e-mail? The server may have no mail settings: ask an owner of your organization.` });
    } catch (failure) {
      setOutcome({ ok: false, text: failure.message });
    }
  };
  if (!open) {
    return html`<p><button type="button" class="link" onClick=${() => { setEmail(typed); setOpen(true); }}>
      Forgot your password?</button></p>`;
  }
  return html`<form class="forgot" onSubmit=${send}>
    <h2>Reset your password</h2>
    <label class="field"><span>Email for the reset link</span>
      <input type="email" required autocomplete="username" value=${email}
        onInput=${(e) => setEmail(e.target.value)} /></label>
    <button type="submit">Send reset link</button>
    ${outcome && html`<p class=${outcome.ok ? 'muted' : 'error'} role=${outcome.ok ? 'status' : 'alert'}>${outcome.text}</p>`}
  </form>`;
}

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
    <${ForgotPassword} email=${email} />
    <p class="muted">First time? The server printed a setup link when it started.</p>
  </main>`;
}
