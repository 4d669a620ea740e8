//! Source maps through the API `sentry-cli` calls: chunk upload, bundle assembly, frames of
//! `@sentry/node` events mapped at ingest (and again when read, for a map uploaded later), the
//! bundles in GraphQL, deletion and retention; and every kind of bad upload refused with a clear
//! 4xx and nothing stored. The bundles are built here in symbolic's format (what the CLI
//! uploads) from the fixtures in `tests/fixtures/sourcemaps/`; `.ci/sourcemaps-e2e` runs the
//! real CLI and SDK.
mod common;

use std::io::Write;

use common::{TestServer, fixtures};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

const DEBUG_ID: &str = "4322191d-ee6f-5826-b90c-5c9106c21cef";
/// The frame file the fixture event names.
const FILE: &str = "/srv/shop/dist/app.min.mjs";

fn sha1(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

/// A file of a bundle: (zip path, manifest entry, contents).
type BundleFile = (&'static str, Value, Vec<u8>);

/// An artifact bundle as `sentry-cli` builds it: the `SYSB` header, then a zip with
/// `manifest.json` and the files.
fn bundle(files: &[BundleFile], attributes: Value) -> Vec<u8> {
    let mut archive = b"SYSB\x02\x00\x00\x00".to_vec();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    let mut manifest = attributes;
    for (path, entry, contents) in files {
        manifest["files"][path] = entry.clone();
        zip.start_file(*path, options).unwrap();
        zip.write_all(contents).unwrap();
    }
    zip.start_file("manifest.json", options).unwrap();
    zip.write_all(manifest.to_string().as_bytes()).unwrap();
    archive.extend(zip.finish().unwrap().into_inner());
    archive
}

/// The fixture build: minified file and map, both with the debug ID.
fn fixture_files(url_prefix: &str, with_debug_ids: bool, with_header: bool) -> Vec<BundleFile> {
    let mut minified_headers = json!({});
    let mut map_headers = json!({});
    if with_debug_ids {
        minified_headers["debug-id"] = json!(DEBUG_ID);
        map_headers["debug-id"] = json!(DEBUG_ID);
    }
    if with_header {
        minified_headers["sourcemap"] = json!("app.min.mjs.map");
    }
    vec![
        (
            "files/_/_/app.min.mjs",
            json!({ "type": "minified_source", "url": format!("{url_prefix}app.min.mjs"), "headers": minified_headers }),
            fixtures::read("sourcemaps/app.min.mjs"),
        ),
        (
            "files/_/_/app.min.mjs.map",
            json!({ "type": "source_map", "url": format!("{url_prefix}app.min.mjs.map"), "headers": map_headers }),
            fixtures::read("sourcemaps/app.min.mjs.map"),
        ),
    ]
}

/// The `@sentry/node` event the fixture bundle sent.
fn node_event() -> Value {
    serde_json::from_slice(&fixtures::read("sourcemaps/node-event.json")).unwrap()
}

struct Cli<'a> {
    server: &'a TestServer,
    org: &'a str,
}

impl Cli<'_> {
    fn url(&self, path: &str) -> String {
        format!(
            "{}/api/0/organizations/{}/{path}",
            self.server.url, self.org
        )
    }

    async fn options(&self) -> (StatusCode, Value) {
        let response = self
            .server
            .http
            .get(self.url("chunk-upload/"))
            .bearer_auth(&self.server.token)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// Posts chunks as the CLI does: one multipart part per chunk, named by its SHA-1, gzipped.
    async fn upload(&self, chunks: &[(&str, Vec<u8>)]) -> (StatusCode, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (name, data) in chunks {
            let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gzip.write_all(data).unwrap();
            let part =
                reqwest::multipart::Part::bytes(gzip.finish().unwrap()).file_name(name.to_string());
            form = form.part("file_gzip", part);
        }
        let response = self
            .server
            .http
            .post(self.url("chunk-upload/"))
            .bearer_auth(&self.server.token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn assemble(&self, body: &Value) -> (StatusCode, Value) {
        let response = self
            .server
            .http
            .post(self.url("artifactbundle/assemble/"))
            .bearer_auth(&self.server.token)
            .json(body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }

    /// Uploads an archive in chunks of `chunk_size` and assembles it; returns the final answer.
    async fn send(
        &self,
        archive: &[u8],
        chunk_size: usize,
        release: Option<&str>,
    ) -> (StatusCode, Value) {
        let chunks: Vec<(String, Vec<u8>)> = archive
            .chunks(chunk_size)
            .map(|c| (sha1(c), c.to_vec()))
            .collect();
        let mut body = json!({
            "checksum": sha1(archive),
            "chunks": chunks.iter().map(|(s, _)| s).collect::<Vec<_>>(),
            "projects": ["shop"],
        });
        if let Some(release) = release {
            body["version"] = json!(release);
        }
        let (status, first) = self.assemble(&body).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(first["state"], "not_found", "{first}");
        let missing: Vec<String> = first["missingChunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(missing.len(), chunks.len());
        let named: Vec<(&str, Vec<u8>)> = chunks
            .iter()
            .map(|(s, d)| (s.as_str(), d.clone()))
            .collect();
        let (status, answer) = self.upload(&named).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        for _ in 0..50 {
            let (status, answer) = self.assemble(&body).await;
            if status != StatusCode::OK
                || !matches!(answer["state"].as_str(), Some("created" | "assembling"))
            {
                return (status, answer);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the assembly never finished");
    }
}

const FRAMES: &str = "query($id: ID!) { event(id: $id) { exceptions { stacktrace { frames {
    filename absPath function lineno colno contextLine preContext postContext inApp
    sourcemap sourcemapError { kind message } minified { filename function lineno colno } } } } } }";

async fn frames(server: &TestServer, event_id: &str) -> Vec<Value> {
    let data = server.graphql(FRAMES, json!({ "id": event_id })).await;
    data["event"]["exceptions"][0]["stacktrace"]["frames"]
        .as_array()
        .unwrap()
        .clone()
}

/// Sends an event through the SDK endpoint; returns its id once stored.
async fn send_event(server: &TestServer, event: Value) -> String {
    let response = server.sdk_post("store").json(&event).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let id: Value = response.json().await.unwrap();
    id["id"].as_str().unwrap().to_string()
}

async fn upload_and_map_by_debug_id(server: TestServer) {
    let cli = Cli {
        server: &server,
        org: "acme",
    };
    let (status, options) = cli.options().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(options["hashAlgorithm"], "sha1");
    assert_eq!(options["compression"], json!(["gzip"]));
    assert!(
        options["accept"]
            .as_array()
            .unwrap()
            .contains(&json!("artifact_bundles"))
    );
    assert_eq!(options["url"], "/organizations/acme/chunk-upload/");

    let archive = bundle(
        &fixture_files("~/", true, true),
        json!({ "debug_id": "959ad50c-5e0a-5068-b6c3-be5190c04cbb", "org": "acme", "project": "shop" }),
    );
    // Two chunks, as a larger upload would be cut.
    let (status, answer) = cli
        .send(&archive, archive.len() / 2 + 1, Some("1.0.0"))
        .await;
    assert_eq!(
        (status, answer["state"].as_str()),
        (StatusCode::OK, Some("ok")),
        "{answer}"
    );
    // Assembling the same upload again is harmless.
    let again = json!({ "checksum": sha1(&archive), "chunks": [], "projects": ["shop"] });
    assert_eq!(cli.assemble(&again).await.1["state"], "ok");
    assert_eq!(
        server.count_rows("file_chunk").await,
        0,
        "chunks are dropped once assembled"
    );

    let bundles = server
        .graphql(
            "query($p: ID!) { project(id: $p) { artifactBundles { bundleId release fileCount
               files { url kind debugId sourcemap } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let bundles = &bundles["project"]["artifactBundles"];
    assert_eq!(bundles.as_array().unwrap().len(), 1, "{bundles}");
    assert_eq!(
        bundles[0]["bundleId"],
        "959ad50c-5e0a-5068-b6c3-be5190c04cbb"
    );
    assert_eq!(bundles[0]["release"], "1.0.0");
    assert_eq!(
        bundles[0]["files"],
        json!([
            { "url": "~/app.min.mjs", "kind": "MINIFIED_SOURCE", "debugId": DEBUG_ID, "sourcemap": "app.min.mjs.map" },
            { "url": "~/app.min.mjs.map", "kind": "SOURCE_MAP", "debugId": DEBUG_ID, "sourcemap": null },
        ])
    );

    let releases = server
        .graphql(
            "query($p: ID!) { project(id: $p) { releases { version files { url kind } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    // The release exists once its first event arrives; its files are there before.
    assert_eq!(releases["project"]["releases"], json!([]));

    let event_id = send_event(&server, node_event()).await;
    let releases = server
        .graphql(
            "query($p: ID!) { project(id: $p) { releases { version files { url kind } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(
        releases["project"]["releases"],
        json!([{ "version": "1.0.0", "files": [
            { "url": "~/app.min.mjs", "kind": "MINIFIED_SOURCE" },
            { "url": "~/app.min.mjs.map", "kind": "SOURCE_MAP" },
        ] }])
    );
    let frames = frames(&server, &event_id).await;
    let innermost = frames.last().unwrap();
    assert_eq!(innermost["filename"], "src/cart.js", "{innermost}");
    assert_eq!(innermost["absPath"], "../src/cart.js");
    assert_eq!(innermost["function"], "priceOf");
    assert_eq!(
        (innermost["lineno"].as_u64(), innermost["colno"].as_u64()),
        (Some(11), Some(11))
    );
    assert_eq!(
        innermost["contextLine"],
        "    throw new TypeError(`no price for ${item.sku}`);"
    );
    assert_eq!(
        innermost["preContext"][4],
        "  if (item.price === undefined) {"
    );
    assert_eq!(innermost["postContext"][0], "  }");
    assert_eq!(innermost["inApp"], true);
    assert_eq!(innermost["sourcemap"], "~/app.min.mjs.map");
    assert_eq!(innermost["sourcemapError"], Value::Null);
    assert_eq!(
        innermost["minified"],
        json!({ "filename": FILE, "function": "i", "lineno": 3, "colno": 137 })
    );
    let caller = &frames[frames.len() - 2];
    assert_eq!(
        (caller["filename"].as_str(), caller["function"].as_str()),
        (Some("src/cart.js"), Some("totalOf"))
    );
    // Node's own frames are left as they are.
    assert_eq!(frames[0]["filename"], "node:internal/modules/run_main");
    assert_eq!(frames[0]["minified"], Value::Null);

    let issue_id = server
        .graphql(
            "query($id: ID!) { event(id: $id) { issueId } }",
            json!({ "id": event_id }),
        )
        .await["event"]["issueId"]
        .clone();
    let issue = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { culprit } }",
            json!({ "id": issue_id }),
        )
        .await;
    assert_eq!(issue["issue"]["culprit"], "src/cart.js in priceOf");
}

async fn release_and_source_mapping_url(server: TestServer) {
    let cli = Cli {
        server: &server,
        org: "acme",
    };
    // No debug IDs and no `sourcemap` header: the minified file's `sourceMappingURL` comment
    // names the map, found by the event's release and the file's URL.
    let archive = bundle(&fixture_files("~/static/", false, false), json!({}));
    let (status, answer) = cli.send(&archive, 1 << 20, Some("shop@2.0.0")).await;
    assert_eq!(answer["state"], "ok", "{status} {answer}");

    let mut event = node_event();
    event.as_object_mut().unwrap().remove("debug_meta");
    event["release"] = json!("shop@2.0.0");
    for frame in event["exception"]["values"][0]["stacktrace"]["frames"]
        .as_array_mut()
        .unwrap()
    {
        if frame["filename"] == FILE {
            frame["filename"] = json!("https://shop.example/static/app.min.mjs?v=7");
        }
    }
    let event_id = send_event(&server, event.clone()).await;
    let innermost = frames(&server, &event_id).await.pop().unwrap();
    assert_eq!(innermost["function"], "priceOf", "{innermost}");
    assert_eq!(innermost["sourcemap"], "~/static/app.min.mjs.map");

    // Another release has no maps: the frame says why.
    event["release"] = json!("shop@3.0.0");
    let event_id = send_event(&server, event).await;
    let innermost = frames(&server, &event_id).await.pop().unwrap();
    assert_eq!(innermost["function"], "i");
    assert_eq!(innermost["sourcemapError"]["kind"], "NO_MAP");
    assert!(
        innermost["sourcemapError"]["message"]
            .as_str()
            .unwrap()
            .contains("release shop@3.0.0")
    );
}

async fn map_uploaded_after_the_event(server: TestServer) {
    let event_id = send_event(&server, node_event()).await;
    let before = frames(&server, &event_id).await.pop().unwrap();
    assert_eq!(before["sourcemapError"]["kind"], "NO_MAP", "{before}");
    assert!(
        before["sourcemapError"]["message"]
            .as_str()
            .unwrap()
            .contains(DEBUG_ID)
    );
    assert_eq!(before["filename"], FILE);

    let cli = Cli {
        server: &server,
        org: "acme",
    };
    let archive = bundle(&fixture_files("~/", true, true), json!({}));
    assert_eq!(cli.send(&archive, 1 << 20, None).await.1["state"], "ok");
    let after = frames(&server, &event_id).await.pop().unwrap();
    assert_eq!(after["filename"], "src/cart.js", "{after}");
    assert_eq!(after["function"], "priceOf");
    assert_eq!(after["sourcemapError"], Value::Null);

    // Deleting the bundle removes its files and contents.
    let id = server
        .graphql(
            "query($p: ID!) { project(id: $p) { artifactBundles { id } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await["project"]["artifactBundles"][0]["id"]
        .clone();
    server
        .graphql(
            "mutation($p: ID!, $id: ID!) { deleteArtifactBundle(projectId: $p, id: $id) }",
            json!({ "p": server.project_id.to_string(), "id": id }),
        )
        .await;
    for table in ["artifact_bundle", "artifact_file", "artifact_blob"] {
        assert_eq!(server.count_rows(table).await, 0, "{table}");
    }
}

async fn frames_that_cannot_be_mapped_say_why(server: TestServer) {
    let cli = Cli {
        server: &server,
        org: "acme",
    };
    let archive = bundle(&fixture_files("~/", true, true), json!({}));
    assert_eq!(cli.send(&archive, 1 << 20, None).await.1["state"], "ok");
    let mut event = node_event();
    let frames_of = |event: &mut Value| -> Vec<Value> {
        event["exception"]["values"][0]["stacktrace"]["frames"]
            .as_array()
            .unwrap()
            .clone()
    };
    let mut list = frames_of(&mut event);
    // A line past the end of the bundle, and a frame of a file without debug ID in an event
    // without a release.
    let last = list.len() - 1;
    list[last]["lineno"] = json!(40);
    list[last - 1]["filename"] = json!("/srv/shop/dist/other.min.js");
    event["exception"]["values"][0]["stacktrace"]["frames"] = json!(list);
    event.as_object_mut().unwrap().remove("release");
    let event_id = send_event(&server, event).await;
    let frames = frames(&server, &event_id).await;
    let innermost = frames.last().unwrap();
    assert_eq!(
        innermost["sourcemapError"]["kind"], "OUT_OF_RANGE",
        "{innermost}"
    );
    assert_eq!(innermost["lineno"], 40);
    let other = &frames[frames.len() - 2];
    assert_eq!(other["sourcemapError"]["kind"], "NO_DEBUG_ID", "{other}");
}

async fn retention_removes_unused_bundles_and_stale_chunks(server: TestServer) {
    let cli = Cli {
        server: &server,
        org: "acme",
    };
    let archive = bundle(&fixture_files("~/", true, true), json!({}));
    assert_eq!(cli.send(&archive, 1 << 20, None).await.1["state"], "ok");
    // A chunk uploaded and never assembled.
    assert_eq!(
        cli.upload(&[(&sha1(b"orphan"), b"orphan".to_vec())])
            .await
            .0,
        StatusCode::OK
    );
    let later = chrono::Utc::now() + chrono::Duration::days(120);
    let report = larder::retention::run_once(&server.db, later)
        .await
        .unwrap();
    assert_eq!((report.artifact_bundles, report.stale_chunks), (1, 1));
    for table in [
        "artifact_bundle",
        "artifact_file",
        "artifact_blob",
        "file_chunk",
    ] {
        assert_eq!(server.count_rows(table).await, 0, "{table}");
    }
}

on_both_databases!(
    upload_and_map_by_debug_id,
    release_and_source_mapping_url,
    map_uploaded_after_the_event,
    frames_that_cannot_be_mapped_say_why,
    retention_removes_unused_bundles_and_stale_chunks,
);

// ---- bad input ------------------------------------------------------------------------------

/// Each bad upload: refused with its status and a detail naming the problem, nothing stored.
async fn refused(server: &TestServer, archive: &[u8], status: StatusCode, detail: &str) {
    let cli = Cli {
        server,
        org: "acme",
    };
    let (actual, answer) = cli.send(archive, 1 << 20, None).await;
    assert_eq!(actual, status, "{answer}");
    let text = answer["detail"].as_str().unwrap_or_default();
    assert!(text.contains(detail), "{detail:?} not in {answer}");
    for table in ["artifact_bundle", "artifact_file", "artifact_blob"] {
        assert_eq!(server.count_rows(table).await, 0, "{table} after {detail}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bundles_are_refused_with_nothing_stored() {
    let server = TestServer::start(common::Backend::Sqlite).await;
    refused(
        &server,
        b"this is not a zip archive",
        StatusCode::BAD_REQUEST,
        "not a zip archive",
    )
    .await;

    // The manifest lists a file the archive does not have.
    let missing = json!({ "files": { "files/_/_/missing.mjs": { "type": "minified_source", "url": "~/missing.mjs" } } });
    let manifest_lies = bundle(&fixture_files("~/", true, true), missing);
    refused(
        &server,
        &manifest_lies,
        StatusCode::BAD_REQUEST,
        "files/_/_/missing.mjs, which is not in the archive",
    )
    .await;

    let bad_map = bundle(
        &[(
            "files/_/_/app.js.map",
            json!({ "type": "source_map", "url": "~/app.js.map" }),
            br#"{"version":3,"sources":[],"names":[],"mappings":"AAAA,CAAC"}"#.to_vec(),
        )],
        json!({}),
    );
    refused(
        &server,
        &bad_map,
        StatusCode::BAD_REQUEST,
        "not a valid source map",
    )
    .await;

    let bad_debug_id = bundle(
        &[(
            "files/_/_/app.js",
            json!({ "type": "minified_source", "url": "~/app.js", "headers": { "debug-id": "not-a-uuid" } }),
            b"x()".to_vec(),
        )],
        json!({}),
    );
    refused(
        &server,
        &bad_debug_id,
        StatusCode::BAD_REQUEST,
        "invalid debug-id",
    )
    .await;

    // A zip bomb: 40 MiB of zeros deflate to a few kilobytes.
    let bomb = bundle(
        &[(
            "files/_/_/bomb.js",
            json!({ "type": "minified_source", "url": "~/bomb.js" }),
            vec![0u8; 40 * 1024 * 1024],
        )],
        json!({}),
    );
    assert!(bomb.len() < 1 << 20);
    refused(&server, &bomb, StatusCode::PAYLOAD_TOO_LARGE, "larger than").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_json_errors() {
    let server = TestServer::start(common::Backend::Sqlite).await;
    let cli = Cli {
        server: &server,
        org: "acme",
    };
    // A chunk whose bytes do not have the checksum it is named by.
    let (status, answer) = cli.upload(&[(&sha1(b"one"), b"two".to_vec())]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        answer["detail"].as_str().unwrap().contains("damaged"),
        "{answer}"
    );
    assert_eq!(server.count_rows("file_chunk").await, 0);

    // Chunks that make an archive with another checksum than the one named.
    let chunk = b"some bytes".to_vec();
    assert_eq!(
        cli.upload(&[(&sha1(&chunk), chunk.clone())]).await.0,
        StatusCode::OK
    );
    let (status, answer) = cli
        .assemble(
            &json!({ "checksum": sha1(b"else"), "chunks": [sha1(&chunk)], "projects": ["shop"] }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["detail"].as_str().unwrap().contains("checksum"),
        "{answer}"
    );

    let (status, answer) = cli
        .assemble(
            &json!({ "checksum": sha1(&chunk), "chunks": [sha1(&chunk)], "projects": ["nope"] }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["detail"], "project not found: nope");
    let (status, answer) = cli.assemble(&json!({ "checksum": "x" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");

    let get = |path: &str, token: Option<&str>| {
        let mut request = server.http.get(format!("{}{path}", server.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let answer = get("/api/0/organizations/acme/chunk-upload/", None)
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert!(answer.json::<Value>().await.unwrap()["detail"].is_string());
    let answer = get("/api/0/organizations/acme/chunk-upload/", Some("ldr_wrong"))
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let answer = get(
        "/api/0/organizations/other/chunk-upload/",
        Some(&server.token),
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        answer.json::<Value>().await.unwrap()["detail"],
        "organization not found"
    );
    let answer = get("/api/0/organizations/acme/monitors/", Some(&server.token))
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    assert!(answer.json::<Value>().await.unwrap()["detail"].is_string());
    let answer = server
        .http
        .delete(format!(
            "{}/api/0/organizations/acme/chunk-upload/",
            server.url
        ))
        .bearer_auth(&server.token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(answer.json::<Value>().await.unwrap()["detail"].is_string());
}
