//! Who may introspect the schema: nobody when the server turns it off
//! (`--graphql-introspection false`), and never a caller without credentials. The schema
//! builder's own switch answers `__schema` with null; this extension answers a query that asks
//! for it with an error saying why, so a client is not left guessing.
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection};
use async_graphql::{ServerError, ServerResult, Variables};

use crate::accounts::access::Caller;

pub struct IntrospectionGuard {
    /// The server answers introspection at all.
    pub server_allows: bool,
}

impl ExtensionFactory for IntrospectionGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefuseIntrospection {
            server_allows: self.server_allows,
        })
    }
}

struct RefuseIntrospection {
    server_allows: bool,
}

#[async_trait::async_trait]
impl Extension for RefuseIntrospection {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let anonymous = ctx
            .data_opt::<Caller>()
            .is_none_or(|c| c.user.is_none() && c.viewer.is_none());
        let refusal = match (self.server_allows, anonymous) {
            (false, _) => "introspection is turned off on this server (--graphql-introspection)",
            (true, true) => "introspection needs credentials: sign in or send a token",
            (true, false) => return Ok(document),
        };
        for (_, operation) in document.operations.iter() {
            for selection in &operation.node.selection_set.node.items {
                if let Selection::Field(field) = &selection.node
                    && matches!(field.node.name.node.as_str(), "__schema" | "__type")
                {
                    return Err(ServerError::new(refusal, Some(field.pos)));
                }
            }
        }
        Ok(document)
    }
}
