//! GitHub: search-then-create against a local server that answers like api.github.com.

mod common;

use common::{KEY, MockServer, Recorded, Reply, notification};
use larder_integrations::{ChannelConfig, GithubConfig, Secret, notifier_for};
use serde_json::{Value, json};

const TOKEN: &str = "ghp_githubS3CRETtoken0000000000000000";

fn config(server: &MockServer) -> ChannelConfig {
    ChannelConfig::Github(GithubConfig {
        token: Secret::new(TOKEN),
        owner: "acme".to_string(),
        repo: "web".to_string(),
        labels: vec!["bug".to_string(), "larder".to_string()],
        api_base_url: Some(server.url.clone()),
        timeout_ms: Some(5_000),
    })
}

fn user() -> Value {
    json!({
        "login": "larder-bot", "id": 1, "node_id": "MDQ6VXNlcjE=",
        "avatar_url": "https://github.com/images/error/octocat_happy.gif", "gravatar_id": "",
        "url": "https://api.github.com/users/larder-bot", "html_url": "https://github.com/larder-bot",
        "followers_url": "https://api.github.com/users/larder-bot/followers",
        "following_url": "https://api.github.com/users/larder-bot/following{/other_user}",
        "gists_url": "https://api.github.com/users/larder-bot/gists{/gist_id}",
        "starred_url": "https://api.github.com/users/larder-bot/starred{/owner}{/repo}",
        "subscriptions_url": "https://api.github.com/users/larder-bot/subscriptions",
        "organizations_url": "https://api.github.com/users/larder-bot/orgs",
        "repos_url": "https://api.github.com/users/larder-bot/repos",
        "events_url": "https://api.github.com/users/larder-bot/events{/privacy}",
        "received_events_url": "https://api.github.com/users/larder-bot/received_events",
        "type": "User", "site_admin": false
    })
}

/// An issue as the REST API returns it.
fn issue(number: u64, body: &str) -> Value {
    json!({
        "id": 1_000_000 + number, "node_id": "I_kwDOA", "number": number,
        "url": format!("https://api.github.com/repos/acme/web/issues/{number}"),
        "repository_url": "https://api.github.com/repos/acme/web",
        "labels_url": format!("https://api.github.com/repos/acme/web/issues/{number}/labels{{/name}}"),
        "comments_url": format!("https://api.github.com/repos/acme/web/issues/{number}/comments"),
        "events_url": format!("https://api.github.com/repos/acme/web/issues/{number}/events"),
        "html_url": format!("https://github.com/acme/web/issues/{number}"),
        "state": "open", "state_reason": null, "locked": false,
        "title": "ZeroDivisionError: division by zero", "body": body,
        "user": user(), "labels": [], "assignee": null, "assignees": [], "milestone": null,
        "comments": 0, "author_association": "OWNER", "active_lock_reason": null,
        "created_at": "2024-05-02T11:30:05Z", "updated_at": "2024-05-02T11:30:05Z", "closed_at": null
    })
}

fn search_result(items: Vec<Value>) -> Value {
    json!({ "total_count": items.len(), "incomplete_results": false, "items": items })
}

fn github(search_items: Vec<Value>) -> impl Fn(&Recorded) -> Reply + Send + Sync + 'static {
    move |r: &Recorded| match (r.method.as_str(), r.path.as_str()) {
        ("GET", "/search/issues") => Reply::json(200, search_result(search_items.clone())),
        ("POST", "/repos/acme/web/issues") => {
            Reply::json(201, issue(1347, r.json()["body"].as_str().unwrap_or("")))
        }
        _ => Reply::json(
            404,
            json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
        ),
    }
}

fn assert_api_headers(r: &Recorded) {
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(r.header("x-github-api-version"), Some("2022-11-28"));
    assert!(
        r.header("user-agent").is_some(),
        "GitHub rejects requests without User-Agent"
    );
}

