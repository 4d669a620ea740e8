//! Every root field of `schema.graphql` against every kind of caller: no credentials, a
//! malformed header, an expired token, a revoked token, another organization's token, a member
//! whose teams cannot see the project, a token lacking the field's scope — and the allowed
//! caller. The table must name every root field: a new field without a row fails the test.
mod common;

use std::collections::BTreeSet;

use common::TestServer;
use entity::states::Role;
use larder::accounts::scopes::{ALL_SCOPES, Scope, Scopes};
use larder::accounts::{organizations, tokens, users};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Who may call a field.
#[derive(Clone, Copy, Debug)]
enum Need {
    /// Anyone: sign-in and the one-time links.
    Public,
    /// A signed-in user (sessions and personal things).
    User,
    /// A credential holding this scope (Sentry's name).
    Scope(&'static str),
}

/// What the field reaches: the organization as a whole, or one project (then another
/// organization's caller, and a member whose teams cannot see the project, must get exactly the
/// answer an id that does not exist gets).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reach {
    Organization,
    Project,
}

struct Row {
    field: &'static str,
    document: &'static str,
    need: Need,
    reach: Reach,
}

const fn row(field: &'static str, document: &'static str, need: Need, reach: Reach) -> Row {
    Row {
        field,
        document,
        need,
        reach,
    }
}

use Need::{Public, Scope as S, User};
use Reach::{Organization as Org, Project as Proj};

