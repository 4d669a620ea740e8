//! Counting upserts. Several tables count occurrences of a key (tag values, releases,
//! environments, hourly buckets): a write adds its count to an existing row and widens its
//! first/last seen, in one `INSERT … ON CONFLICT … DO UPDATE` so concurrent writers never lose
//! an increment.
use sea_orm::EntityTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, IntoIden, OnConflict};

/// `ON CONFLICT (key…) DO UPDATE`: `times_seen` adds up; `first_seen` takes the least and
/// `last_seen` the greatest value when the table has them. A row that has counted nothing yet
/// (a release `sentry-cli` made before its first event) takes the incoming times as they are.
pub fn accumulate<E: EntityTrait>(
    table: E,
    key: impl IntoIterator<Item = E::Column>,
    times_seen: E::Column,
    first_seen: Option<E::Column>,
    last_seen: Option<E::Column>,
) -> OnConflict {
    let existing = |column: E::Column| Expr::col((table.into_iden(), column));
    let incoming = |column: E::Column| Expr::col((Alias::new("excluded"), column));
    let mut on_conflict = OnConflict::columns(key);
    on_conflict.value(times_seen, existing(times_seen).add(incoming(times_seen)));
    // A literal, not a bound value: the writer renders this text once and binds only the rows.
    let counted_nothing = existing(times_seen).eq(Expr::cust("0"));
    if let Some(first) = first_seen {
        on_conflict.value(
            first,
            Expr::case(counted_nothing.clone(), incoming(first))
                .finally(Func::least([existing(first), incoming(first)])),
        );
    }
    if let Some(last) = last_seen {
        on_conflict.value(
            last,
            Expr::case(counted_nothing, incoming(last))
                .finally(Func::greatest([existing(last), incoming(last)])),
        );
    }
    on_conflict
}
