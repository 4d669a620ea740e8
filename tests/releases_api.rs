//! Releases and deploys through Sentry's web API, driven over HTTP with the requests and JSON
//! bodies `sentry-cli` 3.x sends (`releases new/finalize/info/list/delete`, `deploys new/list`,
//! `set-commits`), and as GraphQL's `Project.releases` shows them afterwards.
mod common;

use common::TestServer;
use larder::accounts::scopes::{Scope, Scopes};
use larder::accounts::{organizations, projects, tokens};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The version of these tests: `@` and `+` come percent-encoded in paths (`%40`, `%2B`).
const VERSION: &str = "shop@1.0.0+7";
const VERSION_PATH: &str = "shop%401.0.0%2B7";

/// Sends a request of Sentry's API with `token`; returns (status, JSON body or null).
async fn call(
    server: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = server
        .http
        .request(method, format!("{}/api/0/{path}", server.url))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
    };
    (status, body)
}

/// `call` with the server's token (every scope).
async fn api(
    server: &TestServer,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    call(server, &server.token, method, path, body).await
}

/// What `releases new -p shop VERSION` sends.
fn new_release(version: &str) -> Value {
    json!({ "version": version, "projects": ["shop"], "dateStarted": chrono::Utc::now() })
}

/// A time of either API (REST answers `…Z`, GraphQL `…+00:00`).
fn time(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

async fn token_with(server: &TestServer, organization_id: i64, scopes: &[Scope]) -> String {
    let new = tokens::NewToken {
        organization_id,
        name: "releases",
        user_id: None,
        scopes: Scopes::of(scopes),
        expires_at: None,
    };
    tokens::create(&server.db, new).await.unwrap().1
}

async fn a_release_goes_through_new_finalize_deploy_and_its_first_event(server: TestServer) {
    let (status, created) = api(
        &server,
        Method::POST,
        "organizations/acme/releases/",
        Some(new_release(VERSION)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["version"], VERSION);
    assert_eq!(created["shortVersion"], "1.0.0+7");
    assert!(created["dateCreated"].is_string(), "{created}");
    assert!(created["dateStarted"].is_string(), "{created}");
    assert_eq!(created["dateReleased"], Value::Null);
    assert_eq!(created["lastEvent"], Value::Null);
    assert_eq!(created["newGroups"], 0);
    assert_eq!(created["lastCommit"], Value::Null);
    assert_eq!(created["deployCount"], 0);
    assert_eq!(
        created["projects"],
        json!([{ "id": server.project_id.to_string(), "slug": "shop", "name": "Shop" }])
    );

    // `releases new` again (or `set-commits -p`) keeps the one row and its creation time.
    let (status, again) = api(
        &server,
        Method::POST,
        "organizations/acme/releases/",
        Some(json!({ "version": VERSION, "projects": ["shop"], "url": "https://ci.example/7" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["dateCreated"], created["dateCreated"]);
    assert_eq!(again["url"], "https://ci.example/7");
    assert_eq!(server.count_rows("release").await, 1);

    // `releases finalize`: PUT with dateReleased.
    let released = "2026-12-06T10:00:00Z";
    let (status, finalized) = api(
        &server,
        Method::PUT,
        &format!("organizations/acme/releases/{VERSION_PATH}/"),
        Some(json!({ "dateReleased": released })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{finalized}");
    assert_eq!(finalized["dateReleased"], released);
    assert_eq!(finalized["url"], "https://ci.example/7");

    // `deploys new -e production`: dateFinished is always sent; name and url as null.
    let finished = "2026-12-06T10:05:00Z";
    let (status, deploy) = api(
        &server,
        Method::POST,
        &format!("organizations/acme/releases/{VERSION_PATH}/deploys/"),
        Some(
            json!({ "environment": "production", "name": null, "url": null,
                     "dateStarted": null, "dateFinished": finished }),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{deploy}");
    assert_eq!(deploy["environment"], "production");
    assert_eq!(deploy["dateFinished"], finished);
    assert!(deploy["id"].is_string(), "{deploy}");
    let (status, deploys) = api(
        &server,
        Method::GET,
        &format!("organizations/acme/releases/{VERSION_PATH}/deploys/"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deploys, json!([deploy]));

    // `releases list`, with and without --project.
    for path in [
        "organizations/acme/releases/",
        "projects/acme/shop/releases/",
    ] {
        let (status, list) = api(&server, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {list}");
        assert_eq!(list.as_array().unwrap().len(), 1, "{path}: {list}");
        assert_eq!(list[0]["version"], VERSION);
        assert_eq!(list[0]["dateReleased"], released);
    }

    // An event of the release: `releases info` shows its last event and new issue, and the
    // release can no longer be deleted.
    server
        .ingest(json!({ "message": "checkout failed", "release": VERSION }))
        .await;
    let (status, info) = api(
        &server,
        Method::GET,
        &format!("organizations/acme/releases/{VERSION_PATH}/"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert!(info["lastEvent"].is_string(), "{info}");
    assert!(info["firstEvent"].is_string(), "{info}");
    assert_eq!(info["newGroups"], 1);
    assert_eq!(info["deployCount"], 1);
    assert_eq!(info["lastDeploy"]["environment"], "production");
    assert_eq!(info["dateCreated"], created["dateCreated"]);
    let (status, refusal) = api(
        &server,
        Method::DELETE,
        &format!("organizations/acme/releases/{VERSION_PATH}/"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refusal}");
    assert!(
        refusal["detail"]
            .as_str()
            .unwrap()
            .contains("cannot be deleted: stored events name it (1 so far)"),
        "{refusal}"
    );
    assert_eq!(server.count_rows("release").await, 1);

    let data = server
        .graphql(
            r#"query($p: ID!) { project(id: $p) { releases {
                name version count url dateCreated dateReleased firstEvent lastEvent
                deploys { environment name dateFinished }
            } } }"#,
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let release = &data["project"]["releases"][0];
    assert_eq!(release["name"], VERSION);
    assert_eq!(release["version"], VERSION);
    assert_eq!(release["count"], 1);
    assert_eq!(release["url"], "https://ci.example/7");
    assert_eq!(time(&release["dateCreated"]), time(&created["dateCreated"]));
    assert_eq!(time(&release["dateReleased"]), time(&json!(released)));
    assert_eq!(time(&release["firstEvent"]), time(&info["firstEvent"]));
    assert_eq!(time(&release["lastEvent"]), time(&info["lastEvent"]));
    let deploys = release["deploys"].as_array().unwrap();
    assert_eq!(deploys.len(), 1, "{release}");
    assert_eq!(deploys[0]["environment"], "production");
    assert_eq!(deploys[0]["name"], Value::Null);
    assert_eq!(time(&deploys[0]["dateFinished"]), time(&json!(finished)));
}

async fn a_release_without_events_is_deleted_with_its_deploys(server: TestServer) {
    let (status, _) = api(
        &server,
        Method::POST,
        "organizations/acme/releases/",
        Some(new_release("2.0.0")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = api(
        &server,
        Method::POST,
        "organizations/acme/releases/2.0.0/deploys/",
        Some(json!({ "environment": "staging" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // Before any event, GraphQL shows the release with no first or last event.
    let data = server
        .graphql(
            "query($p: ID!) { project(id: $p) { releases { name count firstEvent lastEvent } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(
        data["project"]["releases"],
        json!([{ "name": "2.0.0", "count": 0, "firstEvent": null, "lastEvent": null }])
    );

    let (status, body) = api(
        &server,
        Method::DELETE,
        "organizations/acme/releases/2.0.0/",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(server.count_rows("release").await, 0);
    assert_eq!(server.count_rows("deploy").await, 0);
    for (method, path) in [
        (Method::GET, "organizations/acme/releases/2.0.0/"),
        (Method::DELETE, "organizations/acme/releases/2.0.0/"),
        (Method::GET, "organizations/acme/releases/2.0.0/deploys/"),
    ] {
        let (status, body) = api(&server, method, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
        assert_eq!(body["detail"], "release not found");
    }
}

async fn bad_requests_are_refused_with_a_json_detail(server: TestServer) {
    let releases = "organizations/acme/releases/";
    for (body, detail) in [
        (
            json!({ "version": "1.0.0", "projects": ["shop", "nowhere"] }),
            "project \"nowhere\" not found",
        ),
        (json!({ "projects": ["shop"] }), "needs a version"),
        (
            json!({ "version": "a/b", "projects": ["shop"] }),
            "no slash",
        ),
        (
            json!({ "version": "1.0.0", "projects": [] }),
            "at least one project",
        ),
        (
            json!({ "version": 7, "projects": ["shop"] }),
            "invalid type",
        ),
    ] {
        let (status, answer) = api(&server, Method::POST, releases, Some(body.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(
            answer["detail"].as_str().unwrap().contains(detail),
            "{body}: {answer}"
        );
    }
    let response = server
        .http
        .post(format!("{}/api/0/{releases}", server.url))
        .bearer_auth(&server.token)
        .header("content-type", "application/json")
        .body("{\"version\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let answer: Value = response.json().await.unwrap();
    assert!(answer["detail"].is_string(), "{answer}");
    assert_eq!(server.count_rows("release").await, 0);

    // A deploy needs an environment, and a release.
    api(&server, Method::POST, releases, Some(new_release("1.0.0"))).await;
    let (status, answer) = api(
        &server,
        Method::POST,
        "organizations/acme/releases/1.0.0/deploys/",
        Some(json!({ "environment": "" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (status, _) = api(
        &server,
        Method::POST,
        "organizations/acme/releases/9.9.9/deploys/",
        Some(json!({ "environment": "production" })),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // `set-commits` lists repositories first; commits sent anyway are refused too.
    let (status, answer) = api(
        &server,
        Method::GET,
        "organizations/acme/repos/?cursor=",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(
        answer["detail"]
            .as_str()
            .unwrap()
            .contains("commits are not supported"),
        "{answer}"
    );
    let (status, answer) = api(
        &server,
        Method::PUT,
        "organizations/acme/releases/1.0.0/",
        Some(json!({ "refs": [{ "repository": "shop", "commit": "abc123", "previousCommit": null }] })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert!(answer["detail"].as_str().unwrap().contains("commits"));

    // Paths and methods Larder does not serve.
    let (status, answer) = api(
        &server,
        Method::GET,
        "organizations/acme/no-such-thing/",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(answer["detail"].is_string(), "{answer}");
    for (method, path) in [
        (Method::PATCH, "organizations/acme/releases/1.0.0/"),
        (Method::DELETE, "organizations/acme/releases/"),
        (Method::PUT, "organizations/acme/releases/1.0.0/deploys/"),
    ] {
        let (status, answer) = api(&server, method.clone(), path, None).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(answer["detail"].is_string(), "{method} {path}: {answer}");
    }
}

async fn callers_reach_only_what_their_token_allows(server: TestServer) {
    api(
        &server,
        Method::POST,
        "organizations/acme/releases/",
        Some(new_release("1.0.0")),
    )
    .await;

    // A token without project:releases.
    let reader = token_with(&server, server.organization_id, &[Scope::ProjectRead]).await;
    for (method, path, body) in [
        (Method::GET, "organizations/acme/releases/", None),
        (
            Method::POST,
            "organizations/acme/releases/",
            Some(new_release("1.0.1")),
        ),
        (
            Method::PUT,
            "organizations/acme/releases/1.0.0/",
            Some(json!({ "dateReleased": chrono::Utc::now() })),
        ),
        (
            Method::GET,
            "organizations/acme/releases/1.0.0/deploys/",
            None,
        ),
    ] {
        let (status, answer) = call(&server, &reader, method, path, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert!(
            answer["detail"]
                .as_str()
                .unwrap()
                .contains("project:releases"),
            "{answer}"
        );
    }

    // No token at all.
    let response = server
        .http
        .get(format!("{}/api/0/organizations/acme/releases/", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Another organization, with a project of the same slug and a release of the same version.
    let rival = organizations::find_or_create(&server.db, Some("rival"))
        .await
        .unwrap();
    projects::create_project(&server.db, rival.id, "Shop")
        .await
        .unwrap();
    let rival_token = token_with(&server, rival.id, &[Scope::ProjectReleases]).await;
    let (status, _) = call(
        &server,
        &rival_token,
        Method::POST,
        "organizations/rival/releases/",
        Some(new_release("1.0.0")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = api(&server, Method::GET, "organizations/acme/releases/", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["projects"][0]["id"], server.project_id.to_string());
    for (token, path) in [
        (&server.token, "organizations/rival/releases/"),
        (&server.token, "organizations/rival/releases/1.0.0/"),
        (&server.token, "projects/rival/shop/releases/"),
        (&rival_token, "organizations/acme/releases/1.0.0/"),
    ] {
        let (status, answer) = call(&server, token, Method::GET, path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {answer}");
        assert!(answer["detail"].is_string(), "{answer}");
    }
    let (status, answer) = api(
        &server,
        Method::GET,
        "projects/acme/nowhere/releases/",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(answer["detail"], "project not found");

    // Deleting acme's 1.0.0 leaves rival's and its deploys.
    call(
        &server,
        &rival_token,
        Method::POST,
        "organizations/rival/releases/1.0.0/deploys/",
        Some(json!({ "environment": "production" })),
    )
    .await;
    let (status, _) = api(
        &server,
        Method::DELETE,
        "organizations/acme/releases/1.0.0/",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, info) = call(
        &server,
        &rival_token,
        Method::GET,
        "organizations/rival/releases/1.0.0/",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(info["deployCount"], 1);
}

on_both_databases!(
    a_release_goes_through_new_finalize_deploy_and_its_first_event,
    a_release_without_events_is_deleted_with_its_deploys,
    bad_requests_are_refused_with_a_json_detail,
    callers_reach_only_what_their_token_allows,
);
