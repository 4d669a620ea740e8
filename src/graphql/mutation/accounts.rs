//! Sign-in, sign-out, the one-time links (setup, invitation, password reset), organizations,
//! members and roles, teams, and API tokens. Each resolver checks the caller, then calls
//! `crate::accounts`; sign-in and the links are the only fields open without credentials.
use async_graphql::{Context, ErrorExtensions, ID, Object};
use axum::http::header::SET_COOKIE;
use chrono::{DateTime, Utc};
use entity::states;

use crate::accounts::access;
use crate::accounts::scopes::{Scope, Scopes};
use crate::accounts::sessions::{self, OpenedSession, SignInError};
use crate::accounts::tokens::{self, NewToken};
use crate::accounts::{AccountError, audit, links, members, organizations, teams, users};
use crate::app::AppState;
use crate::graphql::types::accounts::{
    CreatedApiToken, Invitation, Member, Organization, Role, Session, Team, User,
};
use crate::graphql::{
    account_error, authorize, bad_input, caller, forbidden, internal, not_found, parse_id,
    signed_in_user, state, unauthenticated,
};

#[derive(Default)]
pub struct AccountMutations;

/// Hands a new session to the client: in the answer, and as an `HttpOnly` cookie for browsers.
fn hand_over(ctx: &Context<'_>, opened: OpenedSession) -> Session {
    let app = state(ctx);
    ctx.append_http_header(
        SET_COOKIE,
        sessions::cookie(
            &opened.token,
            app.config.session_lifetime,
            &app.config.public_url,
        ),
    );
    Session {
        csrf_token: sessions::csrf_token(&opened.token),
        token: opened.token,
        expires_at: opened.session.expires_at,
        user: User::from(opened.user),
    }
}

async fn open_session(
    ctx: &Context<'_>,
    user: entity::user_account::Model,
) -> async_graphql::Result<Session> {
    let app = state(ctx);
    let client = caller(ctx).client_address.as_deref();
    let opened = sessions::open(&app.db, user, client, app.config.session_lifetime)
        .await
        .map_err(account_error)?;
    Ok(hand_over(ctx, opened))
}

/// Sends a link by the server's mail, or says it could not (the caller shows it instead).
async fn mail_link(app: &AppState, to: &str, subject: &str, body: String) -> bool {
    let Some(mailer) = &app.mailer else {
        return false;
    };
    match mailer.send(to, subject, body).await {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(%error, "sending account mail failed");
            false
        }
    }
}

fn parse_ids(ids: &[ID], what: &str) -> async_graphql::Result<Vec<i64>> {
    ids.iter().map(|id| parse_id(id, what)).collect()
}

