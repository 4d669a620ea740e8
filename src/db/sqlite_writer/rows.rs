//! Reading rows into sea-orm models and typed tuples.
//!
//! A model's fields take sea-orm values of one variant each (an `i64` field `Value::BigInt`, an
//! `i32` one `Value::Int`, a timestamp `Value::ChronoDateTimeUtc`, a NULL the `None` of its
//! field's variant), and SQLite's storage classes cannot say which: both integers are
//! `INTEGER`, timestamps are text. So each column is converted as its entity declares it, and
//! the model assembled with `ActiveModelTrait::try_set`, as sea-orm itself would from a row.
//! Tuples of plain values (`rows`) need no such help: rusqlite converts each to its Rust type.
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use rusqlite::types::{FromSql, ValueRef};
use sea_orm::sea_query::Value;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ColumnType, DbErr, EntityTrait, IdenStatic, Iterable,
    TryGetable, TryIntoModel,
};

/// How a column's values become sea-orm values.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Int,
    BigInt,
    Bool,
    Double,
    Text,
    Timestamp,
    Bytes,
    /// A type no entity of Larder uses: taken by its storage class, NULL as `BigInt`.
    Dynamic,
}

impl Kind {
    fn of(column_type: &ColumnType) -> Kind {
        match column_type {
            ColumnType::Integer => Kind::Int,
            ColumnType::BigInteger => Kind::BigInt,
            ColumnType::Boolean => Kind::Bool,
            ColumnType::Double => Kind::Double,
            ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => Kind::Text,
            ColumnType::TimestampWithTimeZone | ColumnType::Timestamp | ColumnType::DateTime => {
                Kind::Timestamp
            }
            ColumnType::Binary(_) | ColumnType::VarBinary(_) | ColumnType::Blob => Kind::Bytes,
            _ => Kind::Dynamic,
        }
    }
}

/// The model of entity `E` in `row`, whose columns are named as `E`'s (`SELECT *`-like).
pub fn model<E: EntityTrait>(row: &rusqlite::Row) -> Result<E::Model, DbErr>
where
    E::ActiveModel: TryIntoModel<E::Model>,
{
    let mut model = E::ActiveModel::default();
    for column in E::Column::iter() {
        let name = column.as_str();
        let raw = row.get_ref(name).map_err(|e| type_error(name, e))?;
        let kind = Kind::of(column.def().get_column_type());
        let value = value(kind, raw).map_err(|e| DbErr::Type(format!("column {name}: {e}")))?;
        model.try_set(column, value)?;
    }
    model.try_into_model()
}

/// A row read as a tuple of plain values, on either database.
pub trait FromRow: Sized {
    fn from_sqlite(row: &rusqlite::Row) -> Result<Self, DbErr>;
    fn from_sea(row: &sea_orm::QueryResult) -> Result<Self, DbErr>;
}

macro_rules! tuple_from_row {
    ($($index:tt $element:ident),+) => {
        impl<$($element: FromSql + TryGetable),+> FromRow for ($($element,)+) {
            fn from_sqlite(row: &rusqlite::Row) -> Result<Self, DbErr> {
                Ok(($(row.get($index).map_err(|e| type_error(stringify!($index), e))?,)+))
            }
            fn from_sea(row: &sea_orm::QueryResult) -> Result<Self, DbErr> {
                Ok(($(row.try_get_by_index($index)?,)+))
            }
        }
    };
}
tuple_from_row!(0 A);
tuple_from_row!(0 A, 1 B);
tuple_from_row!(0 A, 1 B, 2 C);
tuple_from_row!(0 A, 1 B, 2 C, 3 D, 4 E);

fn type_error(column: &str, error: rusqlite::Error) -> DbErr {
    DbErr::Type(format!("column {column}: {error}"))
}

