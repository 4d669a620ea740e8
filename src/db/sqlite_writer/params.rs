//! Statement parameters: sea-query values bound as sqlx's SQLite driver binds them
//! (`sea-query-sqlx`), so that what the writer stores reads back the same through sqlx: booleans
//! as 0/1, timestamps as RFC 3339 text with `+00:00`, JSON as its text. Strings and bytes are
//! bound in place, not copied.
use chrono::SecondsFormat;
use rusqlite::ToSql;
use rusqlite::types::{ToSqlOutput, ValueRef};
use sea_orm::sea_query::Value;

/// One parameter of a statement.
pub struct Param<'a>(pub &'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        let integer = |i: Option<i64>| i.map_or(ValueRef::Null, ValueRef::Integer);
        let text = |s: Option<String>| s.map_or(ToSqlOutput::Borrowed(ValueRef::Null), Into::into);
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Bool(b) => integer(b.map(i64::from)),
            Value::TinyInt(i) => integer(i.map(i64::from)),
            Value::SmallInt(i) => integer(i.map(i64::from)),
            Value::Int(i) => integer(i.map(i64::from)),
            Value::BigInt(i) => integer(*i),
            Value::TinyUnsigned(i) => integer(i.map(i64::from)),
            Value::SmallUnsigned(i) => integer(i.map(i64::from)),
            Value::Unsigned(i) => integer(i.map(i64::from)),
            Value::BigUnsigned(i) => match i {
                Some(i) => ValueRef::Integer(
                    i64::try_from(*i)
                        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?,
                ),
                None => ValueRef::Null,
            },
            Value::Float(f) => f.map_or(ValueRef::Null, |f| ValueRef::Real(f64::from(f))),
            Value::Double(f) => f.map_or(ValueRef::Null, ValueRef::Real),
            Value::String(s) => s.as_deref().map_or(ValueRef::Null, ValueRef::from),
            Value::Bytes(b) => b.as_deref().map_or(ValueRef::Null, ValueRef::Blob),
            Value::Char(c) => return Ok(text(c.map(String::from))),
            Value::Json(j) => return Ok(text(j.as_ref().map(|j| j.to_string()))),
            Value::ChronoDateTimeUtc(t) => {
                return Ok(text(
                    t.as_ref()
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, false)),
                ));
            }
            Value::ChronoDateTimeWithTimeZone(t) => {
                return Ok(text(
                    t.as_ref()
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, false)),
                ));
            }
            Value::ChronoDateTime(t) => {
                return Ok(text(t.as_ref().map(|t| t.format("%F %T%.f").to_string())));
            }
            Value::ChronoDate(d) => {
                return Ok(text(d.as_ref().map(|d| d.format("%F").to_string())));
            }
            other => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    format!("no SQLite encoding for {other:?}").into(),
                ));
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn bound(value: Value) -> rusqlite::types::Value {
        let connection = rusqlite::Connection::open_in_memory().unwrap();
        connection
            .query_row("SELECT ?", [Param(&value)], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn values_are_bound_as_sqlx_binds_them() {
        use rusqlite::types::Value as Sqlite;
        assert_eq!(bound(Value::Bool(Some(true))), Sqlite::Integer(1));
        assert_eq!(bound(Value::Int(None)), Sqlite::Null);
        assert_eq!(bound(Value::from("käse")), Sqlite::Text("käse".into()));
        assert_eq!(bound(Value::from(vec![1u8, 2])), Sqlite::Blob(vec![1, 2]));
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 5, 36, 10).unwrap();
        // The text sqlx writes for a DateTime<Utc> (to_rfc3339_opts(AutoSi, false)).
        assert_eq!(
            bound(Value::from(at)),
            Sqlite::Text("2026-12-02T05:36:10+00:00".into())
        );
        assert_eq!(
            bound(Value::from(at + chrono::Duration::microseconds(1500))),
            Sqlite::Text("2026-12-02T05:36:10.001500+00:00".into())
        );
        assert_eq!(
            bound(Value::from(serde_json::json!({"a": 1}))),
            Sqlite::Text("{\"a\":1}".into())
        );
    }
}
