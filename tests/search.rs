//! Issue search as a Sentry user types it, end to end: a project with issues of known levels,
//! environments, releases, exception chains, users, contexts, tags, ages, counts, statuses,
//! assignees and tickets, all sent through the ingest path; then every key and operator is asked
//! through `Project.issues(query:)` and the answer compared with what an oracle computes from
//! the facts that were sent. Wrong keys and malformed searches are errors naming the term.
mod common;

use chrono::{Duration, Utc};
use common::TestServer;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

/// What was sent for one issue.
struct Sent {
    name: &'static str,
    level: &'static str,
    environment: &'static str,
    release: Option<&'static str>,
    /// The exception chain, cause first: (type, value). Empty for a message.
    chain: &'static [(&'static str, &'static str)],
    handled: Option<bool>,
    user: Value,
    platform: &'static str,
    browser: Option<&'static str>,
    device: Option<&'static str>,
    customer: Option<&'static str>,
    logger: Option<&'static str>,
    /// Days before now of each event, oldest first.
    days_ago: &'static [i64],
}

impl Sent {
    fn has_user(&self) -> bool {
        self.user.as_object().is_some_and(|user| !user.is_empty())
    }

    fn user_field(&self, field: &str) -> Option<String> {
        self.user.get(field).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    fn types(&self) -> Vec<&str> {
        self.chain.iter().map(|(kind, _)| *kind).collect()
    }

    fn value(&self) -> Option<&str> {
        self.chain.last().map(|(_, value)| *value)
    }

    /// Events stored: one per day listed, and the regressed issue's event after it was resolved.
    fn times_seen(&self) -> usize {
        self.days_ago.len() + usize::from(self.name == STATES.regressed)
    }

    fn first_seen_days(&self) -> i64 {
        self.days_ago[0]
    }

    fn last_seen_days(&self) -> i64 {
        *self.days_ago.last().unwrap()
    }

    fn title(&self) -> String {
        match self.chain.last() {
            Some((kind, value)) => format!("{kind}: {value}"),
            None => self.name.to_string(),
        }
    }

    fn event(&self, days_ago: i64) -> Value {
        let mut event = json!({
            "level": self.level,
            "environment": self.environment,
            "platform": self.platform,
            "timestamp": (Utc::now() - Duration::days(days_ago)).timestamp(),
            "user": self.user,
            "contexts": {},
            "sdk": { "name": format!("sentry.{}", self.platform), "version": "1.0.0" },
        });
        if let Some(release) = self.release {
            event["release"] = json!(release);
        }
        if let Some(browser) = self.browser {
            event["contexts"]["browser"] = json!({ "name": browser, "version": "120" });
        }
        if let Some(device) = self.device {
            event["contexts"]["device"] = json!({ "family": device });
        }
        if let Some(customer) = self.customer {
            event["tags"] = json!({ "customer": customer });
        }
        if let Some(logger) = self.logger {
            event["logger"] = json!(logger);
        }
        if self.chain.is_empty() {
            event["message"] = json!(self.name);
        } else {
            let values: Vec<Value> = self
                .chain
                .iter()
                .map(|(kind, value)| {
                    let mut exception = json!({
                        "type": kind, "value": value,
                        "stacktrace": { "frames": [{ "function": self.name, "filename": "app.py", "lineno": 1, "in_app": true }] },
                    });
                    if let Some(handled) = self.handled {
                        exception["mechanism"] = json!({ "type": "generic", "handled": handled });
                    }
                    exception
                })
                .collect();
            event["exception"] = json!({ "values": values });
        }
        event
    }
}

fn corpus() -> Vec<Sent> {
    vec![
        Sent {
            name: "load_user",
            level: "error",
            environment: "prod",
            release: Some("shop@1.0"),
            chain: &[("KeyError", "'5'"), ("ValueError", "user 5 not found")],
            handled: Some(false),
            user: json!({ "id": "1", "email": "ann@example.com" }),
            platform: "python",
            browser: Some("Chrome"),
            device: None,
            customer: Some("acme"),
            logger: Some("app.cart"),
            days_ago: &[0],
        },
        Sent {
            name: "read_cache",
            level: "error",
            environment: "staging",
            release: Some("shop@1.2"),
            chain: &[("KeyError", "'cart'")],
            handled: Some(true),
            user: json!({ "email": "bob@example.com", "username": "bob" }),
            platform: "python",
            browser: None,
            device: None,
            customer: Some("acme"),
            logger: None,
            days_ago: &[3, 0],
        },
        Sent {
            name: "fetch_prices",
            level: "fatal",
            environment: "prod",
            release: Some("shop@2.0"),
            chain: &[("TimeoutError", "request timed out after 30s")],
            handled: Some(false),
            user: json!({}),
            platform: "node",
            browser: None,
            device: None,
            customer: None,
            logger: None,
            days_ago: &[10],
        },
        Sent {
            name: "Payment declined",
            level: "warning",
            environment: "dev",
            release: Some("shop@1.5"),
            chain: &[],
            handled: None,
            user: json!({ "ip_address": "10.0.0.1" }),
            platform: "python",
            browser: None,
            device: None,
            customer: Some("globex"),
            logger: Some("payments"),
            days_ago: &[2, 1, 0],
        },
        Sent {
            name: "cache warmed",
            level: "info",
            environment: "prod",
            release: None,
            chain: &[],
            handled: None,
            user: json!({ "id": 7 }),
            platform: "python",
            browser: None,
            device: None,
            customer: None,
            logger: None,
            days_ago: &[20],
        },
        Sent {
            name: "render_cart",
            level: "error",
            environment: "staging",
            release: Some("shop@2.0"),
            chain: &[("TypeError", "x is undefined")],
            handled: Some(true),
            user: json!({}),
            platform: "javascript",
            browser: Some("Firefox"),
            device: Some("iPhone"),
            customer: None,
            logger: None,
            days_ago: &[0],
        },
    ]
}

/// The issues' states after sending: which is resolved, ignored, assigned, linked, regressed.
struct States {
    resolved: &'static str,
    ignored: &'static str,
    assigned: &'static str,
    linked: &'static str,
    regressed: &'static str,
}

const STATES: States = States {
    resolved: "fetch_prices",
    ignored: "cache warmed",
    assigned: "load_user",
    linked: "render_cart",
    regressed: "Payment declined",
};

type Oracle = fn(&Sent) -> bool;

/// Each search and which sent issues it must find.
fn searches() -> Vec<(&'static str, Oracle)> {
    vec![
        ("", |_| true),
        ("level:error", |s| s.level == "error"),
        ("!level:info", |s| s.level != "info"),
        ("level:[fatal,warning]", |s| {
            ["fatal", "warning"].contains(&s.level)
        }),
        ("environment:prod", |s| s.environment == "prod"),
        ("environment:[prod,staging]", |s| {
            ["prod", "staging"].contains(&s.environment)
        }),
        ("!environment:prod", |s| s.environment != "prod"),
        ("release:shop@1.*", |s| {
            s.release.is_some_and(|r| r.starts_with("shop@1."))
        }),
        ("release:shop@2.0", |s| s.release == Some("shop@2.0")),
        // The release created last (as in Sentry: not the highest version).
        ("release:latest", |s| s.release == Some("shop@1.5")),
        ("firstRelease:shop@1.2", |s| s.release == Some("shop@1.2")),
        ("has:release", |s| s.release.is_some()),
        ("!has:release", |s| s.release.is_none()),
        ("error.type:KeyError", |s| s.types().contains(&"KeyError")),
        ("!error.type:KeyError", |s| !s.types().contains(&"KeyError")),
        ("error.type:[TimeoutError,TypeError]", |s| {
            s.types()
                .iter()
                .any(|t| ["TimeoutError", "TypeError"].contains(t))
        }),
        ("error.value:*timed*", |s| {
            s.value().is_some_and(|v| v.contains("timed"))
        }),
        ("error.unhandled:true", |s| s.handled == Some(false)),
        ("error.handled:true", |s| s.handled == Some(true)),
        ("error.mechanism:generic", |s| s.handled.is_some()),
        ("has:user", |s| s.has_user()),
        ("!has:user", |s| !s.has_user()),
        ("user.email:ann@example.com", |s| {
            s.user_field("email").as_deref() == Some("ann@example.com")
        }),
        ("user.email:*@example.com", |s| {
            s.user_field("email")
                .is_some_and(|e| e.ends_with("@example.com"))
        }),
        ("user.id:7", |s| s.user_field("id").as_deref() == Some("7")),
        ("user.username:bob", |s| {
            s.user_field("username").as_deref() == Some("bob")
        }),
        ("user.ip:10.0.0.1", |s| {
            s.user_field("ip_address").as_deref() == Some("10.0.0.1")
        }),
        ("platform:python", |s| s.platform == "python"),
        ("sdk.name:sentry.node", |s| s.platform == "node"),
        ("browser.name:Chrome", |s| s.browser == Some("Chrome")),
        ("browser:Firefox", |s| s.browser == Some("Firefox")),
        ("device.family:iPhone", |s| s.device == Some("iPhone")),
        ("logger:app.*", |s| {
            s.logger.is_some_and(|l| l.starts_with("app."))
        }),
        ("customer:acme", |s| s.customer == Some("acme")),
        ("!customer:acme", |s| s.customer != Some("acme")),
        ("has:customer", |s| s.customer.is_some()),
        ("tags[customer]:globex", |s| s.customer == Some("globex")),
        ("firstSeen:-24h", |s| s.first_seen_days() < 1),
        ("age:-24h", |s| s.first_seen_days() < 1),
        ("age:+7d", |s| s.first_seen_days() > 7),
        ("firstSeen:+1w", |s| s.first_seen_days() > 7),
        ("lastSeen:-1h", |s| s.last_seen_days() == 0),
        ("lastSeen:+2d", |s| s.last_seen_days() > 2),
        ("firstSeen:>2020-01-01", |_| true),
        ("firstSeen:<2020-01-01", |_| false),
        ("timesSeen:>1", |s| s.times_seen() > 1),
        ("times_seen:4", |s| s.times_seen() == 4),
        ("timesSeen:<=2", |s| s.times_seen() <= 2),
        ("message:*declined*", |s| s.title().contains("declined")),
        ("timed", |s| s.title().contains("timed")),
        ("\"user 5\"", |s| s.title().contains("user 5")),
        ("is:unresolved", |s| {
            ![STATES.resolved, STATES.ignored].contains(&s.name)
        }),
        ("is:resolved", |s| s.name == STATES.resolved),
        ("!is:resolved", |s| s.name != STATES.resolved),
        ("is:ignored", |s| s.name == STATES.ignored),
        ("is:archived", |s| s.name == STATES.ignored),
        ("is:assigned", |s| s.name == STATES.assigned),
        ("is:unassigned", |s| s.name != STATES.assigned),
        ("assigned:dev@example.com", |s| s.name == STATES.assigned),
        ("assigned:none", |s| s.name != STATES.assigned),
        // Negations are true where the column is empty (no assignee, release or culprit).
        ("!assigned:dev@example.com", |s| s.name != STATES.assigned),
        ("!firstRelease:shop@1.2", |s| s.release != Some("shop@1.2")),
        ("!timed", |s| !s.title().contains("timed")),
        ("has:assigned", |s| s.name == STATES.assigned),
        ("is:linked", |s| s.name == STATES.linked),
        ("is:unlinked", |s| s.name != STATES.linked),
        ("is:regressed", |s| s.name == STATES.regressed),
        // Unresolved and first seen within 7 days.
        ("is:new", |s| {
            ![STATES.resolved, STATES.ignored].contains(&s.name) && s.first_seen_days() < 7
        }),
        // Several terms: all must hold; OR and parentheses.
        ("level:error environment:staging", |s| {
            s.level == "error" && s.environment == "staging"
        }),
        ("level:error AND environment:staging", |s| {
            s.level == "error" && s.environment == "staging"
        }),
        ("level:fatal OR level:info", |s| {
            ["fatal", "info"].contains(&s.level)
        }),
        ("(level:fatal OR level:info) environment:prod", |s| {
            ["fatal", "info"].contains(&s.level) && s.environment == "prod"
        }),
        ("platform:python !(level:error)", |s| {
            s.platform == "python" && s.level != "error"
        }),
        ("customer:acme OR (has:user !has:release)", |s| {
            s.customer == Some("acme") || (s.has_user() && s.release.is_none())
        }),
    ]
}

/// One page of the project's issues for a search: `(issue ids, totalCount, next page's cursor)`.
async fn search_page(
    server: &TestServer,
    query: &str,
    sort: &str,
    first: i64,
    after: Option<String>,
) -> (Vec<String>, i64, Option<String>) {
    let data = server
        .graphql(
            "query($p: ID!, $q: String, $s: IssueSort, $f: Int, $a: String) { project(id: $p) { issues(query: $q, sort: $s, first: $f, after: $a) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } }",
            json!({ "p": server.project_id.to_string(), "q": query, "s": sort, "f": first, "a": after }),
        )
        .await;
    let page = &data["project"]["issues"];
    let ids = page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_string())
        .collect();
    let next = (page["pageInfo"]["hasNextPage"] == json!(true))
        .then(|| page["pageInfo"]["endCursor"].as_str().unwrap().to_string());
    (ids, page["totalCount"].as_i64().unwrap(), next)
}

