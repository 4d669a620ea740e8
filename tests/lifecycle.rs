//! Issue lifecycle end to end: resolve and regress, release resolutions, ignore conditions,
//! assignment and comments, bulk updates, tag top values, statistics, releases and environments.
mod common;

use common::TestServer;
use serde_json::{Value, json};

async fn status(server: &TestServer, issue: &str) -> Value {
    server
        .graphql(
            "query($id: ID!) { issue(id: $id) { status statusDetails { inRelease inNextRelease ignoredUntil ignoredUntilCount ignoredUntilUsers } count userCount activity { kind actor data } } }",
            json!({ "id": issue }),
        )
        .await["issue"]
        .clone()
}

fn event(message: &str, release: Option<&str>) -> Value {
    json!({ "message": message, "release": release, "environment": "prod", "user": { "id": "u1" } })
}

async fn resolved_issue_regresses_on_a_new_event(server: TestServer) {
    let (_, issue) = server.ingest(event("boom", Some("1.0"))).await;
    server
        .graphql(
            "mutation($id: ID!) { resolveIssue(id: $id) { status } }",
            json!({ "id": issue }),
        )
        .await;
    assert_eq!(status(&server, &issue).await["status"], "RESOLVED");
    let (_, again) = server.ingest(event("boom", Some("1.0"))).await;
    assert_eq!(again, issue);
    let now = status(&server, &issue).await;
    assert_eq!(now["status"], "UNRESOLVED");
    let kinds: Vec<&str> = now["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["SET_RESOLVED", "SET_REGRESSION"]);
    assert_eq!(now["activity"][1]["actor"], "system");
}

async fn resolved_in_next_release_regresses_only_on_a_newer_release(server: TestServer) {
    let (_, issue) = server.ingest(event("old bug", Some("1.0"))).await;
    let data = server
        .graphql(
            "mutation($id: ID!) { resolveIssue(id: $id, inNextRelease: true) { status statusDetails { inRelease inNextRelease ignoredUntil } } }",
            json!({ "id": issue }),
        )
        .await;
    assert_eq!(
        data["resolveIssue"]["statusDetails"],
        json!({ "inRelease": "1.0", "inNextRelease": true, "ignoredUntil": null })
    );
    // Stragglers of the release it was fixed after: still resolved.
    server.ingest(event("old bug", Some("1.0"))).await;
    server.ingest(event("old bug", None)).await;
    assert_eq!(status(&server, &issue).await["status"], "RESOLVED");
    // The next release still has it: regression.
    server.ingest(event("old bug", Some("1.1"))).await;
    assert_eq!(status(&server, &issue).await["status"], "UNRESOLVED");
}

async fn ignored_issue_comes_back_when_its_condition_is_met(server: TestServer) {
    let (_, issue) = server.ingest(event("noisy", None)).await;
    server
        .graphql(
            "mutation($id: ID!) { ignoreIssue(id: $id, until: { untilMoreEvents: 3 }) { status } }",
            json!({ "id": issue }),
        )
        .await;
    server.ingest(event("noisy", None)).await;
    server.ingest(event("noisy", None)).await;
    assert_eq!(status(&server, &issue).await["status"], "IGNORED");
    server.ingest(event("noisy", None)).await;
    let now = status(&server, &issue).await;
    assert_eq!(now["status"], "UNRESOLVED");
    assert_eq!(now["count"], 4);

    // Ignored forever stays ignored.
    server
        .graphql(
            "mutation($id: ID!) { ignoreIssue(id: $id) { status } }",
            json!({ "id": issue }),
        )
        .await;
    for _ in 0..3 {
        server.ingest(event("noisy", None)).await;
    }
    assert_eq!(status(&server, &issue).await["status"], "IGNORED");
    let error = server
        .graphql_error(
            "mutation($id: ID!) { ignoreIssue(id: $id, until: { forMinutes: 0 }) { status } }",
            json!({ "id": issue }),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
}

async fn assignment_comments_and_bulk_updates(server: TestServer) {
    let (_, issue) = server.ingest(event("first", None)).await;
    server.ingest(event("second", None)).await;
    server
        .ingest(json!({ "message": "third", "level": "warning" }))
        .await;
    let member = server
        .graphql(
            "mutation { createMember(email: \"Dev@Example.com\", name: \"Dev\") { id email } }",
            json!({}),
        )
        .await["createMember"]
        .clone();
    assert_eq!(member["email"], "dev@example.com");
    let data = server
        .graphql(
            "mutation($id: ID!, $m: ID) { assignIssue(id: $id, memberId: $m) { assignee { email } } }",
            json!({ "id": issue, "m": member["id"] }),
        )
        .await;
    assert_eq!(data["assignIssue"]["assignee"]["email"], "dev@example.com");
    server
        .graphql(
            "mutation($id: ID!) { addComment(issueId: $id, text: \"looking into it\") { id } }",
            json!({ "id": issue }),
        )
        .await;
    let kinds: Vec<String> = status(&server, &issue).await["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["ASSIGNED", "NOTE"]);

    let data = server
        .graphql(
            "mutation($p: ID!) { bulkUpdateIssues(projectId: $p, filter: { level: [ERROR] }, status: RESOLVED) }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(data["bulkUpdateIssues"], 2);
    let data = server
        .graphql(
            "query($p: ID!) { project(id: $p) { issues(filter: { status: [RESOLVED] }) { totalCount } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(data["project"]["issues"]["totalCount"], 2);
}

async fn tags_stats_releases_and_environments(server: TestServer) {
    let mut issue = String::new();
    for (i, browser) in ["Chrome", "Chrome", "Firefox"].iter().enumerate() {
        let (_, id) = server
            .ingest(json!({
                "message": "render failed",
                "release": format!("web@{}", i % 2),
                "environment": if i == 2 { "staging" } else { "prod" },
                "user": { "id": format!("user-{i}") },
                "tags": { "browser": browser },
            }))
            .await;
        issue = id;
    }
    let data = server
        .graphql(
            r#"query($id: ID!, $p: ID!) {
                issue(id: $id) {
                    userCount
                    tags { key totalCount distinctValues topValues { value count } }
                    tagValues(key: "browser") { value count }
                    stats { bucket count }
                    daily: stats(interval: DAY) { count }
                }
                project(id: $p) {
                    stats { accepted { count } filtered { count } }
                    releases { name count }
                    environments { name count }
                }
            }"#,
            json!({ "id": issue, "p": server.project_id.to_string() }),
        )
        .await;
    let issue = &data["issue"];
    assert_eq!(issue["userCount"], 3);
    let browser = issue["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "browser")
        .unwrap();
    assert_eq!(browser["totalCount"], 3);
    assert_eq!(browser["distinctValues"], 2);
    assert_eq!(
        browser["topValues"][0],
        json!({ "value": "Chrome", "count": 2 })
    );
    assert_eq!(
        issue["tagValues"],
        json!([{ "value": "Chrome", "count": 2 }, { "value": "Firefox", "count": 1 }])
    );
    let total = |series: &Value| {
        series
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["count"].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(total(&issue["stats"]), 3);
    assert_eq!(issue["stats"].as_array().unwrap().len(), 25);
    assert_eq!(total(&issue["daily"]), 3);
    let project = &data["project"];
    assert_eq!(total(&project["stats"]["accepted"]), 3);
    assert_eq!(total(&project["stats"]["filtered"]), 0);
    let mut releases: Vec<(String, i64)> = project["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["count"].as_i64().unwrap(),
            )
        })
        .collect();
    releases.sort();
    assert_eq!(
        releases,
        [("web@0".to_string(), 2), ("web@1".to_string(), 1)]
    );
    assert_eq!(
        project["environments"],
        json!([{ "name": "prod", "count": 2 }, { "name": "staging", "count": 1 }])
    );
}

on_both_databases!(
    resolved_issue_regresses_on_a_new_event,
    resolved_in_next_release_regresses_only_on_a_newer_release,
    ignored_issue_comes_back_when_its_condition_is_met,
    assignment_comments_and_bulk_updates,
    tags_stats_releases_and_environments,
);

/// Backdates an issue's events (and the issue's last seen) by `days`.
async fn age_issue(server: &TestServer, issue: &str, days: i64) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let past = chrono::Utc::now() - chrono::Duration::days(days);
    let id: i64 = issue.parse().unwrap();
    entity::event::Entity::update_many()
        .col_expr(entity::event::Column::ReceivedAt, Expr::val(past))
        .filter(entity::event::Column::IssueId.eq(id))
        .exec(&server.db)
        .await
        .unwrap();
    entity::issue::Entity::update_many()
        .col_expr(entity::issue::Column::LastSeen, Expr::val(past))
        .filter(entity::issue::Column::Id.eq(id))
        .exec(&server.db)
        .await
        .unwrap();
}

async fn retention_deletes_exactly_the_expired_rows(server: TestServer) {
    let (_, old) = server.ingest(event("old", None)).await;
    server.ingest(event("old", None)).await;
    let (_, mixed) = server.ingest(event("mixed", None)).await;
    let (_, fresh) = server.ingest(event("fresh", None)).await;
    age_issue(&server, &old, 100).await;
    age_issue(&server, &mixed, 100).await;
    // One recent event keeps the "mixed" issue alive.
    server.ingest(event("mixed", None)).await;

    let report = larder::retention::run_once(&server.db, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(report.events, 3, "two of `old`, one of `mixed`");
    assert_eq!(report.issues, 1, "`old` has no events left");
    assert_eq!(server.count_rows("event").await, 2);
    let data = server
        .graphql(
            "query($a: ID!, $b: ID!, $c: ID!) { a: issue(id: $a) { id } b: issue(id: $b) { count } c: issue(id: $c) { count } }",
            json!({ "a": old, "b": mixed, "c": fresh }),
        )
        .await;
    assert!(data["a"].is_null());
    assert_eq!(data["b"]["count"], 2, "counters are kept");
    assert_eq!(data["c"]["count"], 1);

    // Nothing more to do on a second run.
    let again = larder::retention::run_once(&server.db, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(again, larder::retention::Report::default());
}

on_both_databases!(retention_deletes_exactly_the_expired_rows);

async fn subscription_delivers_issue_changes(server: TestServer) {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

    let mut request = format!("{}/graphql/ws", server.url.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects");
    let send = |value: Value| Message::Text(value.to_string().into());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "token": server.token } }),
        ))
        .await
        .unwrap();
    let next_json = |message: Option<Result<Message, _>>| -> Value {
        match message {
            Some(Ok(Message::Text(text))) => serde_json::from_str(&text).unwrap(),
            other => panic!("unexpected websocket message {other:?}"),
        }
    };
    assert_eq!(next_json(socket.next().await)["type"], "connection_ack");
    socket
        .send(send(json!({
            "id": "1", "type": "subscribe",
            "payload": {
                "query": "subscription($p: ID!) { issueChanged(projectId: $p) { kind issue { title count } } }",
                "variables": { "p": server.project_id.to_string() },
            },
        })))
        .await
        .unwrap();
    // The subscription is registered asynchronously: keep ingesting until the first change arrives.
    let mut received = None;
    for _ in 0..50 {
        server.ingest(json!({ "message": "live 0" })).await;
        if let Ok(message) =
            tokio::time::timeout(std::time::Duration::from_millis(200), socket.next()).await
        {
            received = Some(next_json(message));
            break;
        }
    }
    let message = received.expect("a change arrives over the websocket");
    assert_eq!(message["type"], "next", "{message}");
    let change = &message["payload"]["data"]["issueChanged"];
    assert_eq!(change["issue"]["title"], "live 0");
    assert!(
        ["CREATED", "NEW_EVENTS"].contains(&change["kind"].as_str().unwrap()),
        "{change}"
    );

    // A bad token is refused at connection time.
    let mut request = format!("{}/graphql/ws", server.url.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "token": "ldr_wrong" } }),
        ))
        .await
        .unwrap();
    match socket.next().await {
        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {}
        Some(Ok(Message::Text(text))) => assert_ne!(
            serde_json::from_str::<Value>(&text).unwrap()["type"],
            "connection_ack"
        ),
        other => panic!("unexpected {other:?}"),
    }
}

