//! The switch that turns GraphQL introspection off (`--graphql-introspection false`). The
//! schema builder's own switch answers `__schema` with null; this extension answers a query
//! that asks for it with an error saying why, so a client is not left guessing.
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection};
use async_graphql::{ServerError, ServerResult, Variables};

pub struct IntrospectionOff;

impl ExtensionFactory for IntrospectionOff {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefuseIntrospection)
    }
}

struct RefuseIntrospection;

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
        for (_, operation) in document.operations.iter() {
            for selection in &operation.node.selection_set.node.items {
                if let Selection::Field(field) = &selection.node
                    && matches!(field.node.name.node.as_str(), "__schema" | "__type")
                {
                    return Err(ServerError::new(
                        "introspection is turned off on this server (--graphql-introspection)",
                        Some(field.pos),
                    ));
                }
            }
        }
        Ok(document)
    }
}