const ROWS: &[Row] = &[
    row("viewer", "{ viewer { organizations { slug } } }", User, Org),
    row(
        "organization",
        "{ organization { slug } }",
        S("org:read"),
        Org,
    ),
    row("projects", "{ projects { name } }", S("project:read"), Org),
    row(
        "integrations",
        "{ integrations { name } }",
        S("org:read"),
        Org,
    ),
    row("members", "{ members { email } }", S("member:read"), Org),
    row(
        "project",
        "query($project: ID!) { project(id: $project) { name } }",
        S("project:read"),
        Proj,
    ),
    row(
        "previewRegroup",
        "query($project: ID!) { previewRegroup(projectId: $project) { eventsScanned merges { issues { title } } } }",
        S("event:read"),
        Proj,
    ),
    row(
        "searchKeys",
        "query($project: ID!) { searchKeys(projectId: $project) { key } }",
        S("event:read"),
        Proj,
    ),
    row(
        "issue",
        "query($issue: ID!) { issue(id: $issue) { title } }",
        S("event:read"),
        Proj,
    ),
    row(
        "event",
        "query($event: ID!) { event(id: $event) { eventId } }",
        S("event:read"),
        Proj,
    ),
    row(
        "signIn",
        "mutation($email: String!) { signIn(email: $email, password: \"correct horse battery\") { token } }",
        Public,
        Org,
    ),
    row(
        "completeSetup",
        "mutation { completeSetup(token: \"ldl_unknown\", email: \"a@b.io\", password: \"0123456789\") { token } }",
        Public,
        Org,
    ),
    row(
        "acceptInvitation",
        "mutation { acceptInvitation(token: \"ldl_unknown\", password: \"0123456789\") { token } }",
        Public,
        Org,
    ),
    row(
        "requestPasswordReset",
        "mutation { requestPasswordReset(email: \"nobody@example.com\") }",
        Public,
        Org,
    ),
    row(
        "resetPassword",
        "mutation { resetPassword(token: \"ldl_unknown\", password: \"0123456789\") }",
        Public,
        Org,
    ),
    row(
        "createOrganization",
        "mutation { createOrganization(slug: \"matrix-new\") { slug } }",
        User,
        Org,
    ),
    row(
        "inviteMember",
        "mutation { inviteMember(email: \"invitee@example.com\", role: MEMBER) { email } }",
        S("member:write"),
        Org,
    ),
    row(
        "updateMemberRole",
        "mutation($member: ID!) { updateMemberRole(id: $member, role: ADMIN) { role } }",
        S("member:write"),
        Org,
    ),
    row(
        "removeMember",
        "mutation($memberGone: ID!) { removeMember(id: $memberGone) }",
        S("member:write"),
        Org,
    ),
    row(
        "createTeam",
        "mutation { createTeam(slug: \"matrix-team\") { slug } }",
        S("org:write"),
        Org,
    ),
    row(
        "deleteTeam",
        "mutation($teamGone: ID!) { deleteTeam(id: $teamGone) }",
        S("org:write"),
        Org,
    ),
    row(
        "setTeamMembership",
        "mutation($team: ID!, $member: ID!) { setTeamMembership(teamId: $team, memberId: $member, member: true) { slug } }",
        S("org:write"),
        Org,
    ),
    row(
        "setProjectTeams",
        "mutation($project: ID!, $team: ID!) { setProjectTeams(projectId: $project, teams: [$team]) { slug } }",
        S("project:admin"),
        Proj,
    ),
    row(
        "createApiToken",
        "mutation { createApiToken(name: \"matrix\", scopes: [\"event:read\"]) { token } }",
        User,
        Org,
    ),
    row(
        "revokeApiToken",
        "mutation($tokenGone: ID!) { revokeApiToken(id: $tokenGone) }",
        S("org:write"),
        Org,
    ),
    row(
        "createProject",
        "mutation { createProject(name: \"Matrix\") { name } }",
        S("project:write"),
        Org,
    ),
    row(
        "updateProjectSettings",
        "mutation($project: ID!) { updateProjectSettings(projectId: $project, settings: { name: \"Shop\" }) { name } }",
        S("project:write"),
        Proj,
    ),
    row(
        "createProjectKey",
        "mutation($project: ID!) { createProjectKey(projectId: $project, label: \"CI\") { label rateLimitPerMinute } }",
        S("project:write"),
        Proj,
    ),
    row(
        "updateProjectKey",
        "mutation($key: ID!) { updateProjectKey(id: $key, rateLimitPerMinute: 600) }",
        S("project:write"),
        Proj,
    ),
    row(
        "regroupProject",
        "mutation($project: ID!) { regroupProject(projectId: $project) { state } }",
        S("project:write"),
        Proj,
    ),
    row(
        "deleteArtifactBundle",
        "mutation($project: ID!, $bundleGone: ID!) { deleteArtifactBundle(projectId: $project, id: $bundleGone) }",
        S("project:releases"),
        Proj,
    ),
    row(
        "updateIssue",
        "mutation($issue: ID!) { updateIssue(id: $issue, status: UNRESOLVED) { status } }",
        S("event:write"),
        Proj,
    ),
    row(
        "resolveIssue",
        "mutation($issue: ID!) { resolveIssue(id: $issue) { status } }",
        S("event:write"),
        Proj,
    ),
    row(
        "ignoreIssue",
        "mutation($issue: ID!) { ignoreIssue(id: $issue) { status } }",
        S("event:write"),
        Proj,
    ),
    row(
        "assignIssue",
        "mutation($issue: ID!, $member: ID!) { assignIssue(id: $issue, memberId: $member) { status } }",
        S("event:write"),
        Proj,
    ),
    row(
        "addComment",
        "mutation($issue: ID!) { addComment(issueId: $issue, text: \"seen\") { status } }",
        S("event:write"),
        Proj,
    ),
    row(
        "bulkUpdateIssues",
        "mutation($project: ID!) { bulkUpdateIssues(projectId: $project, filter: {}, status: UNRESOLVED) }",
        S("event:write"),
        Proj,
    ),
    row(
        "createMember",
        "mutation { createMember(email: \"contact@example.com\") { email } }",
        S("member:write"),
        Org,
    ),
    row(
        "mergeIssues",
        "mutation($issue: ID!, $issueMerged: ID!) { mergeIssues(into: $issue, from: [$issueMerged]) { status } }",
        S("event:write"),
        Proj,
    ),
    row(
        "unmergeHash",
        "mutation($issueSplit: ID!, $hashSplit: String!) { unmergeHash(issueId: $issueSplit, hash: $hashSplit) { status } }",
        S("event:write"),
        Proj,
    ),
    row(
        "updateGroupingSettings",
        "mutation($project: ID!) { updateGroupingSettings(projectId: $project, settings: { similarityEnabled: true }) { name } }",
        S("project:write"),
        Proj,
    ),
    row(
        "ingestEvent",
        "mutation($project: ID!) { ingestEvent(projectId: $project, event: { message: \"matrix\" }) { eventId } }",
        S("event:write"),
        Proj,
    ),
    row(
        "createIntegration",
        "mutation { createIntegration(name: \"hook\", config: { type: \"webhook\", url: \"http://127.0.0.1:9/hook\", secret: \"matrix-secret-0123456789\" }) { name } }",
        S("org:write"),
        Org,
    ),
    row(
        "updateIntegration",
        "mutation($integration: ID!) { updateIntegration(id: $integration, enabled: true) { name } }",
        S("org:write"),
        Org,
    ),
    row(
        "deleteIntegration",
        "mutation($integrationGone: ID!) { deleteIntegration(id: $integrationGone) }",
        S("org:write"),
        Org,
    ),
    row(
        "testIntegration",
        "mutation($integration: ID!) { testIntegration(id: $integration) { ok } }",
        S("org:write"),
        Org,
    ),
    row(
        "createAlertRule",
        "mutation($project: ID!) { createAlertRule(projectId: $project, input: { name: \"r\", triggers: [{ kind: NEW_ISSUE }], actions: [] }) { name } }",
        S("alerts:write"),
        Proj,
    ),
    row(
        "updateAlertRule",
        "mutation($rule: ID!) { updateAlertRule(id: $rule, input: { name: \"r2\", triggers: [{ kind: NEW_ISSUE }], actions: [] }) { name } }",
        S("alerts:write"),
        Proj,
    ),
    row(
        "deleteAlertRule",
        "mutation($ruleGone: ID!) { deleteAlertRule(id: $ruleGone) }",
        S("alerts:write"),
        Proj,
    ),
    row(
        "createExternalIssue",
        "mutation($issue: ID!, $github: ID!) { createExternalIssue(issueId: $issue, integrationId: $github) { kind } }",
        S("event:write"),
        Proj,
    ),
    // Last: it ends the owner's session the other rows use.
    row("signOut", "mutation { signOut }", User, Org),
    row(
        "issueChanged",
        "subscription($project: ID!) { issueChanged(projectId: $project) { kind } }",
        S("event:read"),
        Proj,
    ),
];

