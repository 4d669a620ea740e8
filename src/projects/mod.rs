//! A project after it exists: its settings as people change them (`settings`), and what its
//! events have shown (`seen`). Creating projects and their DSN keys is `accounts::projects`.
pub mod seen;
pub mod settings;
