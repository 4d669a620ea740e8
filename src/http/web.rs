//! The web interface: the files under `web/` — an ES-module application on the public GraphQL
//! API, with no build step — embedded in the binary (debug builds too; cargo rebuilds when a file
//! changes, so `cargo run` serves an edit). Assets are served under `/assets/{build}/…`, where `build` is a digest
//! of every file, so they can be cached for a year and a new binary is never mixed with an old
//! cache; each is sent brotli- or gzip-compressed when the browser accepts it. Every page of the
//! interface is the same HTML shell (the application routes in the browser), sent with a strict
//! Content-Security-Policy: scripts, styles and connections from this origin only, no inline
//! code, no framing.
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

use crate::app::AppState;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Files;

/// The policy every page of the interface is served with.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The shell's placeholder for the build digest.
const BUILD_PLACEHOLDER: &str = "{{build}}";

/// Paths the application draws (each answered with the shell).
const PAGES: &[&str] = &[
    "/",
    "/login",
    "/issues/{*rest}",
    "/projects/{*rest}",
    "/settings",
    "/settings/{*rest}",
];

pub fn router() -> Router<AppState> {
    let router = PAGES
        .iter()
        .fold(Router::new(), |router, path| router.route(path, get(shell)));
    router.route("/assets/{build}/{*path}", get(asset))
}

/// The HTML shell, pointing at this build's assets.
async fn shell() -> Response {
    let Some(file) = Files::get("index.html") else {
        return (StatusCode::NOT_FOUND, "the web interface is not built in").into_response();
    };
    let html = String::from_utf8_lossy(&file.data).replace(BUILD_PLACEHOLDER, &build_id());
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    secure(headers);
    response
}

async fn asset(Path((build, path)): Path<(String, String)>, request: HeaderMap) -> Response {
    let Some(file) = Files::get(&path).filter(|_| path != "index.html") else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let digest = hex::encode(file.metadata.sha256_hash());
    let etag = format!("\"{}\"", &digest[..32]);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(file.metadata.mimetype())
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // An old page asking for its own build's files after an upgrade gets today's, uncached.
    let cache = if build == build_id() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    headers.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex is a valid header value"),
    );
    secure(&mut headers);
    if request
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tag| tag.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    let accepted = request
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let encoding = Encoding::preferred(accepted, file.metadata.mimetype());
    let body = match encoding {
        Some(encoding) => {
            headers.insert(
                header::CONTENT_ENCODING,
                HeaderValue::from_static(encoding.name()),
            );
            compressed(&digest, encoding, &file.data)
        }
        None => Arc::new(file.data.into_owned()),
    };
    (headers, body.as_ref().clone()).into_response()
}

/// The `<link>` to the interface's stylesheet, for the server-drawn pages (`links`).
pub fn stylesheet_link() -> String {
    format!(
        "<link rel=\"stylesheet\" href=\"/assets/{}/app.css\">",
        build_id()
    )
}

/// The response with the headers every page of the interface carries.
pub fn secured(mut response: Response) -> Response {
    secure(response.headers_mut());
    response
}

/// Headers every response of the interface carries.
fn secure(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// A digest of every file: changes whenever any file does; computed once.
fn build_id() -> String {
    static BUILT_IN: OnceLock<String> = OnceLock::new();
    BUILT_IN
        .get_or_init(|| {
            let mut names: Vec<_> = Files::iter().collect();
            names.sort();
            let mut digest = Sha256::new();
            for name in names {
                if let Some(file) = Files::get(&name) {
                    digest.update(name.as_bytes());
                    digest.update(file.metadata.sha256_hash());
                }
            }
            hex::encode(&digest.finalize()[..6])
        })
        .clone()
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    /// Brotli, else gzip, when the browser takes it and the file is text worth compressing.
    fn preferred(accept_encoding: &str, mimetype: &str) -> Option<Encoding> {
        let textual = mimetype.starts_with("text/")
            || mimetype.contains("javascript")
            || mimetype.contains("json")
            || mimetype.contains("svg");
        let accepts = |name: &str| {
            accept_encoding.split(',').any(|part| {
                let mut fields = part.split(';').map(str::trim);
                fields.next() == Some(name) && !fields.any(|f| f == "q=0")
            })
        };
        if !textual {
            None
        } else if accepts("br") {
            Some(Encoding::Brotli)
        } else if accepts("gzip") {
            Some(Encoding::Gzip)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

/// The file compressed, once per content and encoding (kept for the life of the process; the
/// interface is a few hundred kilobytes).
fn compressed(digest: &str, encoding: Encoding, data: &[u8]) -> Arc<Vec<u8>> {
    type Cache = Mutex<HashMap<(String, Encoding), Arc<Vec<u8>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (digest.to_string(), encoding);
    if let Some(done) = cache.lock().expect("cache lock").get(&key) {
        return done.clone();
    }
    let mut out = Vec::with_capacity(data.len() / 3);
    match encoding {
        Encoding::Brotli => {
            let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
            writer.write_all(data).expect("compressing into memory");
            drop(writer);
        }
        Encoding::Gzip => {
            let mut writer = flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
            writer.write_all(data).expect("compressing into memory");
            writer.finish().expect("compressing into memory");
        }
    }
    let out = Arc::new(out);
    cache.lock().expect("cache lock").insert(key, out.clone());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_what_the_browser_accepts() {
        let js = "text/javascript";
        assert!(Encoding::preferred("gzip, deflate, br, zstd", js) == Some(Encoding::Brotli));
        assert!(Encoding::preferred("gzip", js) == Some(Encoding::Gzip));
        assert!(Encoding::preferred("br;q=0, gzip", js) == Some(Encoding::Gzip));
        assert!(Encoding::preferred("", js).is_none());
        assert!(Encoding::preferred("br", "image/png").is_none());
    }
}
