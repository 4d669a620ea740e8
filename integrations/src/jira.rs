//! Jira tickets over the REST API (reqwest), Cloud or Server/Data Center.
//!
//! | flavour | API | auth | description |
//! |---|---|---|---|
//! | `cloud` | `/rest/api/3` | Basic `email:api_token` | Atlassian Document Format |
//! | `server` | `/rest/api/2` | `Bearer <personal access token>` | wiki markup string |
//!
//! Create is `POST /rest/api/{v}/issue` with `project.key`, `issuetype.name`, `summary`,
//! `description` and `labels`; the answer's `key` is the external id and `{base}/browse/{key}` the
//! link.
//!
//! **Dedup.** Every ticket carries the label `larder-<idempotency key>` (key reduced to
//! `[A-Za-z0-9._-]`, labels cannot hold spaces). Before creating, a JQL search
//! `project = "P" AND labels = "larder-<key>"` runs — Cloud on `GET /rest/api/3/search/jql`
//! (the old `/search` is being removed there), Server on `GET /rest/api/2/search` — and an
//! existing ticket is returned instead of creating a second one. A failed search fails the
//! delivery (retryable or not by its status) rather than risk a duplicate.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::outbound::OutboundPolicy;
use crate::render::{self, one_line, truncate};
use crate::secret::Secret;
use crate::{ConfigError, Delivery, DeliveryError, Notification, Notifier};

const CHANNEL: &str = "jira";
pub(crate) const SECRET_FIELDS: &[&str] = &["api_token"];

/// Which Jira the base URL points at.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JiraFlavour {
    /// Atlassian Cloud (`https://<site>.atlassian.net`): API v3, e-mail + API token.
    #[default]
    Cloud,
    /// Server / Data Center: API v2, personal access token.
    Server,
}

impl JiraFlavour {
    fn api(self) -> &'static str {
        match self {
            JiraFlavour::Cloud => "/rest/api/3",
            JiraFlavour::Server => "/rest/api/2",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct JiraConfig {
    pub base_url: String,
    #[serde(default)]
    pub flavour: JiraFlavour,
    /// Account e-mail; required for Cloud, unused for Server.
    #[serde(default)]
    pub email: Option<String>,
    /// Cloud API token, or Server/DC personal access token.
    pub api_token: Secret,
    pub project_key: String,
    /// Issue type name, default `Bug`.
    #[serde(default = "default_issue_type")]
    pub issue_type: String,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

fn default_issue_type() -> String {
    "Bug".to_string()
}

impl JiraConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        crate::http::base_url(CHANNEL, "base_url", &self.base_url)?;
        if self.api_token.is_empty() {
            return Err(ConfigError::invalid(CHANNEL, "api_token", "is empty"));
        }
        if !self
            .api_token
            .expose()
            .chars()
            .all(|c| c.is_ascii_graphic())
        {
            return Err(ConfigError::invalid(
                CHANNEL,
                "api_token",
                "contains spaces or control characters",
            ));
        }
        if self.flavour == JiraFlavour::Cloud
            && self.email.as_deref().is_none_or(|e| !e.contains('@'))
        {
            return Err(ConfigError::invalid(
                CHANNEL,
                "email",
                "Jira Cloud needs the account e-mail",
            ));
        }
        let key = self.project_key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ConfigError::invalid(
                CHANNEL,
                "project_key",
                "must be a project key like OPS",
            ));
        }
        if self.issue_type.trim().is_empty() {
            return Err(ConfigError::invalid(CHANNEL, "issue_type", "is empty"));
        }
        crate::validate_timeout(CHANNEL, self.timeout_ms)
    }
}

/// The dedup label for an idempotency key (Jira labels: no spaces, at most 255 characters).
pub fn dedup_label(idempotency_key: &str) -> String {
    format!("larder-{}", render::key_token(idempotency_key.trim()))
        .chars()
        .take(255)
        .collect()
}

#[derive(Deserialize)]
struct CreatedIssue {
    key: String,
}

