//! Settings: loaded from a config file at boot, overridden from the admin console.

use std::fmt;

#[derive(Debug)]
pub struct UnknownSetting(pub String);

impl fmt::Display for UnknownSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown setting \"{}\"", self.0)
    }
}

impl std::error::Error for UnknownSetting {}

#[derive(Debug, Default)]
pub struct Settings {
    pub currency: String,
    pub page_size: u32,
}

/// Settings read from the environment win over the config file (1.0.1).
#[allow(dead_code)]
pub const ENV_PREFIX: &str = "SHOP_";

/// Apply one `key = value` pair.
fn set(settings: &mut Settings, key: &str, value: &str) -> Result<(), UnknownSetting> {
    match key {
        "currency" => settings.currency = value.to_string(),
        "page_size" => settings.page_size = value.parse().unwrap_or(20),
        // BUG(rust-unknown-setting): settings added in newer config files are rejected
        other => return Err(UnknownSetting(other.to_string())),
    }
    Ok(())
}

/// Boot path: read the whole config file.
pub fn load_file(text: &str) -> Settings {
    let mut settings = Settings::default();
    for line in text.lines() {
        if let Some((key, value)) = line.split_once('=') {
            if let Err(e) = set(&mut settings, key.trim(), value.trim()) {
                sentry::capture_error(&e);
            }
        }
    }
    settings
}

/// Admin path: override one setting at runtime.
pub fn apply_override(settings: &mut Settings, key: &str, value: &str) {
    if let Err(e) = set(settings, key, value) {
        sentry::capture_error(&e);
    }
}
