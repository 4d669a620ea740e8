//! The web interface as the server delivers it: the shell on every page of the interface under
//! a strict Content-Security-Policy, and its assets under a build-specific path with long-lived
//! caching, compressed the way the browser asks. (What the pages do is tested in a real browser:
//! tests/web/, run by `.ci/web-e2e`.)
mod common;

use std::io::Read;

use common::{Backend, TestServer};
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH,
};

/// The shell as a page path serves it.
async fn shell(server: &TestServer, page: &str) -> String {
    let response = server
        .http
        .get(format!("{}{page}", server.url))
        .send()
        .await
        .unwrap();
    response.text().await.unwrap()
}

/// The build path the shell points its assets at (`/assets/<digest>`).
fn assets_path(shell: &str) -> String {
    let start = shell.find("/assets/").expect("the shell links its assets");
    let digest: String = shell[start + 8..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    assert_eq!(digest.len(), 12, "a 48-bit digest: {shell}");
    format!("/assets/{digest}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_the_shell_under_a_strict_policy() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut first = None;
    for page in [
        "/",
        "/login",
        "/issues/5",
        "/issues/5/events/abc",
        "/projects/1/issues",
        "/projects/1/settings",
        "/settings",
        "/settings/tokens",
    ] {
        let response = server
            .http
            .get(format!("{}{page}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        let headers = response.headers().clone();
        assert_eq!(headers[CONTENT_TYPE], "text/html; charset=utf-8", "{page}");
        assert_eq!(headers[CACHE_CONTROL], "no-cache", "{page}");
        let policy = headers[CONTENT_SECURITY_POLICY].to_str().unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{page}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"));
        let shell = response.text().await.unwrap();
        assert!(
            !shell.contains("<script>") && !shell.contains("<style") && !shell.contains(" on"),
            "no inline script or style: {shell}"
        );
        assert!(shell.contains(r#"<script type="module" src="/assets/"#));
        assert_eq!(first.get_or_insert(shell.clone()), &shell, "one shell");
    }
    // Paths that are not the interface's stay what they were.
    let missing = server
        .http
        .get(format!("{}/nothing-here", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_cached_for_a_year_and_compressed_as_asked() {
    let server = TestServer::start(Backend::Sqlite).await;
    let base = format!("{}{}", server.url, assets_path(&shell(&server, "/").await));
    let get = |path: &str, encoding: &str| {
        server
            .http
            .get(format!("{base}/{path}"))
            .header(ACCEPT_ENCODING, encoding)
            .send()
    };

    let plain = get("app.js", "identity").await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(
        plain.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(
        plain.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let etag = plain.headers()[ETAG].clone();
    let source = plain.bytes().await.unwrap().to_vec();
    assert!(String::from_utf8_lossy(&source).contains("import"));

    let brotli = get("app.js", "gzip, deflate, br").await.unwrap();
    assert_eq!(brotli.headers()[CONTENT_ENCODING], "br");
    let compressed = brotli.bytes().await.unwrap();
    let mut unpacked = Vec::new();
    brotli::Decompressor::new(&compressed[..], 4096)
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, source);

    let gzip = get("app.js", "gzip").await.unwrap();
    assert_eq!(gzip.headers()[CONTENT_ENCODING], "gzip");
    let compressed = gzip.bytes().await.unwrap();
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, source);

    let unchanged = server
        .http
        .get(format!("{base}/app.js"))
        .header(IF_NONE_MATCH, etag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    let css = get("app.css", "identity").await.unwrap();
    assert!(
        css.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );

    // Unknown files are 404; the shell is only served as a page.
    assert_eq!(
        get("nope.js", "").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("index.html", "").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("../Cargo.toml", "").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // An old build's path still gets today's files, but not cached as if they were its own.
    let stale = server
        .http
        .get(format!("{}/assets/000000000000/app.js", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.headers()[CACHE_CONTROL], "no-cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_page_stays_small() {
    let server = TestServer::start(Backend::Sqlite).await;
    let shell = shell(&server, "/login").await;
    let base = format!("{}{}", server.url, assets_path(&shell));
    // What the sign-in page loads: the shell, the stylesheet, the application and its static
    // imports, the sign-in page module.
    let mut transferred = shell.len();
    for file in [
        "app.css",
        "app.js",
        "lib/view.js",
        "lib/router.js",
        "lib/graphql.js",
        "lib/session.js",
        "vendor/preact.js",
        "vendor/preact-hooks.js",
        "vendor/htm.js",
        "pages/login.js",
    ] {
        let response = server
            .http
            .get(format!("{base}/{file}"))
            .header(ACCEPT_ENCODING, "br")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{file}");
        transferred += response.bytes().await.unwrap().len();
    }
    assert!(transferred < 150 * 1024, "{transferred} bytes");
}
