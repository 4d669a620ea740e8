//! Durability: a server under concurrent ingest is killed with SIGKILL; after a restart every
//! event that was answered 200 is in the database, and nothing half-written is left behind.
use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn larder(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_larder"));
    command
        .env("LARDER_DATABASE_URL", database_url)
        .env_remove("LARDER_PUBLIC_URL");
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn serve(database_url: &str, port: u16) -> Child {
    let mut child = larder(database_url)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("http://127.0.0.1:{port}/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not become ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_events_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}/larder.db", dir.path().display());
    let port = free_port();
    let output = larder(&database_url)
        .args([
            "project",
            "create",
            "crash",
            "--public-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .unwrap();
    let dsn = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .to_string();
    let key = dsn
        .trim_start_matches("http://")
        .split('@')
        .next()
        .unwrap()
        .to_string();
    let mut server = serve(&database_url, port).await;

    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let client = reqwest::Client::new();
    let mut senders = Vec::new();
    for worker in 0..16 {
        let (client, key, acknowledged) = (client.clone(), key.clone(), acknowledged.clone());
        senders.push(tokio::spawn(async move {
            for n in 0..10_000 {
                let event_id = format!("{worker:08x}{n:024x}");
                let body = format!(
                    "{{\"event_id\":\"{event_id}\"}}\n{{\"type\":\"event\"}}\n{{\"message\":\"crash test {}\",\"level\":\"error\"}}\n",
                    n % 50
                );
                let response = client
                    .post(format!("http://127.0.0.1:{port}/api/1/envelope/"))
                    .header("x-sentry-auth", format!("Sentry sentry_key={key}, sentry_version=7"))
                    .body(body)
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status() == 200 => {
                        acknowledged.lock().unwrap().insert(event_id);
                    }
                    Ok(_) => {}
                    Err(_) => return, // the server is gone
                }
            }
        }));
    }
    // Let ingest run, then kill the server mid-flight (SIGKILL: no shutdown of any kind).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().unwrap();
    server.wait().unwrap();
    for sender in senders {
        let _ = sender.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 50,
        "the server was under load: {} acknowledged",
        acknowledged.len()
    );

    // Restart on the same file and compare.
    let mut server = serve(&database_url, port).await;
    let db = larder::db::connect(&database_url).await.unwrap();
    use sea_orm::{EntityTrait, QuerySelect};
    let stored: HashSet<String> = entity::event::Entity::find()
        .select_only()
        .column(entity::event::Column::EventId)
        .into_tuple()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let lost: Vec<&String> = acknowledged.difference(&stored).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    // Every stored event belongs to an issue whose count includes it (no half-written batch).
    let issues = entity::issue::Entity::find().all(&db).await.unwrap();
    let counted: i64 = issues.iter().map(|i| i.times_seen).sum();
    assert_eq!(
        counted,
        stored.len() as i64,
        "issue counters match the stored events"
    );
    server.kill().unwrap();
    let _ = server.wait();
}