fn value(kind: Kind, raw: ValueRef) -> Result<Value, String> {
    use ValueRef::{Blob, Integer, Null, Real};
    let text = |bytes: &[u8]| {
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|_| "text is not UTF-8".to_string())
    };
    Ok(match (kind, raw) {
        (Kind::Int, Null) => Value::Int(None),
        (Kind::Int, Integer(i)) => Value::Int(Some(
            i32::try_from(i).map_err(|_| format!("{i} does not fit an i32"))?,
        )),
        (Kind::BigInt | Kind::Dynamic, Null) => Value::BigInt(None),
        (Kind::BigInt | Kind::Dynamic, Integer(i)) => Value::BigInt(Some(i)),
        (Kind::Bool, Null) => Value::Bool(None),
        (Kind::Bool, Integer(i)) => Value::Bool(Some(i != 0)),
        (Kind::Double, Null) => Value::Double(None),
        (Kind::Double | Kind::Dynamic, Real(f)) => Value::Double(Some(f)),
        (Kind::Double, Integer(i)) => Value::Double(Some(i as f64)),
        (Kind::Text, Null) => Value::String(None),
        (Kind::Text | Kind::Dynamic, ValueRef::Text(t)) => Value::String(Some(text(t)?)),
        (Kind::Timestamp, Null) => Value::ChronoDateTimeUtc(None),
        (Kind::Timestamp, ValueRef::Text(t)) => {
            Value::ChronoDateTimeUtc(Some(parse_timestamp(&text(t)?)?))
        }
        (Kind::Timestamp, Integer(seconds)) => Value::ChronoDateTimeUtc(Some(
            Utc.timestamp_opt(seconds, 0)
                .single()
                .ok_or_else(|| format!("{seconds} is not a timestamp"))?,
        )),
        (Kind::Bytes, Null) => Value::Bytes(None),
        (Kind::Bytes | Kind::Dynamic, Blob(b)) => Value::Bytes(Some(b.to_vec())),
        (Kind::Bytes, ValueRef::Text(t)) => Value::Bytes(Some(t.to_vec())),
        (kind, raw) => return Err(format!("a {kind:?} column holds {:?}", raw.data_type())),
    })
}

/// Reads what sqlx writes (RFC 3339) and what SQLite's `CURRENT_TIMESTAMP` writes
/// (`YYYY-MM-DD HH:MM:SS`, UTC), as sqlx's own decoder does.
fn parse_timestamp(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Ok(parsed.with_timezone(&Utc));
    }
    ["%F %T%.f", "%FT%T%.f", "%F %R"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .map(|naive| Utc.from_utc_datetime(&naive))
        .ok_or_else(|| format!("{text:?} is not a timestamp"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_the_variant_of_their_column() {
        assert_eq!(
            value(Kind::Int, ValueRef::Integer(7)),
            Ok(Value::Int(Some(7)))
        );
        assert_eq!(value(Kind::BigInt, ValueRef::Null), Ok(Value::BigInt(None)));
        assert_eq!(
            value(Kind::Bool, ValueRef::Integer(1)),
            Ok(Value::Bool(Some(true)))
        );
        assert_eq!(value(Kind::Text, ValueRef::Null), Ok(Value::String(None)));
        assert_eq!(
            value(
                Kind::Timestamp,
                ValueRef::Text(b"2026-12-02T05:36:10.5+00:00")
            ),
            Ok(Value::ChronoDateTimeUtc(Some(
                Utc.with_ymd_and_hms(2026, 12, 2, 5, 36, 10).unwrap()
                    + chrono::Duration::milliseconds(500)
            )))
        );
        assert_eq!(
            value(Kind::Timestamp, ValueRef::Text(b"2026-12-02 05:36:10")),
            Ok(Value::ChronoDateTimeUtc(Some(
                Utc.with_ymd_and_hms(2026, 12, 2, 5, 36, 10).unwrap()
            )))
        );
        assert!(value(Kind::Int, ValueRef::Integer(1 << 40)).is_err());
        assert!(value(Kind::BigInt, ValueRef::Text(b"7")).is_err());
    }
}
