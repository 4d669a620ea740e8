//! Table and index builders shared by the migrations, so each migration reads as a list of
//! tables and the query paths they serve.
use sea_orm_migration::{prelude::*, schema::*};

/// Creates `name` with a big auto-increment `id` primary key and the given columns.
pub fn table(name: &str, columns: Vec<ColumnDef>) -> TableCreateStatement {
    let mut statement = Table::create()
        .table(Alias::new(name))
        .col(big_pk_auto(Alias::new("id")))
        .to_owned();
    for mut column in columns {
        statement.col(&mut column);
    }
    statement
}

pub fn index(
    table: &'static str,
    name: &'static str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut statement = Index::create()
        .name(name)
        .table(Alias::new(table))
        .to_owned();
    for column in columns {
        statement.col(Alias::new(*column));
    }
    statement
}

pub fn unique_index(
    table: &'static str,
    name: &'static str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    index(table, name, columns).unique().to_owned()
}

pub fn c(name: &'static str) -> Alias {
    Alias::new(name)
}

/// Creates the tables, then the indexes (an `up` is a list of both).
pub async fn create_all(
    manager: &SchemaManager<'_>,
    tables: Vec<TableCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
) -> Result<(), DbErr> {
    for statement in tables {
        manager.create_table(statement).await?;
    }
    for statement in indexes {
        manager.create_index(statement).await?;
    }
    Ok(())
}

/// Drops the tables in the order given (dependents first).
pub async fn drop_tables(manager: &SchemaManager<'_>, names: &[&'static str]) -> Result<(), DbErr> {
    for name in names {
        manager
            .drop_table(Table::drop().table(Alias::new(*name)).to_owned())
            .await?;
    }
    Ok(())
}
