//! Arbitrary text as an issue search: read, resolved with every unknown key taken for a tag, and
//! rendered as SQL for both databases. Nothing may panic, hang or overflow the stack.
//! Run from `fuzz/`: `RUSTC_BOOTSTRAP=1 cargo fuzz run search corpus/search -- -max_total_time=600`.
#![no_main]

use larder::search::{Scope, offline_condition};
use libfuzzer_sys::fuzz_target;
use sea_orm::sea_query::{PostgresQueryBuilder, Query, SqliteQueryBuilder};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let scope = Scope { project_id: 1, organization_id: 1, now: chrono::Utc::now() };
    let Ok(condition) = offline_condition(&scope, text) else { return };
    let select = Query::select().column(entity::issue::Column::Id).from(entity::issue::Entity).cond_where(condition).to_owned();
    let _ = select.to_string(SqliteQueryBuilder);
    let _ = select.to_string(PostgresQueryBuilder);
});
