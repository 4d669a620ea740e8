//! Project mutations.
use async_graphql::{Context, Object};

use crate::accounts::projects::create_project;
use crate::graphql::types::project::Project;
use crate::graphql::{bad_input, state, viewer};

#[derive(Default)]
pub struct ProjectMutations;

#[Object]
impl ProjectMutations {
    /// Creates a project with one active DSN key.
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<Project> {
        let viewer = viewer(ctx)?;
        let (project, _key) = create_project(&state(ctx).db, viewer.organization_id, &name)
            .await
            .map_err(|e| bad_input(e.to_string()))?;
        Ok(Project(project))
    }
}