/// The root fields the committed SDL declares.
fn schema_root_fields() -> BTreeSet<String> {
    let sdl = include_str!("../schema.graphql");
    let mut fields = BTreeSet::new();
    for root in ["QueryRoot", "MutationRoot", "SubscriptionRoot"] {
        let start = sdl
            .find(&format!("type {root} {{"))
            .expect("root type in SDL");
        let body = &sdl[start..start + sdl[start..].find("\n}").unwrap()];
        let mut in_doc = false;
        for line in body.lines().skip(1) {
            let line = line.trim();
            if line.starts_with("\"\"\"") {
                in_doc = !(in_doc || line.len() > 3 && line.ends_with("\"\"\""));
                continue;
            }
            if in_doc || line.is_empty() {
                continue;
            }
            let name: String = line.chars().take_while(|c| c.is_alphanumeric()).collect();
            fields.insert(name);
        }
    }
    fields
}

#[test]
fn every_root_field_has_a_row() {
    let table: BTreeSet<String> = ROWS.iter().map(|r| r.field.to_string()).collect();
    assert_eq!(table.len(), ROWS.len(), "a field has two rows");
    let schema = schema_root_fields();
    let missing: Vec<_> = schema.difference(&table).collect();
    let stale: Vec<_> = table.difference(&schema).collect();
    assert!(
        missing.is_empty(),
        "root fields without an access row: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for fields the schema no longer has: {stale:?}"
    );
}

/// The callers of the matrix, made once per server.
struct Callers {
    expired: String,
    revoked: String,
    other_organization: String,
    member_without_team: String,
    owner_session: String,
    /// Everything but one scope, per scope.
    lacking: Vec<(Scope, String)>,
    /// Exactly one scope, per scope.
    only: Vec<(Scope, String)>,
}

async fn org_token(server: &TestServer, organization_id: i64, scopes: Scopes) -> String {
    let new = tokens::NewToken {
        organization_id,
        name: "matrix",
        user_id: None,
        scopes,
        expires_at: None,
    };
    tokens::create(&server.db, new).await.unwrap().1
}

