//! Slack (slack-morphism), two ways:
//!
//! * **bot token + channel** — `chat.postMessage` on the Web API. The API base URL is
//!   configurable (`api_base_url`, default `https://slack.com/api`) for proxies, Slack-compatible
//!   servers and tests; slack-morphism takes it through
//!   [`SlackClientHyperConnector::with_slack_api_url`]. The answer's `ts` becomes the external id
//!   (it is what threads replies and updates later).
//! * **incoming webhook URL** — a JSON POST of the same message to the URL; the URL itself is the
//!   credential, so it is a [`Secret`] and never printed. Slack answers a bare `ok`, no id.
//!
//! Both send Block Kit blocks (header, facts, stack excerpt, "View issue" button) plus a plain
//! `text` fallback for notifications and clients that do not render blocks.
//!
//! The HTTPS connector is built here rather than by slack-morphism's `new()`: that one accepts
//! only `https://` and fails on hosts without a native CA store; ours also accepts `http://` base
//! URLs (tests, local gateways) and falls back to the bundled webpki roots.

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use crate::outbound::{GuardedResolver, OutboundPolicy};
use crate::render::{self, one_line, truncate};
use crate::secret::{Secret, scrub};
use crate::{ConfigError, Delivery, DeliveryError, Notification, Notifier};

/// HTTPS over connections whose addresses the outbound guard chose.
type GuardedHttpsConnector = hyper_rustls::HttpsConnector<
    hyper_util::client::legacy::connect::HttpConnector<GuardedResolver>,
>;

const CHANNEL: &str = "slack";
pub(crate) const SECRET_FIELDS: &[&str] = &["bot_token", "webhook_url"];
/// Where the Web API lives unless configured otherwise.
pub const DEFAULT_API_BASE_URL: &str = "https://slack.com/api";

/// Exactly one of (`bot_token` and `channel`) or `webhook_url`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SlackConfig {
    /// `xoxb-…` bot token with `chat:write`.
    #[serde(default)]
    pub bot_token: Option<Secret>,
    /// Channel id (`C0123…`) or name (`#alerts`); the bot must be a member.
    #[serde(default)]
    pub channel: Option<String>,
    /// `https://hooks.slack.com/services/…`
    #[serde(default)]
    pub webhook_url: Option<Secret>,
    /// Web API base, default [`DEFAULT_API_BASE_URL`]. Only used with a bot token.
    #[serde(default)]
    pub api_base_url: Option<String>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

impl SlackConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let token = self.bot_token.as_ref().filter(|t| !t.is_empty());
        let channel = self
            .channel
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let webhook = self.webhook_url.as_ref().filter(|u| !u.is_empty());
        match (token, webhook) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::invalid(
                    CHANNEL,
                    "webhook_url",
                    "give either a bot token and channel or an incoming-webhook URL, not both",
                ));
            }
            (None, None) => {
                return Err(ConfigError::invalid(
                    CHANNEL,
                    "bot_token",
                    "needs a bot token and channel, or an incoming-webhook URL",
                ));
            }
            (Some(token), None) => {
                if channel.is_none() {
                    return Err(ConfigError::invalid(
                        CHANNEL,
                        "channel",
                        "is required with a bot token",
                    ));
                }
                if !token.expose().chars().all(|c| c.is_ascii_graphic()) {
                    return Err(ConfigError::invalid(
                        CHANNEL,
                        "bot_token",
                        "contains spaces or control characters",
                    ));
                }
                if let Some(base) = &self.api_base_url {
                    crate::http::base_url(CHANNEL, "api_base_url", base)?;
                }
            }
            (None, Some(url)) => {
                // Not echoing the parse error: it may quote the URL.
                if crate::http::base_url(CHANNEL, "webhook_url", url.expose()).is_err() {
                    return Err(ConfigError::invalid(
                        CHANNEL,
                        "webhook_url",
                        "is not an http(s) URL",
                    ));
                }
            }
        }
        crate::validate_timeout(CHANNEL, self.timeout_ms)
    }
}

