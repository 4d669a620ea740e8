//! Organizations, projects, DSN keys and API tokens: what the CLI and the GraphQL API create.
pub mod organizations;
pub mod projects;
pub mod tokens;