async fn session_of(server: &TestServer, email: &str, role: Role) -> String {
    let user = users::create_user(&server.db, email, None, "correct horse battery")
        .await
        .unwrap();
    users::add_member(&server.db, server.organization_id, &user, role)
        .await
        .unwrap();
    let (_, body) = server
        .graphql_as(
            None,
            "mutation($e: String!) { signIn(email: $e, password: \"correct horse battery\") { token } }",
            json!({ "e": email }),
        )
        .await;
    body["data"]["signIn"]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn callers(server: &TestServer) -> Callers {
    let db = &server.db;
    let expiring = tokens::NewToken {
        organization_id: server.organization_id,
        name: "expiring",
        user_id: None,
        scopes: Scopes::all(),
        expires_at: Some(chrono::Utc::now() + chrono::TimeDelta::milliseconds(300)),
    };
    let expired = tokens::create(db, expiring).await.unwrap().1;
    let revoked = org_token(server, server.organization_id, Scopes::all()).await;
    let row = tokens::find_live(db, &revoked).await.unwrap().unwrap();
    tokens::revoke(db, row).await.unwrap();
    let other = organizations::find_or_create(db, Some("other-org"))
        .await
        .unwrap();
    larder::accounts::projects::create_project(db, other.id, "Elsewhere")
        .await
        .unwrap();
    let other_organization = org_token(server, other.id, Scopes::all()).await;
    let mut lacking = Vec::new();
    let mut only = Vec::new();
    for scope in ALL_SCOPES {
        let rest: Vec<Scope> = ALL_SCOPES.into_iter().filter(|s| *s != scope).collect();
        lacking.push((
            scope,
            org_token(server, server.organization_id, Scopes::of(&rest)).await,
        ));
        only.push((
            scope,
            org_token(server, server.organization_id, Scopes::of(&[scope])).await,
        ));
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    Callers {
        expired,
        revoked,
        other_organization,
        member_without_team: session_of(server, "outsider@example.com", Role::Member).await,
        owner_session: session_of(server, "owner@example.com", Role::Owner).await,
        lacking,
        only,
    }
}

/// The objects the documents name, in the test server's organization; the project is given to
/// a team the member-without-team is not in.
async fn fixtures(server: &TestServer) -> Value {
    let id = |v: &Value| v.as_str().unwrap().to_string();
    let (event, issue) = server.ingest(json!({ "message": "matrix one" })).await;
    let (_, issue_merged) = server.ingest(json!({ "message": "matrix two" })).await;
    let (_, issue_split) = server.ingest(json!({ "message": "matrix three" })).await;
    let (_, issue_gone) = server.ingest(json!({ "message": "matrix four" })).await;
    let hash_split = server
        .graphql(
            "query($i: ID!) { issue(id: $i) { hashes { hash } } }",
            json!({ "i": issue_gone }),
        )
        .await["issue"]["hashes"][0]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    server
        .graphql(
            "mutation($a: ID!, $b: ID!) { mergeIssues(into: $a, from: [$b]) { id } }",
            json!({ "a": issue_split, "b": issue_gone }),
        )
        .await;
    let data = server
        .graphql(
            "mutation { a: createTeam(slug: \"restricted\") { id } b: createTeam(slug: \"doomed\") { id }
               m: createMember(email: \"contact-a@example.com\") { id } g: createMember(email: \"contact-b@example.com\") { id }
               i: createIntegration(name: \"hook\", config: { type: \"webhook\", url: \"http://127.0.0.1:9/a\", secret: \"matrix-secret-0123456789\" }) { id }
               j: createIntegration(name: \"gone\", config: { type: \"webhook\", url: \"http://127.0.0.1:9/b\", secret: \"matrix-secret-0123456789\" }) { id }
               h: createIntegration(name: \"gh\", config: { type: \"github\", token: \"ghp_x\", owner: \"acme\", repo: \"shop\", api_base_url: \"http://127.0.0.1:9\" }) { id } }",
            json!({}),
        )
        .await;
    let project = server.project_id.to_string();
    let rules = server
        .graphql(
            "mutation($p: ID!) { a: createAlertRule(projectId: $p, input: { name: \"a\", triggers: [{ kind: NEW_ISSUE }], actions: [] }) { id }
               b: createAlertRule(projectId: $p, input: { name: \"b\", triggers: [{ kind: NEW_ISSUE }], actions: [] }) { id } }",
            json!({ "p": project }),
        )
        .await;
    server
        .graphql(
            "mutation($p: ID!, $t: ID!) { setProjectTeams(projectId: $p, teams: [$t]) { slug } }",
            json!({ "p": project, "t": data["a"]["id"] }),
        )
        .await;
    let key = server
        .graphql(
            "query($p: ID!) { project(id: $p) { keys { id } } }",
            json!({ "p": project }),
        )
        .await["project"]["keys"][0]["id"]
        .clone();
    let token_gone = tokens::create(
        &server.db,
        tokens::NewToken {
            organization_id: server.organization_id,
            name: "doomed",
            user_id: None,
            scopes: Scopes::all(),
            expires_at: None,
        },
    )
    .await
    .unwrap()
    .0
    .id;
    // An (empty) artifact bundle, as `sentry-cli sourcemaps upload` would leave one.
    let bundle = larder::sourcemaps::bundle::Bundle {
        bundle_id: "959ad50c-5e0a-5068-b6c3-be5190c04cbb".to_string(),
        release: None,
        dist: None,
        files: Vec::new(),
    };
    larder::sourcemaps::store::save_bundle(
        &server.db,
        server.organization_id,
        &[server.project_id],
        &"0".repeat(40),
        0,
        &[],
        &bundle,
        Vec::new(),
    )
    .await
    .unwrap();
    let bundle_gone = server
        .graphql(
            "query($p: ID!) { project(id: $p) { artifactBundles { id } } }",
            json!({ "p": project }),
        )
        .await["project"]["artifactBundles"][0]["id"]
        .clone();
    json!({
        "bundleGone": bundle_gone,
        "project": project, "issue": issue, "issueMerged": issue_merged, "issueSplit": issue_split,
        "hashSplit": hash_split, "event": event, "key": key,
        "team": id(&data["a"]["id"]), "teamGone": id(&data["b"]["id"]),
        "member": id(&data["m"]["id"]), "memberGone": id(&data["g"]["id"]),
        "integration": id(&data["i"]["id"]), "integrationGone": id(&data["j"]["id"]), "github": id(&data["h"]["id"]),
        "rule": id(&rules["a"]["id"]), "ruleGone": id(&rules["b"]["id"]),
        "tokenGone": token_gone.to_string(), "email": "owner@example.com",
    })
}

/// The same variables with every id pointing at nothing.
fn missing(variables: &Value) -> Value {
    let mut gone = variables.clone();
    for (name, value) in gone.as_object_mut().unwrap() {
        *value = match name.as_str() {
            "event" => json!("0".repeat(32)),
            "hashSplit" => json!("f".repeat(32)),
            "email" => value.clone(),
            _ => json!("999999"),
        };
    }
    gone
}

/// What a caller got: the HTTP status and body, or for a subscription the first message.
async fn call(
    server: &TestServer,
    row: &Row,
    auth: Option<&str>,
    variables: &Value,
) -> (StatusCode, Value) {
    if row.document.starts_with("subscription") {
        return subscribe(server, row.document, auth, variables).await;
    }
    let mut request = server
        .http
        .post(format!("{}/graphql", server.url))
        .json(&json!({ "query": row.document, "variables": variables }));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// Subscribes over `/graphql/ws`; 401 when the connection is refused, else the first message
/// within half a second (`{}` when nothing came: the subscription is open).
async fn subscribe(
    server: &TestServer,
    document: &str,
    auth: Option<&str>,
    variables: &Value,
) -> (StatusCode, Value) {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
    let mut request = format!("{}/graphql/ws", server.url.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let payload = match auth {
        Some(auth) => json!({ "Authorization": auth }),
        None => json!({}),
    };
    let send = |value: Value| Message::Text(value.to_string().into());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": payload }),
        ))
        .await
        .unwrap();
    let text = |message: Option<Result<Message, _>>| match message {
        Some(Ok(Message::Text(text))) => Some(serde_json::from_str::<Value>(&text).unwrap()),
        _ => None,
    };
    match text(socket.next().await) {
        Some(ack) if ack["type"] == "connection_ack" => {}
        _ => return (StatusCode::UNAUTHORIZED, json!({})),
    }
    socket
        .send(send(json!({ "id": "1", "type": "subscribe", "payload": { "query": document, "variables": variables } })))
        .await
        .unwrap();
    match tokio::time::timeout(std::time::Duration::from_millis(500), socket.next()).await {
        Ok(message) => {
            let message = text(message).unwrap_or_default();
            match message["type"].as_str() {
                // A subscription that failed in its resolver: one `next` with the errors.
                Some("next") => (StatusCode::OK, message["payload"].clone()),
                // One refused before it started (validation): `error` with the list.
                _ => (
                    StatusCode::OK,
                    json!({ "errors": message["payload"], "data": null }),
                ),
            }
        }
        Err(_) => (StatusCode::OK, json!({})),
    }
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// The answer with what differs between calls (ids, times) left out: errors' messages and
/// codes, and whether data came.
fn shape(body: &Value) -> Value {
    let errors: Vec<Value> = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| json!([e["message"], e["extensions"]["code"]]))
                .collect()
        })
        .unwrap_or_default();
    json!({ "errors": errors, "data": body["data"] })
}

async fn access_matrix(server: TestServer) {
    let callers = callers(&server).await;
    let variables = fixtures(&server).await;
    let nothing = missing(&variables);
    let bearer = |token: &str| format!("Bearer {token}");
    for row in ROWS {
        let at = |case: &str| format!("{} as {case}", row.field);
        if let Need::Public = row.need {
            let (status, body) = call(&server, row, None, &variables).await;
            assert_eq!(status, StatusCode::OK, "{}: {body}", at("anonymous"));
            assert_ne!(
                code(&body),
                "UNAUTHENTICATED",
                "{}: {body}",
                at("anonymous")
            );
            assert_ne!(code(&body), "FORBIDDEN", "{}: {body}", at("anonymous"));
            continue;
        }
        // No credentials.
        let (status, body) = call(&server, row, None, &variables).await;
        let refused = status == StatusCode::UNAUTHORIZED || code(&body) == "UNAUTHENTICATED";
        assert!(refused, "{}: {status} {body}", at("anonymous"));
        // Malformed, expired, revoked.
        for (case, auth) in [
            ("malformed", "Token abc".to_string()),
            ("garbage", bearer("ldr_not_a_token")),
            ("expired", bearer(&callers.expired)),
            ("revoked", bearer(&callers.revoked)),
        ] {
            let (status, body) = call(&server, row, Some(&auth), &variables).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{}: {body}", at(case));
        }
        // Another organization: our objects are as good as missing, our names never show.
        let other = bearer(&callers.other_organization);
        let (_, body) = call(&server, row, Some(&other), &variables).await;
        if row.reach == Reach::Project {
            let (_, gone) = call(&server, row, Some(&other), &nothing).await;
            assert_eq!(shape(&body), shape(&gone), "{}", at("another organization"));
        }
        for ours in ["acme", "Shop", "matrix one", "contact-a@example.com"] {
            assert!(
                !body.to_string().contains(ours),
                "{} shows {ours}: {body}",
                at("another organization")
            );
        }
        // A member whose teams cannot see the project.
        if row.reach == Reach::Project {
            let outsider = bearer(&callers.member_without_team);
            let (_, body) = call(&server, row, Some(&outsider), &variables).await;
            let (_, gone) = call(&server, row, Some(&outsider), &nothing).await;
            assert_eq!(
                shape(&body),
                shape(&gone),
                "{}: {body}",
                at("member without team access")
            );
            assert!(
                !body.to_string().contains("matrix one"),
                "{}: {body}",
                at("member without team access")
            );
        }
        match row.need {
            Need::Scope(name) => {
                let scope = Scope::parse(name).unwrap();
                let lacking = &callers.lacking.iter().find(|(s, _)| *s == scope).unwrap().1;
                let (status, body) = call(&server, row, Some(&bearer(lacking)), &variables).await;
                assert_eq!(status, StatusCode::OK, "{}", at("token lacking the scope"));
                assert_eq!(
                    code(&body),
                    "FORBIDDEN",
                    "{}: {body}",
                    at("token lacking the scope")
                );
                let only = &callers.only.iter().find(|(s, _)| *s == scope).unwrap().1;
                let (status, body) = call(&server, row, Some(&bearer(only)), &variables).await;
                assert_eq!(status, StatusCode::OK, "{}", at("allowed"));
                assert!(
                    body["errors"].is_null(),
                    "{}: {body}",
                    at(&format!("a token with only {name}"))
                );
            }
            Need::User => {
                let (_, body) = call(
                    &server,
                    row,
                    Some(&bearer(&callers.owner_session)),
                    &variables,
                )
                .await;
                assert!(
                    body["errors"].is_null(),
                    "{}: {body}",
                    at("signed-in owner")
                );
            }
            Need::Public => unreachable!(),
        }
    }
}

on_both_databases!(access_matrix);
