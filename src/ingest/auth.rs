//! Step 1: who is sending. SDKs authenticate with the DSN's public key, in the `X-Sentry-Auth`
//! header (Python, Rust), the `Authorization` header, the query string (browser and Node), or —
//! for tunnelled envelopes only — the `dsn` in the envelope header (protocol spec §2).
use super::IngestError;
use axum::http::StatusCode;

/// Highest protocol version this server speaks.
const PROTOCOL_VERSION: u32 = 7;

/// Credentials found on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub public_key: String,
    pub client: Option<String>,
}

/// The parts of a DSN the server checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dsn {
    pub public_key: String,
    pub project_id: i64,
}

/// Credentials from the request itself (headers or query string). `Ok(None)` when there are
/// none (the envelope's `dsn` may still authenticate); two sources at once are refused.
pub fn from_request(
    x_sentry_auth: Option<&str>,
    authorization: Option<&str>,
    query: Option<&str>,
) -> Result<Option<Credentials>, IngestError> {
    let mut found = Vec::new();
    if let Some(header) = x_sentry_auth {
        found.push(parse_sentry_header(header)?);
    }
    if let Some(header) = authorization
        && let Some(credentials) = parse_authorization(header)?
    {
        found.push(credentials);
    }
    if let Some(query) = query.filter(|q| q.contains("sentry_"))
        && let Some(credentials) = parse_pairs(form_pairs(query))?
    {
        found.push(credentials);
    }
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(unauthorized("multiple authorization payloads detected")),
    }
}

/// Parses a DSN (`scheme://KEY[:secret]@host[:port][/prefix]/PROJECT_ID`).
pub fn parse_dsn(dsn: &str) -> Result<Dsn, IngestError> {
    let bad = || unauthorized("bad envelope authentication header");
    let url = url::Url::parse(dsn).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.username().is_empty() {
        return Err(bad());
    }
    let project_id = url
        .path_segments()
        .and_then(|mut segments| segments.next_back())
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(bad)?;
    Ok(Dsn {
        public_key: url.username().to_string(),
        project_id,
    })
}

fn unauthorized(detail: &str) -> IngestError {
    IngestError::new(StatusCode::UNAUTHORIZED, detail)
}

/// `Sentry sentry_key=…, sentry_version=7, …`
fn parse_sentry_header(header: &str) -> Result<Credentials, IngestError> {
    let bad = || unauthorized("bad x-sentry-auth header");
    let rest = header
        .get(..7)
        .filter(|prefix| prefix.eq_ignore_ascii_case("sentry "))
        .map(|_| &header[7..])
        .ok_or_else(bad)?;
    let pairs = rest.split(',').filter_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        Some((key.trim().to_string(), value.trim().to_string()))
    });
    parse_pairs(pairs)?.ok_or_else(bad)
}

/// `Authorization: Sentry …` or `Authorization: Basic base64(key:secret)`; other schemes are not
/// Sentry credentials and are ignored.
fn parse_authorization(header: &str) -> Result<Option<Credentials>, IngestError> {
    let (scheme, rest) = header.trim().split_once(' ').unwrap_or((header, ""));
    if scheme.eq_ignore_ascii_case("sentry") {
        return parse_sentry_header(header).map(Some);
    }
    if scheme.eq_ignore_ascii_case("basic") {
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(rest.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| unauthorized("bad authorization header"))?;
        let key = decoded.split(':').next().unwrap_or_default();
        if key.is_empty() {
            return Err(unauthorized("missing public key in auth header"));
        }
        return Ok(Some(Credentials {
            public_key: key.to_string(),
            client: None,
        }));
    }
    Ok(None)
}

