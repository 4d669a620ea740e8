//! The `larder` binary as a script would use it: results on the last line, non-zero on error.
use std::process::Command;

#[path = "common/fixtures.rs"]
mod fixtures;

fn larder(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_larder"))
        .args(args)
        .env("LARDER_DATABASE_URL", database_url)
        .env_remove("LARDER_PUBLIC_URL")
        .output()
        .expect("larder runs")
}

fn last_line(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn project_and_token_commands_print_their_result_last() {
    let dir = tempfile::tempdir().unwrap();
    // A folder that does not exist yet: created on first use.
    let url = format!("sqlite://{}/nested/larder.db", dir.path().display());

    let output = larder(
        &url,
        &[
            "project",
            "create",
            "Shop API",
            "--public-url",
            "https://errors.example.com",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let dsn = last_line(&output);
    let (key, rest) = dsn
        .strip_prefix("https://")
        .unwrap()
        .split_once('@')
        .unwrap();
    assert_eq!(key.len(), 32);
    assert_eq!(rest, "errors.example.com/1");

    let output = larder(&url, &["project", "create", "Shop API", "--org", "acme"]);
    assert!(output.status.success(), "{output:?}");
    assert!(last_line(&output).ends_with("/2"));

    let output = larder(&url, &["token", "create", "--name", "ci"]);
    assert!(output.status.success(), "{output:?}");
    let token = last_line(&output);
    assert!(token.starts_with("ldr_") && token.len() > 40, "{token}");

    let output = larder(&url, &["migrate"]);
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn schema_command_prints_the_committed_sdl() {
    let output = larder("sqlite::memory:", &["schema"]);
    assert!(output.status.success());
    let committed = std::fs::read_to_string(fixtures::checkout().join("schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), committed);
}

#[test]
fn errors_exit_non_zero_with_a_message() {
    let output = larder("postgres://nobody@127.0.0.1:1/none", &["migrate"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot open database"),
        "{output:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/larder.db", dir.path().display());
    let output = larder(&url, &["project", "create", "x", "--org", "Not A Slug"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("invalid slug"),
        "{output:?}"
    );

    let output = larder(&url, &["project", "create", "   "]);
    assert!(!output.status.success());
}

#[tokio::test]
async fn seed_fills_a_project_through_the_writer() {
    use sea_orm::{ConnectionTrait, Statement};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/larder.db", dir.path().display());

    let output = larder(
        &url,
        &[
            "seed", "demo", "--issues", "25", "--events", "300", "--days", "2",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    assert!(last_line(&output).ends_with("/1"), "a DSN last: {output:?}");

    let db = larder::db::connect(&url).await.unwrap();
    let count = |sql: &'static str| {
        let db = db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(count("SELECT COUNT(*) FROM event").await, 300);
    // Every seeded error stays its own issue (none joined another by similarity).
    assert_eq!(count("SELECT COUNT(*) FROM issue").await, 25);
    assert_eq!(count("SELECT SUM(times_seen) FROM issue").await, 300);
    assert_eq!(count("SELECT SUM(times_seen) FROM issue_stat").await, 300);
    assert_eq!(
        count("SELECT COUNT(DISTINCT issue_id) FROM issue_tag").await,
        25
    );
    // Timestamps spread over the last two days.
    assert!(count("SELECT COUNT(DISTINCT bucket) FROM issue_stat").await > 10);

    let output = larder(&url, &["seed", "empty", "--issues", "5", "--events", "2"]);
    assert!(
        !output.status.success(),
        "fewer events than issues is refused"
    );
}

/// Runs larder with `stdin` on standard input.
fn larder_with_input(database_url: &str, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_larder"))
        .args(args)
        .env("LARDER_DATABASE_URL", database_url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("larder runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_create_reads_the_password_from_stdin_and_prints_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/larder.db", dir.path().display());
    let args = [
        "user",
        "create",
        "Ada@Example.com",
        "--org",
        "acme",
        "--role",
        "owner",
        "--name",
        "Ada",
    ];
    let output = larder_with_input(&url, &args, "correct horse battery\nignored second line\n");
    assert!(output.status.success(), "{output:?}");
    assert_eq!(last_line(&output), "1");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("ada@example.com (owner) in organization acme"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("correct horse"),
        "the password is never echoed"
    );

    let output = larder_with_input(&url, &args, "another good password\n");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("already exists"),
        "{output:?}"
    );
    let output = larder_with_input(&url, &["user", "create", "bob@example.com"], "short\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("at least 10 characters"),
        "{output:?}"
    );
}

#[test]
fn token_create_takes_scopes_and_an_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/larder.db", dir.path().display());
    let output = larder(
        &url,
        &[
            "token",
            "create",
            "--scope",
            "event:read,project:read",
            "--expires",
            "30d",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    assert!(last_line(&output).starts_with("ldr_"));
    let output = larder(&url, &["token", "create", "--scope", "event:reed"]);
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("unknown scope \"event:reed\""),
        "{output:?}"
    );
    let output = larder(&url, &["token", "create", "--expires", "soon"]);
    assert!(!output.status.success());
}

#[tokio::test]
async fn secrets_rotate_reseals_under_a_new_key_file() {
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/larder.db", dir.path().display());
    let key_file = dir.path().join("secret.key");
    let db = larder::db::connect_and_migrate(&url).await.unwrap();
    let old = larder::secrets::load_or_create(None, &key_file).unwrap();
    let row = entity::integration::ActiveModel {
        organization_id: Set(1),
        name: Set("hook".into()),
        kind: Set("webhook".into()),
        config: Set(old.seal(r#"{"type":"webhook","url":"http://x.io/h","secret":"s3cr3t"}"#)),
        enabled: Set(true),
        created_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(&db)
    .await
    .unwrap();
    let old_file = std::fs::read_to_string(&key_file).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_larder"))
        .args(["secrets", "rotate"])
        .env("LARDER_DATABASE_URL", &url)
        .env_remove("LARDER_SECRET_KEY")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(last_line(&output).contains("re-sealed 1"), "{output:?}");
    let new_file = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(old_file, new_file);
    assert!(!dir.path().join("secret.key.new").exists());

    let stored = entity::integration::Entity::find_by_id(row.id)
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .config;
    let new = larder::secrets::load_or_create(None, &key_file).unwrap();
    assert!(new.open(&stored).unwrap().contains("s3cr3t"));
    assert!(old.open(&stored).is_err(), "the old key no longer opens it");
}