async fn every_key_and_operator_agrees_with_the_oracle(server: TestServer) {
    let sent = corpus();
    let mut issue_of = std::collections::HashMap::new();
    for issue in &sent {
        let mut issue_id = None;
        for days in issue.days_ago {
            let (_, id) = server.ingest(issue.event(*days)).await;
            assert!(issue_id.is_none_or(|known| known == id), "{}", issue.name);
            issue_id = Some(id);
        }
        issue_of.insert(issue.name, issue_id.unwrap());
    }
    let name_of = |id: &str| {
        issue_of
            .iter()
            .find(|(_, issue)| issue.as_str() == id)
            .map(|(name, _)| *name)
            .unwrap_or("?")
    };
    let mutate = |query: &'static str, variables: Value| {
        let server = &server;
        async move { server.graphql(query, variables).await }
    };
    mutate(
        "mutation($id: ID!) { resolveIssue(id: $id) { id } }",
        json!({ "id": issue_of[STATES.resolved] }),
    )
    .await;
    mutate(
        "mutation($id: ID!) { ignoreIssue(id: $id) { id } }",
        json!({ "id": issue_of[STATES.ignored] }),
    )
    .await;
    let member = mutate(
        "mutation { createMember(email: \"Dev@Example.com\", name: \"Dev\") { id } }",
        json!({}),
    )
    .await["createMember"]["id"]
        .clone();
    mutate(
        "mutation($id: ID!, $m: ID) { assignIssue(id: $id, memberId: $m) { id } }",
        json!({ "id": issue_of[STATES.assigned], "m": member }),
    )
    .await;
    entity::external_issue::ActiveModel {
        issue_id: Set(issue_of[STATES.linked].parse().unwrap()),
        integration_id: Set(1),
        external_id: Set("42".into()),
        url: Set("https://tickets.example/42".into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&server.db)
    .await
    .unwrap();
    // Resolved, then seen again: a regression.
    let regressed = corpus()
        .into_iter()
        .find(|s| s.name == STATES.regressed)
        .unwrap();
    mutate(
        "mutation($id: ID!) { resolveIssue(id: $id) { id } }",
        json!({ "id": issue_of[STATES.regressed] }),
    )
    .await;
    server.ingest(regressed.event(0)).await;

    let mut wrong = Vec::new();
    for (query, oracle) in searches() {
        let mut expected: Vec<&str> = sent.iter().filter(|s| oracle(s)).map(|s| s.name).collect();
        expected.sort();
        let (ids, total, _) = search_page(&server, query, "LAST_SEEN", 50, None).await;
        let mut found: Vec<&str> = ids.iter().map(|id| name_of(id)).collect();
        found.sort();
        if found != expected || total != found.len() as i64 {
            wrong.push(format!(
                "{query:?}: found {found:?} (totalCount {total}), expected {expected:?}"
            ));
        }
        // Pages of two, in each sort order, add up to the same issues, each once.
        for sort in ["LAST_SEEN", "FIRST_SEEN", "COUNT", "USERS"] {
            let mut paged: Vec<&str> = Vec::new();
            let mut after = None;
            loop {
                let (ids, _, next) = search_page(&server, query, sort, 2, after).await;
                paged.extend(ids.iter().map(|id| name_of(id)));
                match next {
                    Some(cursor) => after = Some(cursor),
                    None => break,
                }
            }
            paged.sort();
            if paged != expected {
                wrong.push(format!("{query:?} by {sort} in pages of 2: {paged:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The keys a frontend can offer while the search is typed, with sample values.
    let keys = server
        .graphql(
            "query($p: ID!) { searchKeys(projectId: $p) { key kind builtIn values } }",
            json!({ "p": server.project_id.to_string() }),
        )
        .await["searchKeys"]
        .clone();
    let key = |name: &str| {
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k["key"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {keys}"))
    };
    assert_eq!(
        key("customer"),
        json!({ "key": "customer", "kind": "TEXT", "builtIn": false, "values": ["acme", "globex"] })
    );
    assert_eq!(
        key("environment")["values"],
        json!(["dev", "prod", "staging"])
    );
    assert_eq!(
        key("error.type")["values"],
        json!(["KeyError", "TimeoutError", "TypeError", "ValueError"])
    );
    assert_eq!(key("firstSeen")["kind"], "DATE");
    assert_eq!(key("timesSeen")["kind"], "NUMBER");
    assert_eq!(
        key("level")["values"],
        json!(["debug", "info", "warning", "error", "fatal"])
    );
    // Tags that built-in keys stand for are listed once, under the built-in key.
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .all(|k| k["key"] != "mechanism"),
        "{keys}"
    );

    // Mistakes are errors that name the term, never an empty answer.
    for (query, says) in [
        ("enviroment:prod", "did you mean environment"),
        ("custmer:acme", "did you mean customer"),
        ("has:nosuchkey", "unknown search key \"nosuchkey\""),
        ("level:loud", "unknown level"),
        ("is:sleeping", "unknown is:sleeping"),
        ("firstSeen:-24y", "unknown unit"),
        ("firstSeen:yesterday", "is not a time"),
        ("timesSeen:>many", "needs a whole number"),
        ("environment:>prod", "compares with `:value` only"),
        ("(level:error", "unbalanced parenthesis"),
        ("level:error OR", "OR needs a term"),
        ("assigned:me", "signed-in"),
    ] {
        let error = server
            .graphql_error(
                "query($p: ID!, $q: String) { project(id: $p) { issues(query: $q) { totalCount } } }",
                json!({ "p": server.project_id.to_string(), "q": query }),
            )
            .await;
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(says) && message.starts_with("invalid search"),
            "{query}: {error}"
        );
    }
}

on_both_databases!(every_key_and_operator_agrees_with_the_oracle);

/// Facts of one generated issue (a message event per occurrence).
#[derive(Debug)]
struct Generated {
    word: &'static str,
    level: &'static str,
    environment: Option<&'static str>,
    release: Option<&'static str>,
    customer: Option<&'static str>,
    times: i64,
}

const WORDS: &[&str] = &[
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
    "uniform", "victor", "whiskey", "xray",
];
const LEVELS: &[&str] = &["debug", "info", "warning", "error", "fatal"];
const ENVIRONMENTS: &[&str] = &["prod", "staging", "dev"];
const RELEASES: &[&str] = &["shop@1.0", "shop@1.1", "shop@2.0"];
const CUSTOMERS: &[&str] = &["acme", "globex", "initech"];

/// A generated search: rendered as text, evaluated by the oracle.
#[derive(Debug, Clone)]
enum Search {
    Level(Vec<&'static str>),
    Environment(String),
    Release(String),
    Customer(&'static str),
    Has(&'static str),
    TimesSeen(&'static str, i64),
    Text(String),
    Negated(Box<Search>),
    All(Vec<Search>),
    Any(Vec<Search>),
    NotGroup(Box<Search>),
}

/// `*` in a value matches anything; otherwise the value matches exactly.
fn wildcard(pattern: &str, value: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == value;
    }
    let mut rest = value;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(after) = rest.strip_prefix(part) else {
                return false;
            };
            rest = after;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl Search {
    fn render(&self) -> String {
        match self {
            Search::Level(levels) if levels.len() == 1 => format!("level:{}", levels[0]),
            Search::Level(levels) => format!("level:[{}]", levels.join(",")),
            Search::Environment(value) => format!("environment:{value}"),
            Search::Release(value) => format!("release:{value}"),
            Search::Customer(value) => format!("customer:{value}"),
            Search::Has(key) => format!("has:{key}"),
            Search::TimesSeen(op, n) => format!("timesSeen:{op}{n}"),
            Search::Text(text) => text.clone(),
            Search::Negated(term) => format!("!{}", term.render()),
            Search::All(parts) => parts
                .iter()
                .map(|part| match part {
                    Search::Any(_) | Search::All(_) => format!("({})", part.render()),
                    _ => part.render(),
                })
                .collect::<Vec<_>>()
                .join(" "),
            Search::Any(parts) => parts
                .iter()
                .map(|part| match part {
                    Search::Any(_) => format!("({})", part.render()),
                    _ => part.render(),
                })
                .collect::<Vec<_>>()
                .join(" OR "),
            Search::NotGroup(inner) => format!("!({})", inner.render()),
        }
    }

    fn holds(&self, issue: &Generated) -> bool {
        match self {
            Search::Level(levels) => levels.contains(&issue.level),
            Search::Environment(pattern) => issue.environment.is_some_and(|e| wildcard(pattern, e)),
            Search::Release(pattern) => issue.release.is_some_and(|r| wildcard(pattern, r)),
            Search::Customer(value) => issue.customer == Some(*value),
            Search::Has(key) => match *key {
                "customer" => issue.customer.is_some(),
                "release" => issue.release.is_some(),
                "environment" => issue.environment.is_some(),
                other => panic!("has:{other}"),
            },
            Search::TimesSeen(op, n) => match *op {
                ">" => issue.times > *n,
                ">=" => issue.times >= *n,
                "<" => issue.times < *n,
                "<=" => issue.times <= *n,
                _ => issue.times == *n,
            },
            Search::Text(text) => issue.word.contains(text.as_str()),
            Search::Negated(term) | Search::NotGroup(term) => !term.holds(issue),
            Search::All(parts) => parts.iter().all(|part| part.holds(issue)),
            Search::Any(parts) => parts.iter().any(|part| part.holds(issue)),
        }
    }
}

fn pick<T: Copy>(rng: &mut impl rand::Rng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

fn random_term(rng: &mut impl rand::Rng) -> Search {
    let term = match rng.random_range(0..8) {
        0 => {
            let mut levels = vec![pick(rng, LEVELS)];
            if rng.random_bool(0.3) {
                levels.push(pick(rng, LEVELS));
            }
            Search::Level(levels)
        }
        1 => Search::Environment(match rng.random_range(0..3) {
            0 => "st*".into(),
            _ => pick(rng, ENVIRONMENTS).into(),
        }),
        2 => Search::Release(match rng.random_range(0..3) {
            0 => "shop@1.*".into(),
            1 => "*2*".into(),
            _ => pick(rng, RELEASES).into(),
        }),
        3 => Search::Customer(pick(rng, CUSTOMERS)),
        4 => Search::Has(pick(rng, &["customer", "release", "environment"])),
        5 => Search::TimesSeen(
            pick(rng, &[">", ">=", "<", "<=", ""]),
            rng.random_range(1..4),
        ),
        _ => {
            let word = pick(rng, WORDS);
            let from = rng.random_range(0..word.len() - 2);
            Search::Text(word[from..from + 3].to_string())
        }
    };
    if rng.random_bool(0.25) {
        Search::Negated(Box::new(term))
    } else {
        term
    }
}

fn random_search(rng: &mut impl rand::Rng, depth: u32) -> Search {
    if depth == 0 || rng.random_bool(0.4) {
        return random_term(rng);
    }
    let parts = (0..rng.random_range(2..4))
        .map(|_| random_search(rng, depth - 1))
        .collect();
    match rng.random_range(0..5) {
        0 => Search::NotGroup(Box::new(Search::All(parts))),
        1 | 2 => Search::Any(parts),
        _ => Search::All(parts),
    }
}

/// Random searches over a random project agree with the oracle, counts included.
async fn random_searches_agree_with_the_oracle(server: TestServer) {
    use rand::{Rng, SeedableRng};
    let seed: u64 = std::env::var("LARDER_SEARCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let maybe = |rng: &mut rand::rngs::StdRng, items: &'static [&'static str]| {
        rng.random_bool(0.75).then(|| pick(rng, items))
    };
    let issues: Vec<Generated> = WORDS
        .iter()
        .map(|word| Generated {
            word,
            level: pick(&mut rng, LEVELS),
            environment: maybe(&mut rng, ENVIRONMENTS),
            release: maybe(&mut rng, RELEASES),
            customer: maybe(&mut rng, CUSTOMERS),
            times: rng.random_range(1..4),
        })
        .collect();
    let mut word_of = std::collections::HashMap::new();
    for issue in &issues {
        for _ in 0..issue.times {
            let mut event = json!({ "message": issue.word, "level": issue.level });
            if let Some(environment) = issue.environment {
                event["environment"] = json!(environment);
            }
            if let Some(release) = issue.release {
                event["release"] = json!(release);
            }
            if let Some(customer) = issue.customer {
                event["tags"] = json!({ "customer": customer });
            }
            let (_, id) = server.ingest(event).await;
            word_of.insert(id, issue.word);
        }
    }
    assert_eq!(word_of.len(), issues.len(), "one issue per word");
    for _ in 0..150 {
        let search = random_search(&mut rng, 3);
        let text = search.render();
        let mut expected: Vec<&str> = issues
            .iter()
            .filter(|issue| search.holds(issue))
            .map(|issue| issue.word)
            .collect();
        expected.sort();
        let (ids, total, _) = search_page(&server, &text, "LAST_SEEN", 50, None).await;
        let mut found: Vec<&str> = ids.iter().map(|id| word_of[id.as_str()]).collect();
        found.sort();
        assert_eq!(
            (&found, total),
            (&expected, expected.len() as i64),
            "search {text:?} (LARDER_SEARCH_SEED={seed}; the project: {issues:?})"
        );
    }
}

on_both_databases!(random_searches_agree_with_the_oracle);
