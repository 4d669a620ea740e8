//! People and what they may do: users, sessions, organizations and their members, teams,
//! roles and scopes, API tokens, one-time links, the audit log; and projects with their DSN
//! keys. The CLI and the GraphQL API both call these; neither holds account logic of its own.
pub mod access;
pub mod audit;
pub mod links;
pub mod mailer;
pub mod members;
pub mod organizations;
pub mod passwords;
pub mod projects;
pub mod scopes;
pub mod sessions;
pub mod teams;
pub mod throttle;
pub mod tokens;
pub mod users;

/// Why an account operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The input is wrong; the message says how, for the person who sent it.
    #[error("{0}")]
    Invalid(String),
    /// The thing named does not exist, or the caller may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl AccountError {
    pub fn invalid(message: impl Into<String>) -> AccountError {
        AccountError::Invalid(message.into())
    }
}
