//! The pages behind the one-time links the server hands out — `/setup` (first owner),
//! `/invitation` and `/reset-password` — as plain HTML forms that post back to themselves: no
//! script, so they work whatever the browser runs, under the web interface's Content-Security-Policy
//! and with its stylesheet. Each calls the same domain functions as the GraphQL mutations
//! (`accounts::links`); success signs the person in and opens the web interface.
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use larder_integrations::html_escape;
use serde::Deserialize;

use super::web;
use crate::accounts::{AccountError, links, sessions};
use crate::app::AppState;

#[derive(Deserialize)]
pub struct Token {
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct Submitted {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// Which link a page serves, and the fields its form asks for.
#[derive(Clone, Copy)]
enum Link {
    Setup,
    Invitation,
    Reset,
}

impl Link {
    fn path(self) -> &'static str {
        match self {
            Link::Setup => "/setup",
            Link::Invitation => "/invitation",
            Link::Reset => "/reset-password",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Link::Setup => "Create the first owner",
            Link::Invitation => "Join your team on Larder",
            Link::Reset => "Choose a new password",
        }
    }

    fn asks_email(self) -> bool {
        matches!(self, Link::Setup)
    }

    fn asks_name(self) -> bool {
        !matches!(self, Link::Reset)
    }
}

fn page(link: Link, token: &str, error: Option<&str>, status: StatusCode) -> Response {
    let field = |label: &str, name: &str, kind: &str, autocomplete: &str| {
        format!(
            "<label>{label}<input name=\"{name}\" type=\"{kind}\" autocomplete=\"{autocomplete}\" required></label>"
        )
    };
    let mut fields = String::new();
    if link.asks_email() {
        fields.push_str(&field("Email", "email", "email", "username"));
    }
    if link.asks_name() {
        fields.push_str(
            "<label>Name<input name=\"name\" type=\"text\" autocomplete=\"name\"></label>",
        );
    }
    fields.push_str(&field(
        "Password (at least 10 characters)",
        "password",
        "password",
        "new-password",
    ));
    let error = error
        .map(|e| format!("<p role=\"alert\">{}</p>", html_escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title} · Larder</title>{stylesheet}</head>\
         <body class=\"signed-out\"><main class=\"page\"><h1>{title}</h1>{error}<form method=\"post\" action=\"{path}\">\
         <input type=\"hidden\" name=\"token\" value=\"{token}\">{fields}<button type=\"submit\">Continue</button></form></main></body></html>",
        title = link.title(),
        path = link.path(),
        token = html_escape(token),
        stylesheet = web::stylesheet_link(),
    );
    web::secured((status, Html(body)).into_response())
}

pub async fn setup_form(Query(query): Query<Token>) -> Response {
    page(Link::Setup, &query.token, None, StatusCode::OK)
}

pub async fn invitation_form(Query(query): Query<Token>) -> Response {
    page(Link::Invitation, &query.token, None, StatusCode::OK)
}

pub async fn reset_form(Query(query): Query<Token>) -> Response {
    page(Link::Reset, &query.token, None, StatusCode::OK)
}

pub async fn setup(State(state): State<AppState>, Form(form): Form<Submitted>) -> Response {
    let name = Some(form.name.as_str()).filter(|n| !n.trim().is_empty());
    let result =
        links::complete_setup(&state.db, &form.token, &form.email, name, &form.password).await;
    signed_in(&state, Link::Setup, &form.token, result).await
}

pub async fn invitation(State(state): State<AppState>, Form(form): Form<Submitted>) -> Response {
    let name = Some(form.name.as_str()).filter(|n| !n.trim().is_empty());
    let result = links::accept_invitation(&state.db, &form.token, &form.password, name).await;
    signed_in(&state, Link::Invitation, &form.token, result).await
}

pub async fn reset(State(state): State<AppState>, Form(form): Form<Submitted>) -> Response {
    match links::reset_password(&state.db, &form.token, &form.password).await {
        Ok(_) => Html(
            format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Password changed · Larder</title>{}</head>\
             <body class=\"signed-out\"><main class=\"page\"><h1>Password changed</h1><p><a href=\"/login\">Sign in</a> with your new password.</p></main></body></html>", web::stylesheet_link()),
        )
        .into_response(),
        Err(error) => refusal(Link::Reset, &form.token, error),
    }
}

/// A user who just proved who they are: a session cookie, and on to the web interface.
async fn signed_in(
    state: &AppState,
    link: Link,
    token: &str,
    result: Result<entity::user_account::Model, AccountError>,
) -> Response {
    let user = match result {
        Ok(user) => user,
        Err(error) => return refusal(link, token, error),
    };
    let opened = match sessions::open(&state.db, user, None, state.config.session_lifetime).await {
        Ok(opened) => opened,
        Err(error) => return refusal(link, token, error),
    };
    let cookie = sessions::cookie(
        &opened.token,
        state.config.session_lifetime,
        &state.config.public_url,
    );
    let mut response = Redirect::to("/").into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

fn refusal(link: Link, token: &str, error: AccountError) -> Response {
    match error {
        AccountError::Invalid(message) => {
            page(link, token, Some(&message), StatusCode::BAD_REQUEST)
        }
        AccountError::NotFound(what) => page(
            link,
            token,
            Some(&format!("{what} not found")),
            StatusCode::BAD_REQUEST,
        ),
        other => {
            tracing::error!(error = %other, "a one-time link failed");
            page(
                link,
                token,
                Some("something went wrong; try again"),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    }
}
