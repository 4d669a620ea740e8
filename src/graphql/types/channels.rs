//! An integration's configuration as the API shows it: one type per channel kind, every secret
//! reduced to whether it is set. Secrets are write-only; nothing here can reveal one.
use async_graphql::{Enum, SimpleObject, Union};
use larder_integrations::{
    ChannelConfig, EmailConfig, GithubConfig, JiraConfig, JiraFlavour, Secret, SlackConfig,
    SmsConfig, SmtpSecurity, WebhookConfig,
};

/// The configuration of an integration, by kind.
#[derive(Union)]
pub enum IntegrationConfig {
    Email(EmailSettings),
    Slack(SlackSettings),
    Github(GithubSettings),
    Jira(JiraSettings),
    Sms(SmsSettings),
    Webhook(WebhookSettings),
}

/// Whether a secret (password, token, signing key, secret URL) is set; never its value.
#[derive(SimpleObject)]
pub struct SecretState {
    pub set: bool,
}

fn state(secret: Option<&Secret>) -> SecretState {
    SecretState {
        set: secret.is_some_and(|s| !s.is_empty()),
    }
}

#[derive(SimpleObject)]
pub struct EmailSettings {
    pub host: String,
    /// Null for the default of `security` (25, 587 or 465).
    pub port: Option<i32>,
    pub security: SmtpSecurityMode,
    pub username: Option<String>,
    pub password: SecretState,
    pub from: String,
    pub to: Vec<String>,
    pub timeout_ms: Option<u64>,
}

/// How the SMTP connection is protected.
#[derive(Enum, Copy, Clone, PartialEq, Eq)]
pub enum SmtpSecurityMode {
    /// Plain text (local relays, test sinks).
    None,
    /// Plain connect, then STARTTLS (required).
    Starttls,
    /// TLS from the first byte.
    Tls,
}

#[derive(SimpleObject)]
pub struct SlackSettings {
    pub bot_token: SecretState,
    pub channel: Option<String>,
    pub webhook_url: SecretState,
    pub api_base_url: Option<String>,
    pub timeout_ms: Option<u64>,
}

#[derive(SimpleObject)]
pub struct GithubSettings {
    pub token: SecretState,
    pub owner: String,
    pub repo: String,
    pub labels: Vec<String>,
    /// Null for github.com; GitHub Enterprise Server: `https://HOST/api/v3`.
    pub api_base_url: Option<String>,
    pub timeout_ms: Option<u64>,
}

#[derive(SimpleObject)]
pub struct JiraSettings {
    pub base_url: String,
    pub flavour: JiraEdition,
    pub email: Option<String>,
    pub api_token: SecretState,
    pub project_key: String,
    pub issue_type: String,
    pub labels: Vec<String>,
    pub timeout_ms: Option<u64>,
}

/// Which Jira: Atlassian Cloud, or Server / Data Center.
#[derive(Enum, Copy, Clone, PartialEq, Eq)]
pub enum JiraEdition {
    Cloud,
    Server,
}

#[derive(SimpleObject)]
pub struct SmsSettings {
    pub account_sid: String,
    pub auth_token: SecretState,
    pub from: String,
    pub to: Vec<String>,
    pub base_url: Option<String>,
    pub timeout_ms: Option<u64>,
}

#[derive(SimpleObject)]
pub struct WebhookSettings {
    /// The receiver's URL is a secret: many receivers put their credential into it.
    pub url: SecretState,
    pub secret: SecretState,
    pub timeout_ms: Option<u64>,
}

impl From<&ChannelConfig> for IntegrationConfig {
    fn from(config: &ChannelConfig) -> Self {
        match config {
            ChannelConfig::Email(c) => IntegrationConfig::Email(email(c)),
            ChannelConfig::Slack(c) => IntegrationConfig::Slack(slack(c)),
            ChannelConfig::Github(c) => IntegrationConfig::Github(github(c)),
            ChannelConfig::Jira(c) => IntegrationConfig::Jira(jira(c)),
            ChannelConfig::Sms(c) => IntegrationConfig::Sms(sms(c)),
            ChannelConfig::Webhook(c) => IntegrationConfig::Webhook(webhook(c)),
        }
    }
}

fn email(c: &EmailConfig) -> EmailSettings {
    EmailSettings {
        host: c.host.clone(),
        port: c.port.map(i32::from),
        security: match c.security {
            SmtpSecurity::None => SmtpSecurityMode::None,
            SmtpSecurity::Starttls => SmtpSecurityMode::Starttls,
            SmtpSecurity::Tls => SmtpSecurityMode::Tls,
        },
        username: c.username.clone(),
        password: state(c.password.as_ref()),
        from: c.from.clone(),
        to: c.to.clone(),
        timeout_ms: c.timeout_ms,
    }
}

fn slack(c: &SlackConfig) -> SlackSettings {
    SlackSettings {
        bot_token: state(c.bot_token.as_ref()),
        channel: c.channel.clone(),
        webhook_url: state(c.webhook_url.as_ref()),
        api_base_url: c.api_base_url.clone(),
        timeout_ms: c.timeout_ms,
    }
}

fn github(c: &GithubConfig) -> GithubSettings {
    GithubSettings {
        token: state(Some(&c.token)),
        owner: c.owner.clone(),
        repo: c.repo.clone(),
        labels: c.labels.clone(),
        api_base_url: c.api_base_url.clone(),
        timeout_ms: c.timeout_ms,
    }
}

fn jira(c: &JiraConfig) -> JiraSettings {
    JiraSettings {
        base_url: c.base_url.clone(),
        flavour: match c.flavour {
            JiraFlavour::Cloud => JiraEdition::Cloud,
            JiraFlavour::Server => JiraEdition::Server,
        },
        email: c.email.clone(),
        api_token: state(Some(&c.api_token)),
        project_key: c.project_key.clone(),
        issue_type: c.issue_type.clone(),
        labels: c.labels.clone(),
        timeout_ms: c.timeout_ms,
    }
}

fn sms(c: &SmsConfig) -> SmsSettings {
    SmsSettings {
        account_sid: c.account_sid.clone(),
        auth_token: state(Some(&c.auth_token)),
        from: c.from.clone(),
        to: c.to.clone(),
        base_url: c.base_url.clone(),
        timeout_ms: c.timeout_ms,
    }
}

fn webhook(c: &WebhookConfig) -> WebhookSettings {
    WebhookSettings {
        url: state(Some(&c.url)),
        secret: state(Some(&c.secret)),
        timeout_ms: c.timeout_ms,
    }
}
