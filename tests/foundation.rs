//! The foundation end to end: a project and a token, an event ingested through GraphQL, and the
//! issue with its event and stack trace read back; bad input refused without writing anything.
mod common;

use common::TestServer;
use serde_json::{Value, json};

const ISSUE_WITH_EVENT: &str = r#"
query($p: ID!) {
  project(id: $p) {
    issues(first: 10) {
      totalCount
      edges { node {
        id title culprit level status count firstSeen lastSeen
        latestEvent {
          eventId level platform release environment message
          tags { key value }
          exceptions { type value module stacktrace { frames { filename absPath function module lineno colno inApp contextLine } } }
          contexts user { id email username ipAddress } request { method url }
          breadcrumbs { timestamp type category level message } sdk { name version } raw
        }
        events(first: 10) { totalCount edges { node { eventId } } }
      } }
    }
  }
}"#;

async fn ingested_exception_is_an_issue_with_its_stack_trace(server: TestServer) {
    let (event_id, issue_id) = server.ingest(common::python_exception_event()).await;
    assert_eq!(event_id.len(), 32);
    assert!(
        event_id
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );

    let data = server
        .graphql(
            ISSUE_WITH_EVENT,
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let issues = &data["project"]["issues"];
    assert_eq!(issues["totalCount"], 1);
    let issue = &issues["edges"][0]["node"];
    assert_eq!(issue["id"], issue_id.as_str());
    assert_eq!(issue["title"], "ValueError: user 5 not found");
    assert_eq!(issue["level"], "ERROR");
    assert_eq!(issue["status"], "UNRESOLVED");
    assert_eq!(issue["count"], 1);
    let event = &issue["latestEvent"];
    assert_eq!(event["eventId"], event_id.as_str());
    assert_eq!(event["platform"], "python");
    assert_eq!(event["release"], "shop@1.2.3");
    assert_eq!(event["environment"], "prod");
    let exceptions = event["exceptions"].as_array().unwrap();
    assert_eq!(exceptions.len(), 2);
    assert_eq!(exceptions[0]["type"], "KeyError");
    assert_eq!(exceptions[1]["type"], "ValueError");
    let frames = exceptions[1]["stacktrace"]["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1]["function"], "handler");
    assert_eq!(frames[1]["inApp"], true);
    assert!(frames[1]["lineno"].as_i64().unwrap() > 0);
    assert_eq!(
        event["user"],
        json!({ "id": "u-17", "email": "jane@example.com", "username": null, "ipAddress": null })
    );
    assert_eq!(event["request"], Value::Null);
    assert_eq!(
        event["breadcrumbs"],
        json!([{ "timestamp": "2026-11-25T03:15:16.204254+00:00", "type": "default",
                 "category": "auth", "level": "info", "message": "user logged in" }])
    );
    assert_eq!(
        event["sdk"],
        json!({ "name": "sentry.python", "version": "2.75.0" })
    );
    assert_eq!(event["contexts"]["runtime"]["name"], "CPython");
    // What was stored keeps every field the SDK sent, unknown ones included.
    let sent = common::python_exception_event();
    for key in sent.as_object().unwrap().keys() {
        assert!(!event["raw"][key].is_null(), "{key} was not kept");
    }
    assert_eq!(event["raw"]["transaction_info"], sent["transaction_info"]);
    assert_eq!(
        event["raw"]["exception"]["values"][1]["stacktrace"]["frames"][1]["vars"],
        json!({ "uid": "5" })
    );
    assert_eq!(issue["events"]["totalCount"], 1);
    assert_eq!(
        issue["events"]["edges"][0]["node"]["eventId"],
        event_id.as_str()
    );

    // The same error again lands in the same issue, and the count follows.
    let (_, again) = server.ingest(common::python_exception_event()).await;
    assert_eq!(again, issue_id);
    let data = server
        .graphql(
            "query($id: ID!) { issue(id: $id) { count events(first: 1) { totalCount pageInfo { hasNextPage endCursor } } } }",
            json!({ "id": issue_id }),
        )
        .await;
    assert_eq!(data["issue"]["count"], 2);
    assert_eq!(data["issue"]["events"]["pageInfo"]["hasNextPage"], true);

    // And the event is reachable by its SDK id.
    let data = server
        .graphql(
            "query($id: ID!) { event(id: $id) { eventId } }",
            json!({ "id": event_id }),
        )
        .await;
    assert_eq!(data["event"]["eventId"], event_id.as_str());
}

async fn bad_input_is_refused_and_writes_nothing(server: TestServer) {
    let mutation = "mutation($p: ID!, $e: JSON!) { ingestEvent(projectId: $p, event: $e) { eventId issueId } }";
    let project = server.project_id.to_string();

    // A wrong token: 401 with a GraphQL error. No token at all: the request runs anonymously
    // (sign-in must work), and every field but sign-in answers UNAUTHENTICATED.
    for (token, status) in [(Some("ldr_not-a-token"), 401), (None, 200)] {
        let (got, body) = server
            .graphql_as(
                token,
                mutation,
                json!({ "p": project, "e": { "message": "x" } }),
            )
            .await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert!(body["data"].is_null(), "{body}");
    }

    // An event that is not a JSON object.
    let error = server
        .graphql_error(mutation, json!({ "p": project, "e": [1, 2] }))
        .await;
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{error}");

    // Invalid JSON in the request body.
    let response = server
        .http
        .post(format!("{}/graphql", server.url))
        .bearer_auth(&server.token)
        .header("content-type", "application/json")
        .body("{\"query\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    // An unknown project, and a malformed id.
    let error = server
        .graphql_error(mutation, json!({ "p": "999999", "e": { "message": "x" } }))
        .await;
    assert_eq!(error["extensions"]["code"], "NOT_FOUND", "{error}");
    let error = server
        .graphql_error(mutation, json!({ "p": "abc", "e": { "message": "x" } }))
        .await;
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{error}");

    // A token of another organization sees nothing of this one and cannot write to it.
    let other = larder::accounts::organizations::find_or_create(&server.db, Some("other-org"))
        .await
        .unwrap();
    let other_token = larder::accounts::tokens::create_token(&server.db, other.id, "other")
        .await
        .unwrap();
    let (_, body) = server
        .graphql_as(
            Some(&other_token),
            mutation,
            json!({ "p": project, "e": { "message": "x" } }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{body}"
    );
    let (_, body) = server
        .graphql_as(Some(&other_token), "{ projects { id } }", json!({}))
        .await;
    assert_eq!(body["data"]["projects"], json!([]));

    assert_eq!(server.count_rows("event").await, 0);
    assert_eq!(server.count_rows("issue").await, 0);
}

async fn other_organizations_objects_are_invisible(server: TestServer) {
    let (event_id, issue_id) = server.ingest(json!({ "message": "private" })).await;
    let other = larder::accounts::organizations::find_or_create(&server.db, Some("rival"))
        .await
        .unwrap();
    let token = larder::accounts::tokens::create_token(&server.db, other.id, "rival")
        .await
        .unwrap();
    for (query, id) in [
        (
            "query($id: ID!) { issue(id: $id) { id } }",
            issue_id.clone(),
        ),
        (
            "query($id: ID!) { event(id: $id) { id } }",
            event_id.clone(),
        ),
        (
            "query($id: ID!) { project(id: $id) { id } }",
            server.project_id.to_string(),
        ),
    ] {
        let (_, body) = server
            .graphql_as(Some(&token), query, json!({ "id": id }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        let value = body["data"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()
            .clone();
        assert!(value.is_null(), "{query} leaked {value}");
    }
    // Mutations on another organization's issue fail as if it did not exist.
    let (_, body) = server
        .graphql_as(
            Some(&token),
            "mutation($id: ID!) { updateIssue(id: $id, status: RESOLVED) { id } }",
            json!({ "id": issue_id }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
}

async fn issues_filter_sort_and_paginate(server: TestServer) {
    for (i, (level, env, release)) in [
        ("error", "prod", "1.0"),
        ("warning", "staging", "1.0"),
        ("error", "prod", "2.0"),
        ("fatal", "prod", "2.0"),
    ]
    .iter()
    .enumerate()
    {
        // Distinct users per issue: 1, 1, 3, 2 (not the order of the event counts).
        let users = [1, 1, 3, 2][i];
        for n in 0..=i {
            server
                .ingest(json!({
                    "message": format!("distinct failure number {}", ["alpha", "beta", "gamma", "delta"][i]),
                    "logentry": { "message": format!("failure {}", ["alpha", "beta", "gamma", "delta"][i]) },
                    "level": level, "environment": env, "release": release,
                    "user": { "id": format!("user-{}", n % users) },
                }))
                .await;
        }
    }
    let list = |filter: serde_json::Value, sort: &'static str| {
        let server = &server;
        async move {
            let data = server
                .graphql(
                    &format!(
                        "query($p: ID!, $f: IssueFilter) {{ project(id: $p) {{ issues(first: 10, filter: $f, sort: {sort}) {{ totalCount edges {{ node {{ title count }} }} }} }} }}"
                    ),
                    json!({ "p": server.project_id.to_string(), "f": filter }),
                )
                .await;
            data["project"]["issues"].clone()
        }
    };
    assert_eq!(list(json!({}), "LAST_SEEN").await["totalCount"], 4);
    assert_eq!(
        list(json!({ "level": ["ERROR"] }), "LAST_SEEN").await["totalCount"],
        2
    );
    assert_eq!(
        list(json!({ "environment": "prod" }), "LAST_SEEN").await["totalCount"],
        3
    );
    assert_eq!(
        list(json!({ "release": "2.0" }), "LAST_SEEN").await["totalCount"],
        2
    );
    assert_eq!(
        list(json!({ "query": "GAMMA" }), "LAST_SEEN").await["totalCount"],
        1
    );
    assert_eq!(
        list(json!({ "query": "%" }), "LAST_SEEN").await["totalCount"],
        0
    );
    let by_count = list(json!({}), "COUNT").await;
    let counts: Vec<i64> = by_count["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["count"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, vec![4, 3, 2, 1]);
    let by_users = server
        .graphql(
            "query($p: ID!) { project(id: $p) { issues(first: 10, sort: USERS) { edges { node { userCount count } } } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let users: Vec<(i64, i64)> = by_users["project"]["issues"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let node = &e["node"];
            (
                node["userCount"].as_i64().unwrap(),
                node["count"].as_i64().unwrap(),
            )
        })
        .collect();
    // Ties (one user each) by newest issue first.
    assert_eq!(users, vec![(3, 3), (2, 4), (1, 2), (1, 1)]);

    // Keyset pages of one cover every issue exactly once, in each sort order.
    for sort in ["COUNT", "USERS"] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data = server
                .graphql(
                    &format!("query($p: ID!, $a: String) {{ project(id: $p) {{ issues(first: 1, after: $a, sort: {sort}) {{ edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"),
                    json!({ "p": server.project_id.to_string(), "a": after }),
                )
                .await;
            let page = &data["project"]["issues"];
            seen.push(page["edges"][0]["node"]["id"].as_str().unwrap().to_string());
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_string);
        }
        assert_eq!(seen.len(), 4, "{sort}");
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 4, "{sort}");
    }

    let error = server
        .graphql_error(
            "query($p: ID!) { project(id: $p) { issues(first: 1000) { totalCount } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT");
}

async fn issue_status_updates_and_projects(server: TestServer) {
    let (_, issue_id) = server.ingest(json!({ "message": "to resolve" })).await;
    let data = server
        .graphql(
            "mutation($id: ID!) { updateIssue(id: $id, status: RESOLVED) { id status } }",
            json!({ "id": issue_id }),
        )
        .await;
    assert_eq!(data["updateIssue"]["status"], "RESOLVED");
    assert_eq!(server.count_rows("issue_activity").await, 1);

    let data = server
        .graphql("mutation { createProject(name: \"Billing Worker\") { id slug keys { dsn isActive } } }", json!({}))
        .await;
    let project = &data["createProject"];
    assert_eq!(project["slug"], "billing-worker");
    assert!(
        project["keys"][0]["dsn"]
            .as_str()
            .unwrap()
            .starts_with("http://")
    );
    let data = server.graphql("{ projects { name } }", json!({})).await;
    assert_eq!(data["projects"].as_array().unwrap().len(), 2);

    // A second DSN key works at once; its own rate limit reads back, and revoking it stops it.
    let data = server
        .graphql(
            "mutation($p: ID!) { createProjectKey(projectId: $p, label: \"Mobile app\") { id publicKey label isActive rateLimitPerMinute } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    let key = &data["createProjectKey"];
    assert_eq!(
        (key["label"].clone(), key["isActive"].clone()),
        (json!("Mobile app"), json!(true))
    );
    assert_eq!(key["rateLimitPerMinute"], Value::Null);
    let public_key = key["publicKey"].as_str().unwrap().to_string();
    let send = || {
        server
            .http
            .post(format!("{}/api/{}/store/", server.url, server.project_id))
            .header(
                "x-sentry-auth",
                format!("Sentry sentry_key={public_key}, sentry_version=7"),
            )
            .json(&json!({ "message": "from the mobile app" }))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    server
        .graphql(
            "mutation($k: ID!) { updateProjectKey(id: $k, isActive: false, rateLimitPerMinute: 60) }",
            json!({ "k": key["id"] }),
        )
        .await;
    let data = server
        .graphql(
            "query($p: ID!) { project(id: $p) { keys { label isActive rateLimitPerMinute } } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(
        data["project"]["keys"][1],
        json!({ "label": "Mobile app", "isActive": false, "rateLimitPerMinute": 60 })
    );
    server
        .eventually("the revoked key refused", || async {
            (send().await.unwrap().status() == 403).then_some(())
        })
        .await;
    let empty = server
        .graphql_error(
            "mutation($p: ID!) { createProjectKey(projectId: $p, label: \" \") { id } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await;
    assert_eq!(empty["message"], "label must be 1 to 64 characters");
}

async fn deep_queries_are_refused(server: TestServer) {
    let deep = format!(
        "{{ projects {{ {} id {} }} }}",
        "issues { edges { node { project { ".repeat(4),
        "} } } } ".repeat(4)
    );
    let (_, body) = server
        .graphql_as(Some(&server.token), &deep, json!({}))
        .await;
    let message = body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        message.contains("nested too deep") || message.contains("too complex"),
        "{body}"
    );

    // Aliases repeat a field cheaply at the same depth: more than 100 are refused by name.
    let aliased: String = (0..101)
        .map(|n| format!("a{n}: projects {{ id }} "))
        .collect();
    let (_, body) = server
        .graphql_as(Some(&server.token), &format!("{{ {aliased} }}"), json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["message"], "the query has 101 aliases; at most 100 are allowed",
        "{body}"
    );
    let allowed: String = (0..100)
        .map(|n| format!("a{n}: projects {{ id }} "))
        .collect();
    let data = server.graphql(&format!("{{ {allowed} }}"), json!({})).await;
    assert_eq!(data["a99"][0]["id"], data["a0"][0]["id"]);
    // Fields, fragments included: over 1000 are refused.
    let fields: String = (0..1001).map(|_| "__typename ").collect();
    let (_, body) = server
        .graphql_as(
            Some(&server.token),
            &format!("{{ ...F }} fragment F on QueryRoot {{ {fields} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["message"], "the query has 1001 fields; at most 1000 are allowed",
        "{body}"
    );
}

on_both_databases!(
    ingested_exception_is_an_issue_with_its_stack_trace,
    bad_input_is_refused_and_writes_nothing,
    other_organizations_objects_are_invisible,
    issues_filter_sort_and_paginate,
    issue_status_updates_and_projects,
    deep_queries_are_refused,
);

#[tokio::test]
async fn health_and_readiness() {
    let server = TestServer::start(common::Backend::Sqlite).await;
    for path in ["/health", "/ready"] {
        let response = server
            .http
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}

/// Introspection answers by default (GraphiQL needs it) and not when the server is told so;
/// ordinary queries work either way.
#[tokio::test]
async fn introspection_can_be_turned_off() {
    let introspect = "{ __schema { queryType { name } } }";
    let open = TestServer::start(common::Backend::Sqlite).await;
    let data = open.graphql(introspect, json!({})).await;
    assert_eq!(data["__schema"]["queryType"]["name"], "QueryRoot");

    let closed = TestServer::start_with(common::Backend::Sqlite, |config| {
        config.graphql_introspection = false
    })
    .await;
    let error = closed.graphql_error(introspect, json!({})).await;
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("introspection is turned off"),
        "{error}"
    );
    let data = closed.graphql("{ projects { id } }", json!({})).await;
    assert!(data["projects"].is_array());
}

#[test]
fn committed_schema_matches_the_live_schema() {
    let committed =
        std::fs::read_to_string(common::fixtures::checkout().join("schema.graphql")).unwrap();
    assert!(
        committed == larder::graphql::sdl(),
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}