#[tokio::test]
async fn searches_then_creates_the_issue() {
    let server = MockServer::start(github(vec![])).await;
    let delivery = notifier_for(&config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");

    assert_eq!(delivery.external_id.as_deref(), Some("1347"));
    assert_eq!(
        delivery.external_url.as_deref(),
        Some("https://github.com/acme/web/issues/1347")
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2, "search, then create: {requests:?}");

    let search = &requests[0];
    assert_eq!(search.method, "GET");
    assert_eq!(search.path, "/search/issues");
    assert_api_headers(search);
    let q = &search.query_pairs()["q"];
    assert_eq!(q, &format!("\"{KEY}\" repo:acme/web is:issue in:body"));

    let create = &requests[1];
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, "/repos/acme/web/issues");
    assert_api_headers(create);
    assert!(
        create
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body = create.json();
    assert_eq!(body["title"], "ZeroDivisionError: division by zero");
    assert_eq!(body["labels"], json!(["bug", "larder"]));
    let md = body["body"].as_str().unwrap();
    for needle in [
        "**New issue** in **Web Frontend** (`acme`)",
        "`app.views in checkout`",
        "| **Events** | 17 |",
        "| **Users** | 5 |",
        "| **First seen** | 2024-05-01 10:00:00 UTC |",
        "### Stack trace (most recent call first)",
        "```\nat checkout (app/views.py:42)\n    > total = amount / count\nat compute (app/cart.py:7)\n    > return checkout(cart)\n```",
        "[View the issue in Larder](https://larder.example/acme/web/issues/42/)",
        &format!("<!-- larder:{KEY} -->"),
    ] {
        assert!(md.contains(needle), "body lacks {needle:?}:\n{md}");
    }
}

#[tokio::test]
async fn existing_issue_with_the_marker_is_returned_without_creating() {
    let existing = issue(77, &format!("earlier body\n<!-- larder:{KEY} -->\n"));
    let server = MockServer::start(github(vec![existing])).await;
    let delivery = notifier_for(&config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");

    assert_eq!(delivery.external_id.as_deref(), Some("77"));
    assert_eq!(
        delivery.external_url.as_deref(),
        Some("https://github.com/acme/web/issues/77")
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "no create call: {requests:?}");
    assert_eq!(requests[0].path, "/search/issues");
}

#[tokio::test]
async fn search_hit_without_the_exact_marker_is_ignored() {
    // Full-text search is fuzzy: a hit that merely mentions a similar key is not ours.
    let other = issue(78, &format!("see <!-- larder:{KEY}-other -->"));
    let server = MockServer::start(github(vec![other])).await;
    let delivery = notifier_for(&config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .expect("delivered");
    assert_eq!(delivery.external_id.as_deref(), Some("1347"));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn validation_failure_on_create_is_not_retryable() {
    let server = MockServer::start(|r: &Recorded| match r.method.as_str() {
        "GET" => Reply::json(200, search_result(vec![])),
        _ => Reply::json(
            422,
            json!({"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "missing_field", "field": "title"}]}),
        ),
    })
    .await;
    let err = notifier_for(&config(&server), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(!err.retryable, "{err:?}");
    assert!(
        err.message.contains("422") && err.message.contains("Validation Failed"),
        "{err:?}"
    );
}

#[tokio::test]
async fn rate_limit_403_is_retryable_but_plain_403_is_not() {
    let limited = MockServer::always(
        Reply::json(403, json!({"message": "API rate limit exceeded"}))
            .with_header("x-ratelimit-remaining", "0")
            .with_header("x-ratelimit-reset", "1714650000"),
    )
    .await;
    let err = notifier_for(&config(&limited), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(err.retryable, "{err:?}");

    let forbidden = MockServer::always(Reply::json(
        403,
        json!({"message": "Resource not accessible by integration"}),
    ))
    .await;
    let err = notifier_for(&config(&forbidden), &common::loopback())
        .unwrap()
        .send(&notification())
        .await
        .unwrap_err();
    assert!(!err.retryable, "{err:?}");
    assert!(!err.message.contains(TOKEN));
}
