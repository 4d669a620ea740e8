"""Settings file parsing (key = value lines)."""

KNOWN = {"currency", "tax_rate", "timezone", "page_size"}


def parse_settings(text):
    values = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        key = key.strip()
        # @1.0.1 # Unknown keys used to be ignored; now rejected (too strictly).
        if key not in KNOWN:
            # BUG py-settings-unknown-key: settings from newer versions are rejected.
            raise ValueError(f'unknown setting "{key}"')
        values[key] = value.strip()
    return values
