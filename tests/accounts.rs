//! People over real HTTP: users, sign-in with sessions and cookies, CSRF, throttling, roles,
//! teams, invitations and password resets over a real SMTP conversation, scoped tokens, and the
//! audit log — on SQLite and PostgreSQL.
mod common;

use common::TestServer;
use common::receivers::SmtpSink;
use entity::states::Role;
use larder::accounts::{links, users};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// A user with `role` in the test server's organization.
async fn user(server: &TestServer, email: &str, role: Role) -> i64 {
    let user = users::create_user(&server.db, email, None, PASSWORD)
        .await
        .unwrap();
    users::add_member(&server.db, server.organization_id, &user, role)
        .await
        .unwrap()
        .id
}

/// A GraphQL request with exactly these headers; returns (status, headers, body).
async fn post(
    server: &TestServer,
    headers: &[(&str, &str)],
    query: &str,
    variables: Value,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = server
        .http
        .post(format!("{}/graphql", server.url))
        .json(&json!({ "query": query, "variables": variables }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

const SIGN_IN: &str = "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token csrfToken expiresAt user { email } } }";

async fn sign_in(server: &TestServer, email: &str) -> (String, String, HeaderMap) {
    let (status, headers, body) =
        post(server, &[], SIGN_IN, json!({"e": email, "p": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let session = &body["data"]["signIn"];
    assert_eq!(session["user"]["email"], email);
    (
        session["token"].as_str().unwrap().to_string(),
        session["csrfToken"].as_str().unwrap().to_string(),
        headers,
    )
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn error_code(body: &Value) -> String {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

async fn sign_in_gives_a_session_that_works_until_sign_out(server: TestServer) {
    user(&server, "ada@example.com", Role::Admin).await;
    let (token, _, headers) = sign_in(&server, "ada@example.com").await;
    assert!(token.starts_with("lds_"));
    let cookie = headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with(&format!("larder_session={token};")),
        "{cookie}"
    );
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(
        !cookie.contains("Secure"),
        "http public URL: no Secure: {cookie}"
    );

    let auth = bearer(&token);
    let (status, _, body) = post(
        &server,
        &[("authorization", &auth)],
        "{ viewer { user { email } organizations { slug role } scopes } projects { name } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let viewer = &body["data"]["viewer"];
    assert_eq!(viewer["user"]["email"], "ada@example.com");
    assert_eq!(
        viewer["organizations"],
        json!([{"slug": "acme", "role": "ADMIN"}])
    );
    assert!(
        viewer["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("project:write"))
    );
    assert!(
        !viewer["scopes"]
            .as_array()
            .unwrap()
            .contains(&json!("org:admin"))
    );
    assert_eq!(body["data"]["projects"], json!([{"name": "Shop"}]));

    let (_, _, body) = post(
        &server,
        &[("authorization", &auth)],
        "mutation { signOut }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["signOut"], true, "{body}");
    let (status, _, _) = post(
        &server,
        &[("authorization", &auth)],
        "{ projects { name } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn wrong_email_and_wrong_password_answer_alike(server: TestServer) {
    user(&server, "ada@example.com", Role::Member).await;
    let (s1, _, wrong_password) = post(
        &server,
        &[],
        SIGN_IN,
        json!({"e": "ada@example.com", "p": "not the password"}),
    )
    .await;
    let (s2, _, unknown_email) = post(
        &server,
        &[],
        SIGN_IN,
        json!({"e": "nobody@example.com", "p": "not the password"}),
    )
    .await;
    assert_eq!(s1, s2);
    assert_eq!(wrong_password["errors"], unknown_email["errors"]);
    assert_eq!(error_code(&wrong_password), "UNAUTHENTICATED");
    assert!(wrong_password["data"].is_null());
}

async fn failed_sign_ins_are_throttled_with_retry_after(server: TestServer) {
    user(&server, "ada@example.com", Role::Member).await;
    for _ in 0..10 {
        let (status, _, body) = post(
            &server,
            &[],
            SIGN_IN,
            json!({"e": "ada@example.com", "p": "wrong password"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
    // Locked now: even the right password is refused until the window passes.
    let (status, headers, body) = post(
        &server,
        &[],
        SIGN_IN,
        json!({"e": "ada@example.com", "p": PASSWORD}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(error_code(&body), "RATE_LIMITED");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "{retry}");
    // Another account from the same address still signs in.
    user(&server, "bob@example.com", Role::Member).await;
    sign_in(&server, "bob@example.com").await;
}

async fn the_session_cookie_needs_our_origin_or_the_csrf_token(server: TestServer) {
    user(&server, "ada@example.com", Role::Member).await;
    let (token, csrf, _) = sign_in(&server, "ada@example.com").await;
    let cookie = format!("larder_session={token}");
    let query = "{ viewer { user { email } } }";
    let (status, _, body) = post(&server, &[("cookie", &cookie)], query, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no Origin, no token: {body}");
    assert_eq!(error_code(&body), "CSRF");
    let (status, _, _) = post(
        &server,
        &[("cookie", &cookie), ("origin", "https://evil.example")],
        query,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = post(
        &server,
        &[("cookie", &cookie), ("x-larder-csrf", "0000")],
        query,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a wrong CSRF token");
    let (status, _, body) = post(
        &server,
        &[("cookie", &cookie), ("origin", &server.url)],
        query,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["viewer"]["user"]["email"], "ada@example.com");
    let (status, _, body) = post(
        &server,
        &[("cookie", &cookie), ("x-larder-csrf", &csrf)],
        query,
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn no_credentials_reach_only_sign_in(server: TestServer) {
    let (status, _, body) = post(&server, &[], "{ projects { name } }", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&body), "UNAUTHENTICATED", "{body}");
    assert!(body["data"].is_null(), "{body}");
    let (_, _, body) = post(
        &server,
        &[],
        "{ __schema { queryType { name } } }",
        json!({}),
    )
    .await;
    assert!(
        body["errors"].is_array(),
        "introspection is not for strangers: {body}"
    );
    let (status, _, body) = post(
        &server,
        &[("authorization", "Basic abc")],
        "{ projects { name } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

async fn removing_a_member_ends_their_session_at_once(server: TestServer) {
    let member_id = user(&server, "bob@example.com", Role::Member).await;
    let (token, _, _) = sign_in(&server, "bob@example.com").await;
    let auth = bearer(&token);
    let (status, _, _) = post(
        &server,
        &[("authorization", &auth)],
        "{ projects { name } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    server
        .graphql(
            "mutation($id: ID!) { removeMember(id: $id) }",
            json!({"id": member_id.to_string()}),
        )
        .await;
    let (status, _, body) = post(
        &server,
        &[("authorization", &auth)],
        "{ projects { name } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

async fn members_see_only_the_projects_of_their_teams(server: TestServer) {
    let member_id = user(&server, "bob@example.com", Role::Member).await;
    let (_, issue_id) = server
        .ingest(json!({"message": "boom", "level": "error"}))
        .await;
    let (token, _, _) = sign_in(&server, "bob@example.com").await;
    let auth = bearer(&token);
    let look = "query($p: ID!, $i: ID!) { projects { name } project(id: $p) { name } issue(id: $i) { title } }";
    let vars = json!({"p": server.project_id.to_string(), "i": issue_id});
    // A project given to no team: every member sees it.
    let (_, _, body) = post(&server, &[("authorization", &auth)], look, vars.clone()).await;
    assert_eq!(body["data"]["project"]["name"], "Shop", "{body}");

    let team = server
        .graphql(
            "mutation { createTeam(slug: \"backend\") { id } }",
            json!({}),
        )
        .await;
    let team_id = team["createTeam"]["id"].as_str().unwrap().to_string();
    server
        .graphql(
            "mutation($p: ID!, $t: ID!) { setProjectTeams(projectId: $p, teams: [$t]) { slug } }",
            json!({"p": server.project_id.to_string(), "t": team_id}),
        )
        .await;
    let given = server
        .graphql(
            "query($p: ID!) { project(id: $p) { teams { slug } } }",
            json!({"p": server.project_id.to_string()}),
        )
        .await;
    assert_eq!(given["project"]["teams"], json!([{ "slug": "backend" }]));
    let (_, _, body) = post(&server, &[("authorization", &auth)], look, vars.clone()).await;
    assert_eq!(
        body["data"],
        json!({"projects": [], "project": null, "issue": null}),
        "{body}"
    );
    // Resolving it answers exactly like an issue that does not exist.
    let resolve = "mutation($i: ID!) { resolveIssue(id: $i) { status } }";
    let (_, _, hidden) = post(
        &server,
        &[("authorization", &auth)],
        resolve,
        json!({"i": issue_id}),
    )
    .await;
    let (_, _, missing) = post(
        &server,
        &[("authorization", &auth)],
        resolve,
        json!({"i": "999999"}),
    )
    .await;
    assert_eq!(
        hidden["errors"][0]["message"],
        missing["errors"][0]["message"]
    );
    assert_eq!(error_code(&hidden), "NOT_FOUND");

    server
        .graphql(
            "mutation($t: ID!, $m: ID!) { setTeamMembership(teamId: $t, memberId: $m, member: true) { members { email } } }",
            json!({"t": team_id, "m": member_id.to_string()}),
        )
        .await;
    let (_, _, body) = post(&server, &[("authorization", &auth)], look, vars).await;
    assert_eq!(body["data"]["issue"]["title"], "boom", "{body}");
    let (_, _, body) = post(
        &server,
        &[("authorization", &auth)],
        resolve,
        json!({"i": issue_id}),
    )
    .await;
    assert_eq!(body["data"]["resolveIssue"]["status"], "RESOLVED", "{body}");
}

async fn roles_bound_what_members_change(server: TestServer) {
    user(&server, "bob@example.com", Role::Member).await;
    let owner_id = user(&server, "olga@example.com", Role::Owner).await;
    let admin_id = user(&server, "ada@example.com", Role::Admin).await;
    let (member_token, _, _) = sign_in(&server, "bob@example.com").await;
    let (admin_token, _, _) = sign_in(&server, "ada@example.com").await;
    let as_member = bearer(&member_token);
    let as_admin = bearer(&admin_token);
    let (_, _, body) = post(
        &server,
        &[("authorization", &as_member)],
        "mutation { createProject(name: \"x\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("project:write")
    );
    // An admin manages members but not owners.
    let demote = "mutation($id: ID!) { updateMemberRole(id: $id, role: MEMBER) { role } }";
    let (_, _, body) = post(
        &server,
        &[("authorization", &as_admin)],
        demote,
        json!({"id": owner_id.to_string()}),
    )
    .await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("only an owner")
    );
    let invite_owner =
        "mutation { inviteMember(email: \"eve@example.com\", role: OWNER) { email } }";
    let (_, _, body) = post(
        &server,
        &[("authorization", &as_admin)],
        invite_owner,
        json!({}),
    )
    .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("only an owner"),
        "{body}"
    );
    // The last owner cannot be demoted, even by the organization token.
    let (_, body) = server
        .graphql_as(
            Some(&server.token),
            demote,
            json!({"id": owner_id.to_string()}),
        )
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at least one owner"),
        "{body}"
    );
    let (_, _, body) = post(
        &server,
        &[("authorization", &as_admin)],
        "mutation($id: ID!) { updateMemberRole(id: $id, role: MEMBER) { role } }",
        json!({"id": admin_id.to_string()}),
    )
    .await;
    assert_eq!(body["data"]["updateMemberRole"]["role"], "MEMBER", "{body}");
}

async fn scoped_tokens_never_exceed_their_scopes_or_creator(server: TestServer) {
    user(&server, "bob@example.com", Role::Member).await;
    let (session, _, _) = sign_in(&server, "bob@example.com").await;
    let auth = bearer(&session);
    let create = "mutation($s: [String!]!, $e: DateTime) { createApiToken(name: \"ci\", scopes: $s, expiresAt: $e) { token apiToken { id prefix scopes personal } } }";
    let (_, _, body) = post(
        &server,
        &[("authorization", &auth)],
        create,
        json!({"s": ["project:write"]}),
    )
    .await;
    assert_eq!(
        error_code(&body),
        "FORBIDDEN",
        "a member's token cannot write projects: {body}"
    );
    let (_, _, body) = post(
        &server,
        &[("authorization", &auth)],
        create,
        json!({"s": ["event:read"]}),
    )
    .await;
    let created = &body["data"]["createApiToken"];
    let token = created["token"].as_str().unwrap().to_string();
    assert_eq!(created["apiToken"]["scopes"], json!(["event:read"]));
    assert_eq!(created["apiToken"]["personal"], true);
    assert!(token.starts_with(created["apiToken"]["prefix"].as_str().unwrap()));

    let (_, issue_id) = server.ingest(json!({"message": "boom"})).await;
    let read = "query($i: ID!) { issue(id: $i) { title } }";
    let (_, body) = server
        .graphql_as(Some(&token), read, json!({"i": issue_id}))
        .await;
    assert_eq!(body["data"]["issue"]["title"], "boom", "{body}");
    let (_, body) = server
        .graphql_as(
            Some(&token),
            "mutation($i: ID!) { resolveIssue(id: $i) { status } }",
            json!({"i": issue_id}),
        )
        .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("event:write")
    );

    // Listed without the secret; revoked, it stops at once.
    let (_, body) = server
        .graphql_as(
            Some(&server.token),
            "{ organization { apiTokens { id name prefix revokedAt } } }",
            json!({}),
        )
        .await;
    assert!(!body.to_string().contains(&token), "{body}");
    let id = created["apiToken"]["id"].as_str().unwrap();
    let (_, _, body) = post(
        &server,
        &[("authorization", &auth)],
        "mutation($id: ID!) { revokeApiToken(id: $id) }",
        json!({"id": id}),
    )
    .await;
    assert_eq!(body["data"]["revokeApiToken"], true, "{body}");
    let (status, _) = server
        .graphql_as(Some(&token), read, json!({"i": issue_id}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Expired: refused like revoked.
    let soon = (chrono::Utc::now() + chrono::TimeDelta::seconds(2)).to_rfc3339();
    let (_, _, body) = post(
        &server,
        &[("authorization", &auth)],
        create,
        json!({"s": ["event:read"], "e": soon}),
    )
    .await;
    let short_lived = body["data"]["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = server
        .graphql_as(Some(&short_lived), read, json!({"i": issue_id}))
        .await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let (status, _) = server
        .graphql_as(Some(&short_lived), read, json!({"i": issue_id}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The token in a link of a mail (quoted-printable soft breaks and `=3D` undone).
fn link_token(mail: &str) -> String {
    let unfolded = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = unfolded.find("token=ldl_").expect("a link in the mail") + "token=".len();
    unfolded[start..start + 4 + 48].to_string()
}

async fn invitations_arrive_by_smtp_and_make_members(sink: SmtpSink, server: TestServer) {
    let team = server
        .graphql("mutation { createTeam(slug: \"web\") { id } }", json!({}))
        .await;
    let team_id = team["createTeam"]["id"].as_str().unwrap().to_string();
    let data = server
        .graphql(
            "mutation($t: ID!) { inviteMember(email: \"New@Example.com\", role: MEMBER, teams: [$t]) { email role emailed link } }",
            json!({"t": team_id}),
        )
        .await;
    let invitation = &data["inviteMember"];
    assert_eq!(invitation["email"], "new@example.com");
    assert_eq!(invitation["emailed"], true, "{invitation}");
    assert!(
        invitation["link"].is_null(),
        "an e-mailed link is not shown"
    );
    let mail = server
        .eventually("the invitation mail", || async {
            sink.mails().into_iter().next()
        })
        .await;
    assert_eq!(mail.to, vec!["new@example.com"]);
    let token = link_token(&mail.data);

    let accept = "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p, name: \"Newt\") { token user { email name } } }";
    let (_, _, body) = post(&server, &[], accept, json!({"t": token, "p": "short"})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("10 characters"),
        "{body}"
    );
    let (status, _, body) = post(&server, &[], accept, json!({"t": token, "p": PASSWORD})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["acceptInvitation"]["user"]["name"], "Newt");
    let session = body["data"]["acceptInvitation"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, _, body) = post(&server, &[("authorization", &bearer(&session))], "{ viewer { organizations { slug role } } organization { teams { slug members { email } } } }", json!({})).await;
    assert_eq!(
        body["data"]["viewer"]["organizations"],
        json!([{"slug": "acme", "role": "MEMBER"}]),
        "{body}"
    );
    assert_eq!(
        body["data"]["organization"]["teams"],
        json!([{"slug": "web", "members": [{"email": "new@example.com"}]}])
    );
    // A link works once.
    let (_, _, body) = post(&server, &[], accept, json!({"t": token, "p": PASSWORD})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("invalid, used or expired"),
        "{body}"
    );

    // Password reset by e-mailed link: the old sessions end.
    let (_, _, body) = post(
        &server,
        &[],
        "mutation { requestPasswordReset(email: \"new@example.com\") }",
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["requestPasswordReset"], true);
    let (_, _, body) = post(
        &server,
        &[],
        "mutation { requestPasswordReset(email: \"nobody@example.com\") }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["requestPasswordReset"], true,
        "unknown addresses answer alike"
    );
    let reset_mail = server
        .eventually("the reset mail", || async {
            sink.mails().into_iter().nth(1)
        })
        .await;
    assert_eq!(reset_mail.to, vec!["new@example.com"]);
    let reset = "mutation($t: String!) { resetPassword(token: $t, password: \"a new password!\") }";
    let (_, _, body) = post(
        &server,
        &[],
        reset,
        json!({"t": link_token(&reset_mail.data)}),
    )
    .await;
    assert_eq!(body["data"]["resetPassword"], true, "{body}");
    let (status, _, _) = post(
        &server,
        &[("authorization", &bearer(&session))],
        "{ projects { name } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, _, body) = post(
        &server,
        &[],
        SIGN_IN,
        json!({"e": "new@example.com", "p": "a new password!"}),
    )
    .await;
    assert!(body["data"]["signIn"]["token"].is_string(), "{body}");
    assert_eq!(sink.mails().len(), 2, "no mail for an unknown address");
}

async fn invitations_without_mail_settings_return_the_link(server: TestServer) {
    let data = server
        .graphql(
            "mutation { inviteMember(email: \"x@example.com\", role: ADMIN) { emailed link } }",
            json!({}),
        )
        .await;
    assert_eq!(data["inviteMember"]["emailed"], false);
    let link = data["inviteMember"]["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/invitation?token=ldl_", server.url)),
        "{link}"
    );
}

async fn the_setup_link_creates_the_first_owner_once(server: TestServer) {
    let link = links::setup_link(&server.db)
        .await
        .unwrap()
        .expect("no user yet");
    let setup = "mutation($t: String!) { completeSetup(token: $t, email: \"root@example.com\", password: \"correct horse battery\") { token user { email } } }";
    let (_, _, body) = post(&server, &[], setup, json!({"t": link.token})).await;
    let session = body["data"]["completeSetup"]["token"]
        .as_str()
        .expect("a session")
        .to_string();
    let (_, _, body) = post(
        &server,
        &[("authorization", &bearer(&session))],
        "{ viewer { organizations { slug role } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"]["organizations"],
        json!([{"slug": "acme", "role": "OWNER"}])
    );
    let (_, _, body) = post(&server, &[], setup, json!({"t": link.token})).await;
    assert!(body["errors"].is_array(), "{body}");
    assert!(
        links::setup_link(&server.db).await.unwrap().is_none(),
        "no setup link once a user exists"
    );
}

async fn the_link_pages_work_without_script(server: TestServer) {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let link = links::setup_link(&server.db)
        .await
        .unwrap()
        .expect("no user yet");
    let page = browser
        .get(format!("{}/setup?token={}", server.url, link.token))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("/app.css\">"),
        "the interface's stylesheet: {html}"
    );
    assert!(
        html.contains("<form method=\"post\" action=\"/setup\">"),
        "{html}"
    );
    assert!(html.contains(&format!("value=\"{}\"", link.token)));
    assert!(!html.contains("<script"), "no script on the page");
    let escaped = browser
        .get(format!("{}/setup?token=%22%3E%3Cscript%3E", server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !escaped.contains("\"><script>"),
        "the token is escaped: {escaped}"
    );

    let submit = |fields: Vec<(&'static str, String)>| {
        browser
            .post(format!("{}/setup", server.url))
            .form(&fields)
            .send()
    };
    let short = submit(vec![
        ("token", link.token.clone()),
        ("email", "root@example.com".into()),
        ("password", "short".into()),
    ])
    .await
    .unwrap();
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert!(
        short
            .text()
            .await
            .unwrap()
            .contains("at least 10 characters")
    );
    let done = submit(vec![
        ("token", link.token.clone()),
        ("email", "root@example.com".into()),
        ("name", "Root".into()),
        ("password", PASSWORD.into()),
    ])
    .await
    .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers()["location"], "/");
    let cookie = done.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();
    let (_, _, body) = post(
        &server,
        &[("cookie", &session), ("origin", &server.url)],
        "{ viewer { user { name } organizations { role } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"],
        json!({"user": {"name": "Root"}, "organizations": [{"role": "OWNER"}]}),
        "{body}"
    );

    // An invitation link, accepted through its page.
    let invited = server
        .graphql(
            "mutation { inviteMember(email: \"pat@example.com\", role: MEMBER) { link } }",
            json!({}),
        )
        .await;
    let url = invited["inviteMember"]["link"].as_str().unwrap();
    let token = url.split("token=").nth(1).unwrap();
    assert_eq!(
        browser.get(url).send().await.unwrap().status(),
        StatusCode::OK
    );
    let accepted = browser
        .post(format!("{}/invitation", server.url))
        .form(&[("token", token), ("name", "Pat"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    sign_in(&server, "pat@example.com").await;
}

async fn the_audit_log_records_who_did_what_for_admins_only(server: TestServer) {
    user(&server, "ada@example.com", Role::Admin).await;
    user(&server, "bob@example.com", Role::Member).await;
    let (admin, _, _) = sign_in(&server, "ada@example.com").await;
    let (member, _, _) = sign_in(&server, "bob@example.com").await;
    post(
        &server,
        &[],
        SIGN_IN,
        json!({"e": "bob@example.com", "p": "wrong password"}),
    )
    .await;
    post(
        &server,
        &[("authorization", &bearer(&admin))],
        "mutation { createTeam(slug: \"ops\") { id } }",
        json!({}),
    )
    .await;
    let query = "{ organization { auditLog(first: 10) { actor action target clientAddress } } }";
    let (_, _, body) = post(
        &server,
        &[("authorization", &bearer(&admin))],
        query,
        json!({}),
    )
    .await;
    let entries = body["data"]["organization"]["auditLog"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(entries[0]["action"], "team.create", "{body}");
    assert_eq!(entries[0]["actor"], "ada@example.com");
    assert_eq!(entries[0]["clientAddress"], "127.0.0.1");
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"signin.failure") && actions.contains(&"signin.success"),
        "{actions:?}"
    );
    let (_, _, body) = post(
        &server,
        &[("authorization", &bearer(&member))],
        query,
        json!({}),
    )
    .await;
    assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
}

async fn a_user_belongs_to_several_organizations(server: TestServer) {
    user(&server, "ada@example.com", Role::Member).await;
    let (session, _, _) = sign_in(&server, "ada@example.com").await;
    let auth = bearer(&session);
    let (_, _, body) = post(
        &server,
        &[("authorization", &auth)],
        "mutation { createOrganization(slug: \"side-project\", name: \"Side\") { slug name } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["createOrganization"]["slug"], "side-project",
        "{body}"
    );
    let (_, _, body) = post(
        &server,
        &[("authorization", &auth)],
        "{ viewer { organizations { slug role } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["viewer"]["organizations"],
        json!([{"slug": "acme", "role": "MEMBER"}, {"slug": "side-project", "role": "OWNER"}])
    );
    let (_, _, body) = post(
        &server,
        &[
            ("authorization", &auth),
            ("x-larder-organization", "side-project"),
        ],
        "{ organization { slug } projects { name } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"],
        json!({"organization": {"slug": "side-project"}, "projects": []}),
        "{body}"
    );
    let (status, _, _) = post(
        &server,
        &[
            ("authorization", &auth),
            ("x-larder-organization", "not-mine"),
        ],
        "{ projects { name } }",
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both_databases!(
    sign_in_gives_a_session_that_works_until_sign_out,
    wrong_email_and_wrong_password_answer_alike,
    failed_sign_ins_are_throttled_with_retry_after,
    the_session_cookie_needs_our_origin_or_the_csrf_token,
    no_credentials_reach_only_sign_in,
    removing_a_member_ends_their_session_at_once,
    members_see_only_the_projects_of_their_teams,
    roles_bound_what_members_change,
    scoped_tokens_never_exceed_their_scopes_or_creator,
    invitations_without_mail_settings_return_the_link,
    the_setup_link_creates_the_first_owner_once,
    the_link_pages_work_without_script,
    the_audit_log_records_who_did_what_for_admins_only,
    a_user_belongs_to_several_organizations,
);

mod invitations_arrive_by_smtp_and_make_members {
    use super::*;

    async fn run(backend: common::Backend) {
        let sink = SmtpSink::start().await;
        let url = format!("smtp://{}?tls=none", sink.addr);
        let server =
            TestServer::start_with(backend, move |config| config.smtp_url = Some(url)).await;
        super::invitations_arrive_by_smtp_and_make_members(sink, server).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(common::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(backend) = common::Backend::postgres() {
            run(backend).await;
        }
    }
}
