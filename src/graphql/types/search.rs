//! The keys an issue search can use (`searchKeys`), so that frontends can complete a search as
//! it is typed; the domain's list is `search::search_keys`.
use async_graphql::{Enum, SimpleObject};

use crate::search::{KnownKey, ValueKind};

/// A key of the issue search, with the kind of value it takes and sample values.
#[derive(SimpleObject)]
pub struct SearchKey {
    /// As typed before the colon, e.g. `environment`, `error.type`, `customer`.
    pub key: String,
    pub kind: SearchValueKind,
    /// Built into Larder, or a tag seen in the project.
    pub built_in: bool,
    /// The values of a choice, or up to ten values the project's issues have.
    pub values: Vec<String>,
}

/// The kind of value a search key takes.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SearchValueKind {
    Text,
    Number,
    /// `-24h` (within the last), `+7d` (longer ago than) or an ISO date or time.
    Date,
    Boolean,
    /// One of `values`.
    Choice,
}

impl From<KnownKey> for SearchKey {
    fn from(known: KnownKey) -> Self {
        SearchKey {
            key: known.key,
            kind: match known.kind {
                ValueKind::Text => SearchValueKind::Text,
                ValueKind::Number => SearchValueKind::Number,
                ValueKind::Date => SearchValueKind::Date,
                ValueKind::Boolean => SearchValueKind::Boolean,
                ValueKind::Choice => SearchValueKind::Choice,
            },
            built_in: known.built_in,
            values: known.values,
        }
    }
}