#[Object]
impl AccountMutations {
    /// Signs in with e-mail and password. A wrong e-mail and a wrong password get the same
    /// answer; after 10 failures for an account (50 from one address) within 15 minutes the
    /// answer is HTTP 429 with `Retry-After`.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> async_graphql::Result<Session> {
        let app = state(ctx);
        let client = caller(ctx).client_address.as_deref();
        let opened = sessions::sign_in(
            &app.db,
            &app.sign_in_throttle,
            &email,
            &password,
            client,
            app.config.session_lifetime,
        )
        .await
        .map_err(|error| match error {
            SignInError::WrongCredentials => unauthenticated("wrong email or password"),
            SignInError::Throttled(wait) => async_graphql::Error::new(error.to_string())
                .extend_with(|_, e| {
                    e.set("code", "RATE_LIMITED");
                    e.set("retryAfter", wait.as_secs().max(1));
                }),
            SignInError::Account(error) => account_error(error),
        })?;
        Ok(hand_over(ctx, opened))
    }

    /// Ends the session the request came with (and clears its cookie).
    async fn sign_out(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        signed_in_user(ctx)?;
        let Some(session_id) = caller(ctx).session_id else {
            return Err(bad_input(
                "this request has no session: API tokens are revoked instead",
            ));
        };
        sessions::close(&state(ctx).db, session_id)
            .await
            .map_err(internal)?;
        ctx.append_http_header(SET_COOKIE, sessions::removed_cookie());
        Ok(true)
    }

    /// Redeems the first-run setup link (printed in the server log while there is no user):
    /// creates the first user, owner of the first organization, and signs them in.
    async fn complete_setup(
        &self,
        ctx: &Context<'_>,
        token: String,
        email: String,
        password: String,
        name: Option<String>,
    ) -> async_graphql::Result<Session> {
        let user =
            links::complete_setup(&state(ctx).db, &token, &email, name.as_deref(), &password)
                .await
                .map_err(account_error)?;
        open_session(ctx, user).await
    }

    /// Accepts an invitation: a new account with this password and name, or — for an address
    /// that has one — its existing password. Signs in.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        token: String,
        password: String,
        name: Option<String>,
    ) -> async_graphql::Result<Session> {
        let user = links::accept_invitation(&state(ctx).db, &token, &password, name.as_deref())
            .await
            .map_err(account_error)?;
        open_session(ctx, user).await
    }

    /// E-mails a password-reset link (valid 1 hour) when the address has an account. Always
    /// answers true, so the answer does not tell which addresses have accounts.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> async_graphql::Result<bool> {
        let app = state(ctx);
        if let Some((user, link)) = links::password_reset(&app.db, &email)
            .await
            .map_err(account_error)?
        {
            let url = format!(
                "{}/reset-password?token={}",
                app.config.public_url, link.token
            );
            let body = format!(
                "Someone asked to reset the password of your Larder account {}.\n\n\
                 Choose a new password here (the link works once, for one hour):\n{url}\n\n\
                 If it was not you, ignore this message.\n",
                user.email
            );
            if !mail_link(app, &user.email, "Reset your Larder password", body).await {
                tracing::warn!(
                    "a password reset was asked for but no mail could be sent (see --smtp-url)"
                );
            }
        }
        Ok(true)
    }

    /// Sets a new password with a reset link; every session of the account ends.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        token: String,
        password: String,
    ) -> async_graphql::Result<bool> {
        links::reset_password(&state(ctx).db, &token, &password)
            .await
            .map_err(account_error)?;
        Ok(true)
    }

    /// Creates an organization with the signed-in user as its owner.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        slug: String,
        name: Option<String>,
    ) -> async_graphql::Result<Organization> {
        let user = signed_in_user(ctx)?;
        let db = &state(ctx).db;
        let organization = organizations::create(db, &slug, name.as_deref())
            .await
            .map_err(account_error)?;
        users::add_member(db, organization.id, user, states::Role::Owner)
            .await
            .map_err(account_error)?;
        Ok(Organization::from(organization))
    }

    /// Invites a person by e-mail with a role and teams. The link (valid 7 days) is e-mailed
    /// when the server has mail settings (`--smtp-url`); otherwise it is returned to pass on.
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        email: String,
        role: Role,
        #[graphql(default)] teams: Vec<ID>,
    ) -> async_graphql::Result<Invitation> {
        let viewer = authorize(ctx, Scope::MemberWrite)?;
        let app = state(ctx);
        let team_ids = parse_ids(&teams, "team")?;
        let link = links::invite(&app.db, viewer, &email, role.into(), &team_ids)
            .await
            .map_err(account_error)?;
        let email = link.row.email.clone().unwrap_or_default();
        let url = format!("{}/invitation?token={}", app.config.public_url, link.token);
        let body = format!(
            "{} invited you to Larder, the error tracker, as {}.\n\n\
             Accept here (the link works once, for 7 days):\n{url}\n",
            viewer.actor,
            role_name(role)
        );
        let emailed = mail_link(app, &email, "You are invited to Larder", body).await;
        Ok(Invitation {
            email,
            role,
            expires_at: link.row.expires_at,
            emailed,
            link: (!emailed).then_some(url),
        })
    }

    /// Changes a member's role. Only owners make or unmake owners; one owner always remains.
    async fn update_member_role(
        &self,
        ctx: &Context<'_>,
        id: ID,
        role: Role,
    ) -> async_graphql::Result<Member> {
        let viewer = authorize(ctx, Scope::MemberWrite)?;
        members::change_role(
            &state(ctx).db,
            viewer,
            parse_id(&id, "member")?,
            role.into(),
        )
        .await
        .map(Member::from)
        .map_err(account_error)
    }

    /// Removes a member; their sessions end at once.
    async fn remove_member(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let viewer = authorize(ctx, Scope::MemberWrite)?;
        members::remove(&state(ctx).db, viewer, parse_id(&id, "member")?)
            .await
            .map_err(account_error)?;
        Ok(true)
    }

    async fn create_team(
        &self,
        ctx: &Context<'_>,
        slug: String,
        name: Option<String>,
    ) -> async_graphql::Result<Team> {
        let viewer = authorize(ctx, Scope::OrgWrite)?;
        teams::create(&state(ctx).db, viewer, &slug, name.as_deref())
            .await
            .map(Team::from)
            .map_err(account_error)
    }

    async fn delete_team(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let viewer = authorize(ctx, Scope::OrgWrite)?;
        teams::delete(&state(ctx).db, viewer, parse_id(&id, "team")?)
            .await
            .map_err(account_error)?;
        Ok(true)
    }

    /// Puts a member in a team (`member: true`) or takes them out.
    async fn set_team_membership(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        member_id: ID,
        member: bool,
    ) -> async_graphql::Result<Team> {
        let viewer = authorize(ctx, Scope::OrgWrite)?;
        let db = &state(ctx).db;
        let team_id = parse_id(&team_id, "team")?;
        let target = members::find(db, viewer, parse_id(&member_id, "member")?)
            .await
            .map_err(account_error)?;
        teams::set_membership(db, viewer, team_id, &target, member)
            .await
            .map_err(account_error)?;
        teams::find(db, viewer, team_id)
            .await
            .map(Team::from)
            .map_err(account_error)
    }

    /// Gives a project to exactly these teams; with none, every member sees it.
    async fn set_project_teams(
        &self,
        ctx: &Context<'_>,
        project_id: ID,
        teams: Vec<ID>,
    ) -> async_graphql::Result<Vec<Team>> {
        let viewer = authorize(ctx, Scope::ProjectAdmin)?;
        let db = &state(ctx).db;
        let project = access::project(db, viewer, parse_id(&project_id, "project")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("project"))?;
        crate::accounts::teams::set_project_teams(
            db,
            viewer,
            &project,
            &parse_ids(&teams, "team")?,
        )
        .await
        .map_err(account_error)?;
        let given = crate::accounts::teams::of_project(db, project.id)
            .await
            .map_err(internal)?;
        Ok(given.into_iter().map(Team::from).collect())
    }

    /// Creates an API token and returns its secret, this once. A personal token acts as its
    /// creator (never beyond their role); an organization token (`personal: false`, admins)
    /// acts for the organization. Its scopes can only be scopes the creator holds.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        name: String,
        scopes: Vec<String>,
        #[graphql(default = true)] personal: bool,
        expires_at: Option<DateTime<Utc>>,
    ) -> async_graphql::Result<CreatedApiToken> {
        let viewer = crate::graphql::viewer(ctx)?;
        let scopes = Scopes::parse_list(&scopes).map_err(bad_input)?;
        if !scopes.is_subset_of(viewer.scopes) {
            let missing: Vec<_> = scopes
                .iter()
                .filter(|s| !viewer.has(*s))
                .map(Scope::name)
                .collect();
            return Err(forbidden(&format!(
                "a token cannot exceed its creator: you lack {}",
                missing.join(", ")
            )));
        }
        let user_id = if personal {
            Some(signed_in_user(ctx)?.id)
        } else {
            authorize(ctx, Scope::OrgWrite)?;
            None
        };
        let db = &state(ctx).db;
        let new = NewToken {
            organization_id: viewer.organization_id,
            name: &name,
            user_id,
            scopes,
            expires_at,
        };
        let (row, token) = tokens::create(db, new)
            .await
            .map_err(|e| account_error(AccountError::Invalid(e.to_string())))?;
        audit::record(
            db,
            viewer,
            "token.create",
            format!("token:{} ({})", row.name, row.token_prefix),
        )
        .await
        .map_err(internal)?;
        Ok(CreatedApiToken {
            token,
            api_token: row.into(),
        })
    }

    /// Revokes a token of the organization: it stops working at once. Members revoke their
    /// own personal tokens; admins any.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let viewer = crate::graphql::viewer(ctx)?;
        let db = &state(ctx).db;
        let token = tokens::find_in(db, viewer.organization_id, parse_id(&id, "token")?)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found("token"))?;
        let own = token.user_id.is_some() && token.user_id == viewer.user_id;
        if !own {
            authorize(ctx, Scope::OrgWrite)?;
        }
        let revoked = tokens::revoke(db, token).await.map_err(internal)?;
        audit::record(
            db,
            viewer,
            "token.revoke",
            format!("token:{} ({})", revoked.name, revoked.token_prefix),
        )
        .await
        .map_err(internal)?;
        Ok(true)
    }
}

fn role_name(role: Role) -> &'static str {
    states::Role::from(role).as_str()
}