#[derive(Deserialize)]
struct SearchResult {
    #[serde(default)]
    issues: Vec<FoundIssue>,
}

#[derive(Deserialize)]
struct FoundIssue {
    key: String,
}

pub(crate) struct JiraNotifier {
    client: reqwest::Client,
    base: String,
    flavour: JiraFlavour,
    email: String,
    token: Secret,
    project_key: String,
    issue_type: String,
    labels: Vec<String>,
    timeout: Duration,
}

impl JiraNotifier {
    pub(crate) fn new(config: &JiraConfig, policy: &OutboundPolicy) -> Result<Self, ConfigError> {
        let timeout = crate::timeout_from_ms(config.timeout_ms);
        Ok(JiraNotifier {
            client: crate::http::client(CHANNEL, timeout, policy)?,
            base: crate::http::allowed_base_url(CHANNEL, "base_url", &config.base_url, policy)?,
            flavour: config.flavour,
            email: config.email.clone().unwrap_or_default().trim().to_string(),
            token: config.api_token.clone(),
            project_key: config.project_key.trim().to_string(),
            issue_type: config.issue_type.trim().to_string(),
            labels: config
                .labels
                .iter()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join("_"))
                .filter(|l| !l.is_empty())
                .collect(),
            timeout,
        })
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let request = request.header(reqwest::header::ACCEPT, "application/json");
        match self.flavour {
            JiraFlavour::Cloud => request.basic_auth(&self.email, Some(self.token.expose())),
            JiraFlavour::Server => request.bearer_auth(self.token.expose()),
        }
    }

    fn browse_url(&self, key: &str) -> String {
        format!("{}/browse/{key}", self.base)
    }

    async fn find_existing(&self, label: &str) -> Result<Option<String>, DeliveryError> {
        let path = match self.flavour {
            JiraFlavour::Cloud => "search/jql",
            JiraFlavour::Server => "search",
        };
        let url = format!("{}{}/{path}", self.base, self.flavour.api());
        let jql = format!(
            "project = \"{}\" AND labels = \"{label}\" ORDER BY created ASC",
            self.project_key
        );
        let response = self
            .authorized(self.client.get(url))
            .query(&[
                ("jql", jql.as_str()),
                ("maxResults", "1"),
                ("fields", "summary"),
            ])
            .send()
            .await
            .map_err(|e| crate::http::transport_error(CHANNEL, e, &[&self.token]))?;
        if !response.status().is_success() {
            return Err(crate::http::status_error(CHANNEL, response, &[&self.token]).await);
        }
        let found: SearchResult =
            crate::http::json_capped(CHANNEL, response, &[&self.token]).await?;
        Ok(found.issues.into_iter().next().map(|i| i.key))
    }

    fn create_body(&self, n: &Notification, label: &str) -> Value {
        let description = match self.flavour {
            JiraFlavour::Cloud => adf_description(n),
            JiraFlavour::Server => Value::String(wiki_description(n)),
        };
        let mut labels = self.labels.clone();
        labels.push(label.to_string());
        json!({
            "fields": {
                "project": { "key": self.project_key },
                "issuetype": { "name": self.issue_type },
                "summary": summary(n),
                "description": description,
                "labels": labels,
            }
        })
    }
}

/// The ticket title: the issue title on one line, within Jira's 255 characters.
pub(crate) fn summary(n: &Notification) -> String {
    let title = one_line(&n.issue.title);
    truncate(
        if title.is_empty() {
            "(no title)"
        } else {
            &title
        },
        255,
    )
}

