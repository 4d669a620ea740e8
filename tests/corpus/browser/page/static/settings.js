// Application settings, written as `key=value` lines.
import * as Sentry from '@sentry/browser';

const out = (text) => { document.getElementById('out').textContent = text; };

const KNOWN = new Set(['currency', 'language', 'page_size', 'timezone']);
const KNOWN_101 = ['newsletter', 'compact_mode']; // @since 1.0.1
KNOWN_101.forEach((key) => KNOWN.add(key)); // @since 1.0.1

// BUG (browser-unknown-setting): rejects the whole import on the first key it does not know
// instead of ignoring or reporting it.
export function parseSettings(text) {
  const settings = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    // 1.0.1: allow comments in settings files // @since 1.0.1
    if (line.trim().startsWith('#')) continue; // @since 1.0.1
    const [key, value = ''] = line.split('=').map((part) => part.trim());
    if (!KNOWN.has(key)) {
      throw new Error(`unknown setting "${key}"`);
    }
    settings[key] = value;
  }
  return settings;
}

export function importSettings() {
  const settings = parseSettings(document.getElementById('settings').value);
  out(`imported ${Object.keys(settings).length} settings`);
}

export function validateSettings() {
  try {
    parseSettings(document.getElementById('settings').value);
    out('settings are valid');
  } catch (error) {
    Sentry.captureException(error);
    out(`invalid: ${error.message}`);
  }
}

// Called at start-up with the ?settings= value of a shared link (lines separated by `;`).
export function settingsFromUrl(value) {
  const settings = parseSettings(value.split(';').join('\n'));
  out(`settings from address: ${Object.keys(settings).join(', ')}`);
}
