//! GitHub issues (octocrab), github.com or GitHub Enterprise Server (`api_base_url`).
//!
//! Creates an issue with the error title and a Markdown body: facts, the top in-app frames in a
//! code block, a link back to Larder.
//!
//! **Dedup.** The body ends with a hidden marker `<!-- larder:KEY -->` and a visible
//! "Larder delivery `KEY`" line. Before creating, the notifier asks the search API
//! (`GET /search/issues?q="KEY" repo:OWNER/REPO is:issue in:body`) and accepts a hit only if its
//! body carries the exact marker; such an issue is returned instead of creating a duplicate. This
//! needs no extra label per delivery (labels would pile up in the repository's label list). The
//! search index trails writes by seconds to a minute, so two sends of one key within that window
//! can still both create; the outbox's retry back-off is longer than that. A failed search fails
//! the delivery rather than risk a duplicate.
//!
//! Requests go through octocrab's generic `get`/`post` with small response structs instead of
//! its full `Issue` model: a schema change on GitHub's side (or a GHES version that lacks a
//! field) must not turn a created issue into a failed delivery.
//!
//! The octocrab client is built per send: its request buffer spawns a worker on the current Tokio
//! runtime, and a notifier must not be tied to the runtime that happened to create it.

use std::time::Duration;

use async_trait::async_trait;
use octocrab::Octocrab;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::outbound::OutboundPolicy;
use crate::render::{self, one_line, truncate};
use crate::secret::{Secret, scrub};
use crate::{ConfigError, Delivery, DeliveryError, Notification, Notifier};

const CHANNEL: &str = "github";
pub(crate) const SECRET_FIELDS: &[&str] = &["token"];
pub const DEFAULT_API_BASE_URL: &str = "https://api.github.com";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GithubConfig {
    /// Fine-grained or classic token with issues: write on the repository.
    pub token: Secret,
    pub owner: String,
    pub repo: String,
    /// Labels put on created issues (GitHub creates missing ones when the token may).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Default [`DEFAULT_API_BASE_URL`]; GHES: `https://HOST/api/v3`.
    #[serde(default)]
    pub api_base_url: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl GithubConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.token.is_empty() {
            return Err(ConfigError::invalid(CHANNEL, "token", "is empty"));
        }
        // It becomes an HTTP header value; octocrab would panic on an invalid one.
        if !self.token.expose().chars().all(|c| c.is_ascii_graphic()) {
            return Err(ConfigError::invalid(
                CHANNEL,
                "token",
                "contains spaces or control characters",
            ));
        }
        if !valid_name(self.owner.trim()) {
            return Err(ConfigError::invalid(
                CHANNEL,
                "owner",
                "must be a user or organization login",
            ));
        }
        if !valid_name(self.repo.trim()) {
            return Err(ConfigError::invalid(
                CHANNEL,
                "repo",
                "must be a repository name",
            ));
        }
        if let Some(base) = &self.api_base_url {
            crate::http::base_url(CHANNEL, "api_base_url", base)?;
        }
        crate::validate_timeout(CHANNEL, self.timeout_ms)
    }
}

/// The hidden dedup marker for an idempotency key.
pub fn dedup_marker(idempotency_key: &str) -> String {
    format!(
        "<!-- larder:{} -->",
        render::key_token(idempotency_key.trim())
    )
}

#[derive(Deserialize)]
struct GhIssue {
    number: u64,
    html_url: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct GhSearch {
    #[serde(default)]
    items: Vec<GhIssue>,
}

pub(crate) struct GithubNotifier {
    token: Secret,
    owner: String,
    repo: String,
    labels: Vec<String>,
    base: String,
    timeout: Duration,
    policy: OutboundPolicy,
}

impl GithubNotifier {
    pub(crate) fn new(config: &GithubConfig, policy: &OutboundPolicy) -> Result<Self, ConfigError> {
        let base = match &config.api_base_url {
            Some(base) => crate::http::allowed_base_url(CHANNEL, "api_base_url", base, policy)?,
            None => DEFAULT_API_BASE_URL.to_string(),
        };
        Ok(GithubNotifier {
            token: config.token.clone(),
            owner: config.owner.trim().to_string(),
            repo: config.repo.trim().to_string(),
            labels: config
                .labels
                .iter()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect(),
            base,
            timeout: crate::timeout_from_ms(config.timeout_ms),
            policy: policy.clone(),
        })
    }

    /// octocrab resolves names itself, so the API host's addresses are checked just before
    /// (a name that changes its answer between this check and the connect is not caught here;
    /// the reqwest and hyper channels check at connect time).
    async fn check_host(&self) -> Result<(), DeliveryError> {
        let url = url::Url::parse(&self.base).map_err(|e| DeliveryError {
            retryable: false,
            message: format!("{CHANNEL}: api_base_url: {e}"),
        })?;
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            return Ok(());
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.policy
            .resolve(host, port)
            .await
            .map(drop)
            .map_err(|e| DeliveryError {
                retryable: e.kind() != std::io::ErrorKind::PermissionDenied,
                message: format!("{CHANNEL}: {e}"),
            })
    }