enum Target {
    Bot {
        token: SlackApiToken,
        channel: String,
    },
    Webhook {
        url: url::Url,
    },
}

pub(crate) struct SlackNotifier {
    client: SlackClient<SlackClientHyperConnector<GuardedHttpsConnector>>,
    target: Target,
    secrets: Vec<Secret>,
    timeout: Duration,
}

impl SlackNotifier {
    pub(crate) fn new(config: &SlackConfig, policy: &OutboundPolicy) -> Result<Self, ConfigError> {
        let timeout = crate::timeout_from_ms(config.timeout_ms);
        let base = match &config.api_base_url {
            Some(base) => crate::http::allowed_base_url(CHANNEL, "api_base_url", base, policy)?,
            None => DEFAULT_API_BASE_URL.to_string(),
        };
        let connector =
            SlackClientHyperConnector::with_connector(https_connector(timeout, policy)?)
                .with_slack_api_url(&base);
        let target = match (&config.bot_token, &config.webhook_url) {
            (Some(token), _) if !token.is_empty() => Target::Bot {
                token: SlackApiToken::new(SlackApiTokenValue::new(token.expose().to_string())),
                channel: config
                    .channel
                    .clone()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            },
            (_, Some(url)) => Target::Webhook {
                url: {
                    policy.check_url(CHANNEL, "webhook_url", url.expose())?;
                    url::Url::parse(url.expose().trim())
                        .map_err(|_| ConfigError::invalid(CHANNEL, "webhook_url", "is not a URL"))?
                },
            },
            _ => return Err(ConfigError::invalid(CHANNEL, "bot_token", "missing")),
        };
        Ok(SlackNotifier {
            client: SlackClient::new(connector),
            target,
            secrets: [&config.bot_token, &config.webhook_url]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            timeout,
        })
    }