fn form_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    url::form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// The recognised `sentry_*` pairs; `Ok(None)` when no key is among them.
fn parse_pairs(
    pairs: impl Iterator<Item = (String, String)>,
) -> Result<Option<Credentials>, IngestError> {
    let mut key = None;
    let mut client = None;
    let mut any = false;
    for (name, value) in pairs {
        match name.as_str() {
            "sentry_key" => key = Some(value),
            "sentry_client" => client = Some(value),
            "sentry_version" => {
                // `7.1` counts as 7; garbage is ignored like an absent version.
                let major = value.split('.').next().and_then(|v| v.parse::<u32>().ok());
                if let Some(version) = major.filter(|v| *v > PROTOCOL_VERSION) {
                    return Err(IngestError::bad_request(format!(
                        "unsupported protocol version ({version})"
                    )));
                }
            }
            _ => {}
        }
        any = true;
    }
    match key {
        Some(key) if !key.is_empty() => Ok(Some(Credentials {
            public_key: key,
            client,
        })),
        Some(_) => Err(unauthorized("missing public key in auth header")),
        None if any => Err(unauthorized("missing public key in auth header")),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(result: Result<Option<Credentials>, IngestError>) -> String {
        result.unwrap().unwrap().public_key
    }

    #[test]
    fn every_sdk_header_form_is_understood() {
        let python = "Sentry sentry_key=abc123publickey, sentry_version=7, sentry_client=sentry.python/2.75.0";
        let credentials = from_request(Some(python), None, None).unwrap().unwrap();
        assert_eq!(credentials.public_key, "abc123publickey");
        assert_eq!(credentials.client.as_deref(), Some("sentry.python/2.75.0"));
        let rust = "Sentry sentry_key=k1, sentry_version=7, sentry_timestamp=1795576478.62, sentry_client=sentry.rust/0.49.5";
        assert_eq!(key(from_request(Some(rust), None, None)), "k1");
        assert_eq!(
            key(from_request(None, Some("Sentry sentry_key=k2"), None)),
            "k2"
        );
        assert_eq!(
            key(from_request(None, Some("Basic azM6c2VjcmV0"), None)),
            "k3"
        );
        let node =
            "sentry_version=7&sentry_key=tinykey&sentry_client=sentry.javascript.node%2F11.12.0";
        assert_eq!(key(from_request(None, None, Some(node))), "tinykey");
        // Another Authorization scheme is not a Sentry credential.
        assert_eq!(from_request(None, Some("Bearer x"), None).unwrap(), None);
        assert_eq!(from_request(None, None, Some("page=2")).unwrap(), None);
    }

    #[test]
    fn bad_credentials_are_refused_with_the_reason() {
        type Case<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            u16,
            &'a str,
        );
        let cases: [Case; 5] = [
            (
                Some("Bearer abc"),
                None,
                None,
                401,
                "bad x-sentry-auth header",
            ),
            (
                Some("Sentry sentry_version=7"),
                None,
                None,
                401,
                "missing public key in auth header",
            ),
            (
                Some("Sentry sentry_key=a, sentry_version=8"),
                None,
                None,
                400,
                "unsupported protocol version (8)",
            ),
            (
                Some("Sentry sentry_key=a"),
                None,
                Some("sentry_key=b"),
                401,
                "multiple authorization payloads detected",
            ),
            (
                None,
                None,
                Some("sentry_key="),
                401,
                "missing public key in auth header",
            ),
        ];
        for (header, authorization, query, status, detail) in cases {
            let error = from_request(header, authorization, query).unwrap_err();
            assert_eq!(
                (error.status.as_u16(), error.detail.as_str()),
                (status, detail)
            );
        }
    }

    #[test]
    fn dsn_headers_name_key_and_project() {
        let dsn = parse_dsn("http://abc123publickey@127.0.0.1:9000/42").unwrap();
        assert_eq!(
            dsn,
            Dsn {
                public_key: "abc123publickey".into(),
                project_id: 42
            }
        );
        assert_eq!(parse_dsn("https://k:@h/sentry/7").unwrap().project_id, 7);
        for bad in ["not a url", "http://h/42", "ftp://k@h/1", "http://k@h/abc"] {
            assert_eq!(parse_dsn(bad).unwrap_err().status, 401, "{bad}");
        }
    }
}