    fn client(&self) -> Result<Octocrab, DeliveryError> {
        Octocrab::builder()
            .base_uri(self.base.as_str())
            .map_err(|e| self.error(e))?
            .personal_token(self.token.expose().to_string())
            .add_header(
                reqwest::header::ACCEPT,
                "application/vnd.github+json".to_string(),
            )
            .add_header(
                reqwest::header::HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_string(),
            )
            .set_connect_timeout(Some(self.timeout))
            .set_read_timeout(Some(self.timeout))
            .set_write_timeout(Some(self.timeout))
            .build()
            .map_err(|e| self.error(e))
    }

    /// 5xx and rate limits (429, or 403 with the rate-limit headers) are worth retrying;
    /// other 4xx (bad token, no access, validation) are not. Transport failures are.
    fn error(&self, e: octocrab::Error) -> DeliveryError {
        let (retryable, text) = match &e {
            octocrab::Error::GitHub { source, .. } => {
                let status = source.status_code.as_u16();
                let rate_limited = status == 403
                    && source.headers.as_ref().is_some_and(|h| {
                        h.get("x-ratelimit-remaining")
                            .is_some_and(|v| v.as_bytes() == b"0")
                            || h.contains_key("retry-after")
                    });
                (
                    crate::http::status_is_retryable(status) || rate_limited,
                    format!("HTTP {status}: {}", source.message),
                )
            }
            octocrab::Error::Hyper { .. } | octocrab::Error::Service { .. } => (true, chain(&e)),
            _ => (false, chain(&e)),
        };
        DeliveryError {
            retryable,
            message: scrub(
                format!("{CHANNEL}: {}", truncate(&one_line(&text), 400)),
                &[&self.token],
            ),
        }
    }

    async fn find_existing(
        &self,
        gh: &Octocrab,
        key: &str,
    ) -> Result<Option<GhIssue>, DeliveryError> {
        let marker = dedup_marker(key);
        let query = format!(
            "\"{}\" repo:{}/{} is:issue in:body",
            render::key_token(key.trim()),
            self.owner,
            self.repo
        );
        let found: GhSearch = gh
            .get(
                "/search/issues",
                Some(&[("q", query.as_str()), ("per_page", "20")]),
            )
            .await
            .map_err(|e| self.error(e))?;
        Ok(found.items.into_iter().find(|i| {
            i.pull_request.is_none() && i.body.as_deref().is_some_and(|b| b.contains(&marker))
        }))
    }
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}

/// The issue title: `TITLE`, one line, within GitHub's 256 characters.
pub(crate) fn title(n: &Notification) -> String {
    let t = one_line(&n.issue.title);
    truncate(if t.is_empty() { "(no title)" } else { &t }, 256)
}

/// The Markdown body.
pub(crate) fn body(n: &Notification) -> String {
    let mut out = format!(
        "**{}** in **{}** (`{}`)\n\n",
        n.kind.label(),
        md_escape(&n.project.name),
        n.organization.replace('`', "'")
    );
    if let Some(culprit) = render::culprit(n) {
        out.push_str(&format!("{}\n\n", render::inline_code(culprit)));
    }
    out.push_str("| | |\n|---|---|\n");
    for (label, value) in render::facts(n) {
        out.push_str(&format!(
            "| **{label}** | {} |\n",
            md_escape(&one_line(&value)).replace('|', "\\|")
        ));
    }
    let stack = render::stack_text(n);
    if !stack.is_empty() {
        let fence = render::code_fence(&stack);
        out.push_str(&format!(
            "\n### Stack trace (most recent call first)\n\n{fence}\n{stack}\n{fence}\n"
        ));
    }
    out.push_str(&format!(
        "\n[View the issue in Larder]({})\n",
        n.issue.url.replace([' ', ')'], "")
    ));
    let key = render::key_token(n.idempotency_key.trim());
    if !key.is_empty() {
        out.push_str(&format!(
            "\n<sub>Larder delivery `{key}`</sub>\n{}\n",
            dedup_marker(&n.idempotency_key)
        ));
    }
    out
}

/// Keeps user text from turning into Markdown structure or mentions.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '@' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[async_trait]
impl Notifier for GithubNotifier {
    async fn send(&self, n: &Notification) -> Result<Delivery, DeliveryError> {
        crate::bounded(CHANNEL, self.timeout, async {
            self.check_host().await?;
            let gh = self.client()?;
            if !n.idempotency_key.trim().is_empty()
                && let Some(existing) = self.find_existing(&gh, &n.idempotency_key).await?
            {
                return Ok(Delivery {
                    external_id: Some(existing.number.to_string()),
                    detail: format!(
                        "{}/{}#{} already exists for this delivery",
                        self.owner, self.repo, existing.number
                    ),
                    external_url: Some(existing.html_url),
                });
            }
            let mut request = json!({ "title": title(n), "body": body(n) });
            if !self.labels.is_empty() {
                request["labels"] = json!(self.labels);
            }
            let route = format!("/repos/{}/{}/issues", self.owner, self.repo);
            let created: GhIssue = gh
                .post(route, Some(&request))
                .await
                .map_err(|e| self.error(e))?;
            Ok(Delivery {
                external_id: Some(created.number.to_string()),
                detail: format!("created {}/{}#{}", self.owner, self.repo, created.number),
                external_url: Some(created.html_url),
            })
        })
        .await
    }
}
