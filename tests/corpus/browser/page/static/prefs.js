// Display preferences, stored as JSON.
import * as Sentry from '@sentry/browser';

const out = (text) => { document.getElementById('out').textContent = text; };

// 1.0.1: preferences gained a density option. // @since 1.0.1
const DEFAULTS = { theme: 'light', fontSize: 14, density: 'comfortable' }; // @since 1.0.1
const DEFAULTS = { theme: 'light', fontSize: 14 }; // @until 1.0.0

// BUG (browser-prefs-json-parse): trusts its input to be valid JSON.
export function loadPreferences(raw) {
  const stored = JSON.parse(raw);
  return { ...DEFAULTS, ...stored };
}

export function applyPreferences() {
  const prefs = loadPreferences(document.getElementById('prefs').value);
  document.body.dataset.theme = prefs.theme;
  out(`applied ${JSON.stringify(prefs)}`);
}

export function previewPreferences() {
  try {
    const prefs = loadPreferences(document.getElementById('prefs').value);
    out(`preview ${JSON.stringify(prefs)}`);
  } catch (error) {
    Sentry.captureException(error);
    out('preview failed');
  }
}

// Called at start-up with the ?prefs= value of a shared link.
export function restorePreferences(raw) {
  // 1.0.1: log where restored preferences came from. // @since 1.0.1
  console.info('restoring preferences from the address'); // @since 1.0.1
  const prefs = loadPreferences(raw);
  document.body.dataset.theme = prefs.theme;
}
