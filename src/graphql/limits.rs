//! Limits on the size of a GraphQL document, beside the schema's depth and complexity limits:
//! aliases let one request repeat an expensive field hundreds of times at the same depth and a
//! low complexity each (`a1: issue(id: 1) { … } a2: issue(id: 1) { … } …`), so the number of
//! aliases and of fields in a document are capped too. Refused before anything runs, with an
//! error that says which limit.
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, Variables};

/// Most aliased fields in one document.
pub const MAX_ALIASES: usize = 100;
/// Most fields in one document, fragments included.
pub const MAX_FIELDS: usize = 1_000;

pub struct DocumentLimits;

impl ExtensionFactory for DocumentLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentLimits)
    }
}

#[async_trait::async_trait]
impl Extension for DocumentLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let mut count = Count::default();
        for (_, operation) in document.operations.iter() {
            count.add(&operation.node.selection_set);
        }
        for fragment in document.fragments.values() {
            count.add(&fragment.node.selection_set);
        }
        if count.aliases > MAX_ALIASES {
            return Err(ServerError::new(
                format!(
                    "the query has {} aliases; at most {MAX_ALIASES} are allowed",
                    count.aliases
                ),
                None,
            ));
        }
        if count.fields > MAX_FIELDS {
            return Err(ServerError::new(
                format!(
                    "the query has {} fields; at most {MAX_FIELDS} are allowed",
                    count.fields
                ),
                None,
            ));
        }
        Ok(document)
    }
}

#[derive(Default)]
struct Count {
    fields: usize,
    aliases: usize,
}

impl Count {
    fn add(&mut self, set: &Positioned<SelectionSet>) {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    self.fields += 1;
                    self.aliases += usize::from(field.node.alias.is_some());
                    self.add(&field.node.selection_set);
                }
                Selection::InlineFragment(fragment) => self.add(&fragment.node.selection_set),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}
