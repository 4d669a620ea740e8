'use strict';
// Settings are plain "key=value" lines, from a file, from SHOP_* environment variables or
// from the admin "reload settings" form.
//+1.0.1 // 1.0.1: settings may now also come from the admin form (see routes.adminReloadSettings).
//+1.0.1 const COMMENT = /^\s*#/;

const KNOWN_SETTINGS = new Set(['currency', 'tax_rate', 'max_items', 'locale']);

function parseSettings(text) {
  const settings = {};
  for (const line of text.split('\n')) {
//+1.0.1     if (COMMENT.test(line)) continue;
    if (!line.trim()) continue;
    const [key, value] = line.split('=').map((s) => s.trim());
    // BUG: keys added since the list was written (cache_ttl, log_level, ...) are rejected.
    if (!KNOWN_SETTINGS.has(key)) {
      throw new Error(`unknown setting "${key}"`);
    }
    settings[key] = value;
  }
  return settings;
}

function loadConfigFile(contents) {
  return parseSettings(contents);
}

function applyEnvOverrides(env) {
  const lines = Object.entries(env)
    .filter(([name]) => name.startsWith('SHOP_'))
    .map(([name, value]) => `${name.slice(5).toLowerCase()}=${value}`);
  return parseSettings(lines.join('\n'));
}

module.exports = { parseSettings, loadConfigFile, applyEnvOverrides };
