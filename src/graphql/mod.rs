//! The GraphQL API. Every field but sign-in and the one-time links asks for a credential (a
//! session or an API token) and a scope, and sees only the caller's organization and the
//! projects their teams may see.
//!
//! Layering (after lldap): `types/` wrap entity models for the schema, `query.rs`/`mutation/`
//! are the roots; both parse input, check access and call the domain services (`crate::accounts`,
//! `crate::issues`, `crate::alerts`, `crate::projects`), which own the SQL and the transactions.
//! Only `loaders.rs` queries the database itself: it batches look-ups so lists stay N+1-free.
//! `authorize` is the one scope check; organization and team scoping of single-object look-ups
//! is `crate::accounts::access` (`access::project`, …).
mod introspection;
mod limits;
mod loaders;
mod mutation;
mod pagination;
mod query;
mod subscription;
mod types;

use async_graphql::{Context, ErrorExtensions, Schema};

pub use loaders::Loaders;
use mutation::MutationRoot;
use query::QueryRoot;
use subscription::SubscriptionRoot;

use crate::accounts::AccountError;
use crate::accounts::access::{Caller, Viewer};
use crate::accounts::scopes::Scope;
use crate::app::AppState;

pub type LarderSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Deep or wide queries are refused before they reach the database.
const MAX_DEPTH: usize = 12;
const MAX_COMPLEXITY: usize = 2_000;

pub fn build_schema(state: Option<AppState>) -> LarderSchema {
    let mut builder = Schema::build(QueryRoot, MutationRoot::default(), SubscriptionRoot)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .extension(limits::DocumentLimits);
    if let Some(state) = state {
        let server_allows = state.config.graphql_introspection;
        if !server_allows {
            builder = builder.disable_introspection();
        }
        builder = builder
            .extension(introspection::IntrospectionGuard { server_allows })
            .data(state);
    }
    builder.finish()
}

/// The SDL of the live schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None).sdl()
}

pub(crate) fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

/// Who called: anonymous (no credentials) or a user or token.
pub(crate) fn caller<'a>(ctx: &Context<'a>) -> &'a Caller {
    static ANONYMOUS: std::sync::LazyLock<Caller> = std::sync::LazyLock::new(Caller::default);
    ctx.data::<Caller>().unwrap_or(&ANONYMOUS)
}

/// The signed-in user: UNAUTHENTICATED without credentials, FORBIDDEN for an organization
/// token (it has no user).
pub(crate) fn signed_in_user<'a>(
    ctx: &Context<'a>,
) -> async_graphql::Result<&'a entity::user_account::Model> {
    let caller = caller(ctx);
    match (&caller.user, &caller.viewer) {
        (Some(user), _) => Ok(user),
        (None, Some(_)) => Err(forbidden(
            "this needs a signed-in user, not an organization token",
        )),
        (None, None) => Err(unauthenticated(
            "sign in or send Authorization: Bearer <token>",
        )),
    }
}

/// The caller's access to their organization: UNAUTHENTICATED without credentials, FORBIDDEN
/// for a user who belongs to no organization yet.
pub(crate) fn viewer<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Viewer> {
    let caller = caller(ctx);
    match &caller.viewer {
        Some(viewer) => Ok(viewer),
        None if caller.user.is_some() => Err(forbidden(
            "you belong to no organization yet: create one or accept an invitation",
        )),
        None => Err(unauthenticated(
            "sign in or send Authorization: Bearer <token>",
        )),
    }
}

/// The viewer, when they hold `scope`; FORBIDDEN naming the scope otherwise.
pub(crate) fn authorize<'a>(ctx: &Context<'a>, scope: Scope) -> async_graphql::Result<&'a Viewer> {
    let viewer = viewer(ctx)?;
    if viewer.has(scope) {
        Ok(viewer)
    } else {
        Err(forbidden(&format!("this needs the {} scope", scope.name())))
    }
}

pub(crate) fn forbidden(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "FORBIDDEN"))
}

/// Records a change of an organization's access or settings in its audit log.
pub(crate) async fn audit(
    ctx: &Context<'_>,
    viewer: &Viewer,
    action: &str,
    target: impl Into<String>,
) -> async_graphql::Result<()> {
    crate::accounts::audit::record(&state(ctx).db, viewer, action, target)
        .await
        .map_err(internal)
}

/// An account operation's refusal as the API's error: bad input, not found, or internal.
pub(crate) fn account_error(error: AccountError) -> async_graphql::Error {
    match error {
        AccountError::Invalid(message) => bad_input(message),
        AccountError::NotFound(what) => not_found(what),
        AccountError::Database(error) => internal(error),
        AccountError::Other(error) => internal(error),
    }
}

pub(crate) fn unauthenticated(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "UNAUTHENTICATED"))
}

pub(crate) fn not_found(what: &str) -> async_graphql::Error {
    async_graphql::Error::new(format!("{what} not found"))
        .extend_with(|_, e| e.set("code", "NOT_FOUND"))
}

pub(crate) fn bad_input(message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message.into()).extend_with(|_, e| e.set("code", "BAD_USER_INPUT"))
}

pub(crate) fn internal(error: impl std::fmt::Display) -> async_graphql::Error {
    tracing::error!(%error, "GraphQL resolver failed");
    async_graphql::Error::new("internal error").extend_with(|_, e| e.set("code", "INTERNAL"))
}

/// Parses a GraphQL `ID` that stands for a numeric row id.
pub(crate) fn parse_id(id: &async_graphql::ID, what: &str) -> async_graphql::Result<i64> {
    id.parse::<i64>()
        .map_err(|_| bad_input(format!("invalid {what} id {:?}", id.as_str())))
}