#[async_trait]
impl Notifier for JiraNotifier {
    async fn send(&self, n: &Notification) -> Result<Delivery, DeliveryError> {
        crate::bounded(CHANNEL, self.timeout, async {
            let label = dedup_label(&n.idempotency_key);
            if let Some(key) = self.find_existing(&label).await? {
                return Ok(Delivery {
                    external_url: Some(self.browse_url(&key)),
                    detail: format!("{key} already exists for this delivery (label {label})"),
                    external_id: Some(key),
                });
            }
            let url = format!("{}{}/issue", self.base, self.flavour.api());
            let response = self
                .authorized(self.client.post(url))
                .json(&self.create_body(n, &label))
                .send()
                .await
                .map_err(|e| crate::http::transport_error(CHANNEL, e, &[&self.token]))?;
            if !response.status().is_success() {
                return Err(crate::http::status_error(CHANNEL, response, &[&self.token]).await);
            }
            let created: CreatedIssue =
                crate::http::json_capped(CHANNEL, response, &[&self.token]).await?;
            Ok(Delivery {
                external_url: Some(self.browse_url(&created.key)),
                detail: format!("created {}", created.key),
                external_id: Some(created.key),
            })
        })
        .await
    }
}

// ---- Atlassian Document Format (Cloud) -------------------------------------------------------

fn text(s: &str) -> Value {
    // ADF rejects empty text nodes.
    json!({ "type": "text", "text": if s.is_empty() { "-" } else { s } })
}

fn marked(s: &str, marks: Value) -> Value {
    let mut node = text(s);
    node["marks"] = marks;
    node
}

fn paragraph(content: Vec<Value>) -> Value {
    json!({ "type": "paragraph", "content": content })
}

pub(crate) fn adf_description(n: &Notification) -> Value {
    let mut content = vec![paragraph(vec![
        marked(n.kind.label(), json!([{ "type": "strong" }])),
        text(&format!(" in {} ({})", n.project.name, n.organization)),
    ])];
    if let Some(culprit) = render::culprit(n) {
        content.push(paragraph(vec![marked(
            culprit,
            json!([{ "type": "code" }]),
        )]));
    }
    let items: Vec<Value> = render::facts(n)
        .into_iter()
        .map(|(label, value)| {
            json!({
                "type": "listItem",
                "content": [paragraph(vec![
                    marked(&format!("{label}: "), json!([{ "type": "strong" }])),
                    text(&value),
                ])]
            })
        })
        .collect();
    content.push(json!({ "type": "bulletList", "content": items }));
    let stack = render::stack_text(n);
    if !stack.is_empty() {
        content.push(json!({
            "type": "heading",
            "attrs": { "level": 3 },
            "content": [text("Stack trace (most recent call first)")]
        }));
        content.push(json!({ "type": "codeBlock", "content": [text(&stack)] }));
    }
    content.push(paragraph(vec![marked(
        "View the issue in Larder",
        json!([{ "type": "link", "attrs": { "href": n.issue.url } }]),
    )]));
    json!({ "type": "doc", "version": 1, "content": content })
}

// ---- wiki markup (Server / Data Center) ------------------------------------------------------

/// Backslash-escapes the characters that start inline wiki markup, so a title cannot format the
/// ticket. (`-` and `#` only matter at the start of a line, where escaped text never stands.)
fn wiki_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '{' | '}' | '|' | '^' | '~' | '+' | '?'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn wiki_description(n: &Notification) -> String {
    let mut out = format!(
        "*{}* in {} ({})\n",
        n.kind.label(),
        wiki_escape(&n.project.name),
        wiki_escape(&n.organization)
    );
    if let Some(culprit) = render::culprit(n) {
        out.push_str(&format!("{{{{{}}}}}\n", wiki_escape(culprit)));
    }
    out.push('\n');
    for (label, value) in render::facts(n) {
        out.push_str(&format!("* *{label}:* {}\n", wiki_escape(&value)));
    }
    let stack = render::stack_text(n);
    if !stack.is_empty() {
        out.push_str("\nh3. Stack trace (most recent call first)\n{noformat}\n");
        out.push_str(&stack.replace("{noformat}", "{ noformat}"));
        out.push_str("\n{noformat}\n");
    }
    out.push_str(&format!(
        "\n[View the issue in Larder|{}]\n",
        n.issue.url.replace(['|', ']'], "")
    ));
    out
}