    fn error(&self, e: SlackClientError) -> DeliveryError {
        let retryable = match &e {
            SlackClientError::ApiError(api) => matches!(
                api.code.as_str(),
                "ratelimited"
                    | "internal_error"
                    | "fatal_error"
                    | "service_unavailable"
                    | "request_timeout"
            ),
            SlackClientError::HttpError(http) => {
                crate::http::status_is_retryable(http.status_code.as_u16())
            }
            SlackClientError::RateLimitError(_)
            | SlackClientError::HttpProtocolError(_)
            | SlackClientError::EndOfStream(_) => true,
            // Unreadable 200 answers: the message was probably posted; a retry would repeat it.
            SlackClientError::ProtocolError(_)
            | SlackClientError::SystemError(_)
            | SlackClientError::SocketModeProtocolError(_) => false,
        };
        let text = match &e {
            SlackClientError::ApiError(api) => format!("API error {}", api.code),
            SlackClientError::HttpProtocolError(p) => match &p.cause {
                Some(cause) => format!("connection failed: {}", chain(cause.as_ref())),
                None => "connection failed".to_string(),
            },
            other => render::one_line(&other.to_string()),
        };
        let secrets: Vec<&Secret> = self.secrets.iter().collect();
        DeliveryError {
            retryable,
            message: scrub(format!("{CHANNEL}: {}", truncate(&text, 400)), &secrets),
        }
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        text.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    text
}

/// hyper-rustls connector: native roots (corporate CAs work), webpki roots when the host has none;
/// `http://` allowed; the connect timeout is the channel timeout.
fn https_connector(
    timeout: Duration,
    policy: &OutboundPolicy,
) -> Result<GuardedHttpsConnector, ConfigError> {
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new_with_resolver(
        GuardedResolver::new(policy),
    );
    http.enforce_http(false);
    http.set_connect_timeout(Some(timeout));
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let builder = match hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(provider.clone())
    {
        Ok(builder) => builder,
        Err(_) => hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(provider)
            .map_err(|e| ConfigError::Client {
                channel: CHANNEL,
                reason: e.to_string(),
            })?,
    };
    Ok(builder
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(http))
}

#[async_trait]
impl Notifier for SlackNotifier {
    async fn send(&self, n: &Notification) -> Result<Delivery, DeliveryError> {
        crate::bounded(CHANNEL, self.timeout, async {
            let content = message_content(n);
            match &self.target {
                Target::Bot { token, channel } => {
                    let request = SlackApiChatPostMessageRequest::new(
                        SlackChannelId::new(channel.clone()),
                        content,
                    )
                    .with_unfurl_links(false)
                    .with_unfurl_media(false);
                    let response = self
                        .client
                        .open_session(token)
                        .chat_post_message(&request)
                        .await
                        .map_err(|e| self.error(e))?;
                    Ok(Delivery {
                        external_id: Some(response.ts.0.clone()),
                        external_url: None,
                        detail: format!("posted to {} (ts {})", response.channel.0, response.ts.0),
                    })
                }
                Target::Webhook { url } => {
                    let request = SlackApiPostWebhookMessageRequest::new(content);
                    self.client
                        .post_webhook_message(url, &request)
                        .await
                        .map_err(|e| self.error(e))?;
                    Ok(Delivery {
                        external_id: None,
                        external_url: None,
                        detail: "posted to the incoming webhook".to_string(),
                    })
                }
            }
        })
        .await
    }
}

/// Slack's mrkdwn treats `&`, `<` and `>` as control characters; everything user-supplied is
/// escaped so an issue title cannot forge a link or a mention.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The message: `text` fallback + Block Kit blocks, within Slack's per-element limits.
pub(crate) fn message_content(n: &Notification) -> SlackMessageContent {
    let mut blocks: Vec<SlackBlock> = Vec::new();
    // Header: plain text, at most 150 characters.
    blocks.push(
        SlackHeaderBlock::new(SlackBlockPlainTextOnly::from(truncate(
            &render::headline(n),
            150,
        )))
        .into(),
    );

    let mut summary = format!(
        "*<{}|{}>*",
        escape(&n.issue.url),
        escape(&truncate(&one_line(&n.issue.title), 500))
    );
    if let Some(culprit) = render::culprit(n) {
        summary.push_str(&format!(
            "\n`{}`",
            escape(&truncate(&one_line(culprit), 300)).replace('`', "'")
        ));
    }
    // At most 10 fields per section.
    let fields: Vec<SlackBlockText> = render::facts(n)
        .into_iter()
        .take(10)
        .map(|(label, value)| {
            SlackBlockMarkDownText::new(format!("*{label}*\n{}", escape(&truncate(&value, 1900))))
                .into()
        })
        .collect();
    blocks.push(
        SlackSectionBlock::new()
            .with_text(SlackBlockMarkDownText::new(summary).into())
            .with_fields(fields)
            .into(),
    );

    let stack = render::stack_text(n);
    if !stack.is_empty() {
        // Section text is limited to 3000 characters, fences included.
        let stack = truncate(&escape(&stack).replace("```", "'''"), 2900);
        blocks.push(
            SlackSectionBlock::new()
                .with_text(SlackBlockMarkDownText::new(format!("```{stack}```")).into())
                .into(),
        );
    }

    let mut context = format!("{} · {}", escape(&n.organization), escape(&n.project.slug));
    if let Some(rule) = render::non_empty(&n.rule_name) {
        context.push_str(&format!(" · rule: {}", escape(rule)));
    }
    blocks.push(
        SlackContextBlock::new(vec![
            SlackBlockMarkDownText::new(truncate(&context, 1900)).into(),
        ])
        .into(),
    );

    // A button needs an absolute URL; without one the title link above still works.
    if let Ok(url) = url::Url::parse(&n.issue.url) {
        blocks.push(
            SlackActionsBlock::new(vec![
                SlackBlockButtonElement::new(SlackBlockPlainTextOnly::from("View issue"))
                    .with_action_id(SlackActionId::new("larder_view_issue".to_string()))
                    .with_url(url)
                    .with_style(SlackBlockButtonStyle::Primary)
                    .into(),
            ])
            .into(),
        );
    }

    SlackMessageContent::new()
        .with_text(format!("{} {}", render::subject(n), n.issue.url))
        .with_blocks(blocks)
}
