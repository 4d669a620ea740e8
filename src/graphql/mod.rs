//! The GraphQL API: every field is behind an API token and scoped to the token's organization.
//!
//! Layering (after lldap): `types/` wrap entity models for the schema, `query.rs`/`mutation.rs`
//! are the roots, `loaders.rs` batch look-ups so lists stay N+1-free, and `scope.rs` is the one
//! place organization scoping is enforced for single-object look-ups.
mod introspection;
mod loaders;
mod mutation;
mod pagination;
mod query;
mod scope;
mod subscription;
mod types;

use async_graphql::{Context, ErrorExtensions, Schema};

pub use loaders::Loaders;
use mutation::MutationRoot;
use query::QueryRoot;
use subscription::SubscriptionRoot;

use crate::accounts::tokens::Viewer;
use crate::app::AppState;

pub type LarderSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Deep or wide queries are refused before they reach the database.
const MAX_DEPTH: usize = 12;
const MAX_COMPLEXITY: usize = 2_000;

pub fn build_schema(state: Option<AppState>) -> LarderSchema {
    let mut builder = Schema::build(QueryRoot, MutationRoot::default(), SubscriptionRoot)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY);
    if let Some(state) = state {
        if !state.config.graphql_introspection {
            builder = builder
                .disable_introspection()
                .extension(introspection::IntrospectionOff);
        }
        builder = builder.data(state);
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

/// The authenticated viewer; the HTTP handler refuses requests without one, so a missing
/// viewer here is a wiring bug reported as an authentication error, never a panic.
pub(crate) fn viewer<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a Viewer> {
    ctx.data::<Viewer>()
        .map_err(|_| unauthenticated("missing or invalid API token"))
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

/// The rows of `E` whose `owner` column equals `id`, in `order`, as schema objects: the shape of
/// every "list the X of this issue/project" field.
pub(crate) async fn owned_rows<E, T>(
    ctx: &Context<'_>,
    owner: E::Column,
    id: i64,
    order: (E::Column, sea_orm::Order),
) -> async_graphql::Result<Vec<T>>
where
    E: sea_orm::EntityTrait,
    T: From<E::Model>,
{
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let rows = E::find()
        .filter(owner.eq(id))
        .order_by(order.0, order.1)
        .all(&state(ctx).db)
        .await
        .map_err(internal)?;
    Ok(rows.into_iter().map(T::from).collect())
}