on_both_databases!(subscription_delivers_issue_changes);

async fn search_strings_filter_issues(server: TestServer) {
    let (_, chrome) = server
        .ingest(json!({ "message": "render timeout", "level": "error", "environment": "prod", "release": "1.2",
                        "user": { "email": "ann@example.com" }, "contexts": { "browser": { "name": "Chrome", "version": "120" } } }))
        .await;
    let (_, firefox) = server
        .ingest(
            json!({ "message": "layout overflow", "level": "warning", "environment": "prod",
                        "contexts": { "browser": { "name": "Firefox", "version": "121" } } }),
        )
        .await;
    server
        .graphql(
            "mutation($id: ID!) { resolveIssue(id: $id) { id } }",
            json!({ "id": firefox }),
        )
        .await;
    let search = |query: &'static str| {
        let server = &server;
        async move {
            let data = server
                .graphql(
                    "query($p: ID!, $q: String) { project(id: $p) { issues(query: $q) { edges { node { id } } } } }",
                    json!({ "p": server.project_id.to_string(), "q": query }),
                )
                .await;
            data["project"]["issues"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        search(r#"is:unresolved level:error release:1.2 environment:prod user.email:ann@example.com browser:Chrome "timeout""#).await,
        [chrome]
    );
    assert_eq!(search("is:resolved").await, std::slice::from_ref(&firefox));
    assert_eq!(
        search("!browser:Chrome").await,
        std::slice::from_ref(&firefox)
    );
    assert_eq!(search("overflow").await, [firefox]);
    assert!(search("browser:Safari").await.is_empty());
    let error = server
        .graphql_error(
            "query($p: ID!) { project(id: $p) { issues(query: \"level:error is:sleeping\") { totalCount } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("is:sleeping") && message.contains("character 12"),
        "{message}"
    );
}

on_both_databases!(search_strings_filter_issues);

async fn settings(server: &TestServer, settings: Value) {
    server
        .graphql(
            "mutation($p: ID!, $s: ProjectSettingsInput!) { updateProjectSettings(projectId: $p, settings: $s) { id } }",
            json!({ "p": server.project_id.to_string(), "s": settings }),
        )
        .await;
}

async fn dropped_counts(server: &TestServer) -> (i64, i64, i64, i64) {
    let data = server
        .graphql(
            "query($p: ID!) { project(id: $p) { stats { accepted { count } filtered { count } sampled { count } rateLimited { count } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let total = |name: &str| {
        data["project"]["stats"][name]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["count"].as_i64().unwrap())
            .sum::<i64>()
    };
    (
        total("accepted"),
        total("filtered"),
        total("sampled"),
        total("rateLimited"),
    )
}

async fn ingest_raw(server: &TestServer, event: Value) -> Value {
    server
        .graphql(
            "mutation($p: ID!, $e: JSON!) { ingestEvent(projectId: $p, event: $e) { eventId issueId dropped } }",
            json!({ "p": server.project_id.to_string(), "e": event }),
        )
        .await["ingestEvent"]
        .clone()
}

async fn sampling_and_inbound_filters_drop_quietly_and_count(server: TestServer) {
    settings(
        &server,
        json!({ "inboundFilters": { "localhost": true, "errorMessages": ["*ResizeObserver*"] }, "sensitiveFields": ["order_id"] }),
    )
    .await;
    // What was saved reads back, as ingest applies it.
    let saved = server
        .graphql(
            "query($p: ID!) { project(id: $p) { settings { sampleRate rateLimitPerMinute retentionDays scrubData sensitiveFields safeFields scrubIpAddresses inboundFilters { localhost browserExtensions legacyBrowsers webCrawlers errorMessages releases } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(
        saved["project"]["settings"],
        json!({ "sampleRate": 1.0, "rateLimitPerMinute": null, "retentionDays": null, "scrubData": true,
                "sensitiveFields": ["order_id"], "safeFields": [], "scrubIpAddresses": false,
                "inboundFilters": { "localhost": true, "browserExtensions": false, "legacyBrowsers": false,
                                    "webCrawlers": false, "errorMessages": ["*ResizeObserver*"], "releases": [] } })
    );
    let local = ingest_raw(
        &server,
        json!({ "message": "dev box", "user": { "ip_address": "127.0.0.1" } }),
    )
    .await;
    assert_eq!(local["dropped"], "filtered:localhost");
    assert!(local["issueId"].is_null());
    let noise = ingest_raw(&server, json!({ "exception": [{ "type": "Error", "value": "ResizeObserver loop limit exceeded" }] })).await;
    assert_eq!(noise["dropped"], "filtered:error-message");
    let kept = ingest_raw(&server, json!({ "message": "real problem" })).await;
    assert!(kept["dropped"].is_null() && kept["issueId"].is_string());

    settings(&server, json!({ "sampleRate": 0.5 })).await;
    let mut sampled = 0;
    for _ in 0..200 {
        if ingest_raw(&server, json!({ "message": "sampled traffic" })).await["dropped"]
            == "sampled"
        {
            sampled += 1;
        }
    }
    // Binomial(200, 0.5): 4 standard deviations is ±28.
    assert!((72..=128).contains(&sampled), "sampled {sampled} of 200");
    let expected = (201 - sampled, 2, sampled, 0);
    let counts = server
        .eventually("outcome counts", || async {
            let counts = dropped_counts(&server).await;
            (counts == expected).then_some(counts)
        })
        .await;
    assert_eq!(counts, expected);
    assert_eq!(server.count_rows("event").await, 201 - sampled);
}

async fn rate_limits_answer_429_with_back_off_headers(server: TestServer) {
    settings(&server, json!({ "rateLimitPerMinute": 3 })).await;
    // Limits count per clock minute: stay clear of a window edge.
    while chrono::Timelike::second(&chrono::Utc::now()) > 55 {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let store_event = || async {
        server
            .sdk_post("store")
            .body(r#"{"message":"limited"}"#)
            .send()
            .await
            .unwrap()
    };
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let response = store_event().await;
        statuses.push(response.status().as_u16());
        last = Some(response);
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
    let response = last.unwrap();
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    let limits = response.headers()["x-sentry-rate-limits"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(limits, format!("{retry_after}::project:project_quota"));
    let body: Value = response.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("rate limit"));
    // The GraphQL path is limited the same way.
    let error = server
        .graphql_error(
            "mutation($p: ID!) { ingestEvent(projectId: $p, event: {message: \"x\"}) { eventId } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "RATE_LIMITED");
    server
        .eventually("rate-limited count", || async {
            (dropped_counts(&server).await.3 == 3).then_some(())
        })
        .await;
    // Lifting the limit lets events in again at once.
    settings(&server, json!({ "rateLimitPerMinute": 0 })).await;
    assert_eq!(store_event().await.status(), 200);
}

on_both_databases!(
    sampling_and_inbound_filters_drop_quietly_and_count,
    rate_limits_answer_429_with_back_off_headers
);

/// Two servers on one PostgreSQL database (a deployment that outgrew one machine): when events
/// of a resolved issue reach both at once, each writer's batch reads the issue's status with
/// `FOR UPDATE`, so the issue reopens once and one regression is recorded, round after round.
/// (Without the lock, only the order of the batch's stages protected this: with the status
/// read moved before the tag and hourly-count upserts, whose row locks serialise the two
/// batches, this test saw two regressions per round.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regression_reaching_two_servers_at_once_is_recorded_once() {
    let Some(backend) = common::Backend::postgres() else {
        return;
    };
    let first = TestServer::start(backend).await;
    let second = larder::app::Server::bind(larder::config::Config::new(
        first.database.url.clone(),
        "127.0.0.1:0".parse().unwrap(),
        Some("http://127.0.0.1:0".into()),
    ))
    .await
    .expect("second server starts");
    let second_url = format!("http://{}", second.addr);
    tokio::spawn(second.run());

    let (_, issue) = first.ingest(event("boom", None)).await;
    const ROUNDS: usize = 5;
    const PER_SERVER: usize = 8;
    for round in 1..=ROUNDS {
        first
            .graphql(
                "mutation($id: ID!) { resolveIssue(id: $id) { status } }",
                json!({ "id": issue }),
            )
            .await;
        let sends = (0..2 * PER_SERVER).map(|n| {
            let base = if n % 2 == 0 { &first.url } else { &second_url };
            first
                .sdk_post_to(base, "store")
                .json(&event("boom", None))
                .send()
        });
        for response in futures::future::join_all(sends).await {
            assert_eq!(response.unwrap().status(), 200);
        }
        let now = status(&first, &issue).await;
        assert_eq!(now["status"], "UNRESOLVED", "round {round}");
        assert_eq!(now["count"], 1 + round * 2 * PER_SERVER, "round {round}");
        let regressions = now["activity"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == "SET_REGRESSION")
            .count();
        assert_eq!(
            regressions, round,
            "one regression per round, round {round}"
        );
    }
}
