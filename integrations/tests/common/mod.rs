//! Test fixtures: a sample notification, a recording HTTP server (axum), a server that never
//! answers, a refused port, and an in-process SMTP sink that speaks real SMTP.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use larder_integrations::{FrameSummary, IssueSummary, Notification, NotificationKind, ProjectRef};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------------------------
// Sample data
// ---------------------------------------------------------------------------------------------

pub const KEY: &str = "delivery-42-7f3a";

pub fn notification() -> Notification {
    Notification {
        kind: NotificationKind::NewIssue,
        idempotency_key: KEY.to_string(),
        organization: "acme".to_string(),
        project: ProjectRef {
            id: 3,
            name: "Web Frontend".to_string(),
            slug: "web".to_string(),
        },
        issue: IssueSummary {
            id: 42,
            title: "ZeroDivisionError: division by zero".to_string(),
            culprit: "app.views in checkout".to_string(),
            level: "error".to_string(),
            status: "unresolved".to_string(),
            count: 17,
            user_count: 5,
            first_seen: "2024-05-01T10:00:00Z".parse().unwrap(),
            last_seen: "2024-05-02T11:30:00Z".parse().unwrap(),
            url: "https://larder.example/acme/web/issues/42/".to_string(),
        },
        top_frames: vec![
            FrameSummary {
                module: Some("app.views".to_string()),
                filename: Some("app/views.py".to_string()),
                function: Some("checkout".to_string()),
                lineno: Some(42),
                context_line: Some("    total = amount / count".to_string()),
            },
            FrameSummary {
                module: Some("app.cart".to_string()),
                filename: Some("app/cart.py".to_string()),
                function: Some("compute".to_string()),
                lineno: Some(7),
                context_line: Some("return checkout(cart)".to_string()),
            },
        ],
        event_id: Some("9f2c1e0d4b5a4e8f9a7b6c5d4e3f2a1b".to_string()),
        environment: Some("production".to_string()),
        release: Some("web@1.4.2".to_string()),
        rule_name: Some("Notify on new issues".to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Recording HTTP server
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(&self.body)
            .into_owned()
            .collect()
    }

    pub fn query_pairs(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .into_owned()
            .collect()
    }

    /// `(user, password)` from a Basic Authorization header.
    pub fn basic_auth(&self) -> Option<(String, String)> {
        let encoded = self.header("authorization")?.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, pass) = decoded.split_once(':')?;
        Some((user.to_string(), pass.to_string()))
    }
}

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.to_string(),
            headers: vec![],
        }
    }

    pub fn text(status: u16, body: &str) -> Self {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_string(),
            headers: vec![],
        }
    }

    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }
}

type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

#[derive(Clone)]
struct ServerState {
    handler: Handler,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

pub struct MockServer {
    pub url: String,
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Serves every request with `handler`, recording it first.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = ServerState {
            handler: Arc::new(handler),
            requests: requests.clone(),
        };
        let app = axum::Router::new().fallback(record).with_state(state);
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        MockServer {
            url: format!("http://{addr}"),
            addr,
            requests,
            task,
        }
    }

    /// Answers every request with the same reply.
    pub async fn always(reply: Reply) -> Self {
        Self::start(move |_| reply.clone()).await
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State(state): State<ServerState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let recorded = Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().map(str::to_string),
        headers,
        body: body.to_vec(),
    };
    let reply = (state.handler)(&recorded);
    state.requests.lock().unwrap().push(recorded);
    let mut response = (
        StatusCode::from_u16(reply.status).unwrap(),
        [("content-type", reply.content_type)],
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    response
}

// ---------------------------------------------------------------------------------------------
// Dead endpoints
// ---------------------------------------------------------------------------------------------

/// An address where nothing listens: connecting is refused.
pub fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

/// Accepts connections and never says a word (nor closes them while the test runs).
pub struct SilentServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl SilentServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        SilentServer { addr, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

// ---------------------------------------------------------------------------------------------
// SMTP sink
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
pub struct SmtpSession {
    pub ehlo: Option<String>,
    /// `(mechanism, user, password)` as decoded from AUTH PLAIN / LOGIN.
    pub auth: Option<(String, String, String)>,
    pub mail_from: Option<String>,
    pub rcpt_to: Vec<String>,
    /// The DATA section, dot-unstuffed, CRLF line ends.
    pub data: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SmtpBehaviour {
    /// What EHLO advertises after `AUTH`.
    pub auth_mechanisms: &'static str,
    /// Reply to a completed AUTH exchange.
    pub auth_reply: &'static str,
    /// Reply to MAIL FROM.
    pub mail_reply: &'static str,
    /// Reply to every RCPT TO.
    pub rcpt_reply: &'static str,
}

impl Default for SmtpBehaviour {
    fn default() -> Self {
        SmtpBehaviour {
            auth_mechanisms: "PLAIN LOGIN",
            auth_reply: "235 2.7.0 Authentication successful",
            mail_reply: "250 2.1.0 Ok",
            rcpt_reply: "250 2.1.5 Ok",
        }
    }
}

pub struct SmtpSink {
    pub port: u16,
    sessions: Arc<Mutex<Vec<SmtpSession>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    pub async fn start(behaviour: SmtpBehaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sessions = Arc::new(Mutex::new(Vec::new()));
        let sessions_task = sessions.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let sessions = sessions_task.clone();
                let behaviour = behaviour.clone();
                tokio::spawn(async move {
                    let session = smtp_session(socket, &behaviour).await;
                    sessions.lock().unwrap().push(session);
                });
            }
        });
        SmtpSink {
            port,
            sessions,
            task,
        }
    }

    /// The finished sessions, waiting (up to 5 s) until at least `n` have ended: the client may
    /// return before the sink has noticed the connection close.
    pub async fn sessions(&self, n: usize) -> Vec<SmtpSession> {
        for _ in 0..500 {
            let sessions = self.sessions.lock().unwrap().clone();
            if sessions.len() >= n {
                return sessions;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("fewer than {n} SMTP sessions ended");
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn b64(s: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .expect("client sent invalid base64");
    String::from_utf8(bytes).unwrap()
}

async fn smtp_session(socket: tokio::net::TcpStream, b: &SmtpBehaviour) -> SmtpSession {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut session = SmtpSession::default();
    macro_rules! say {
        ($($arg:tt)*) => {
            if write.write_all(format!("{}\r\n", format!($($arg)*)).as_bytes()).await.is_err() {
                return session;
            }
        };
    }
    say!("220 sink.test ESMTP ready");
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            session.ehlo = Some(line[4..].trim().to_string());
            say!("250-sink.test greets you");
            say!("250-AUTH {}", b.auth_mechanisms);
            say!("250-8BITMIME");
            say!("250 SMTPUTF8");
        } else if upper.starts_with("AUTH PLAIN") {
            let initial = line[10..].trim().to_string();
            let payload = if initial.is_empty() {
                say!("334 ");
                lines.next_line().await.ok().flatten().unwrap_or_default()
            } else {
                initial
            };
            let decoded = b64(&payload);
            let mut parts = decoded.split('\0');
            let _authzid = parts.next();
            let user = parts.next().unwrap_or_default().to_string();
            let pass = parts.next().unwrap_or_default().to_string();
            session.auth = Some(("PLAIN".to_string(), user, pass));
            say!("{}", b.auth_reply);
        } else if upper.starts_with("AUTH LOGIN") {
            say!("334 VXNlcm5hbWU6");
            let user = b64(&lines.next_line().await.ok().flatten().unwrap_or_default());
            say!("334 UGFzc3dvcmQ6");
            let pass = b64(&lines.next_line().await.ok().flatten().unwrap_or_default());
            session.auth = Some(("LOGIN".to_string(), user, pass));
            say!("{}", b.auth_reply);
        } else if upper.starts_with("MAIL FROM:") {
            session.mail_from = Some(line[10..].trim().to_string());
            say!("{}", b.mail_reply);
        } else if upper.starts_with("RCPT TO:") {
            session.rcpt_to.push(line[8..].trim().to_string());
            say!("{}", b.rcpt_reply);
        } else if upper == "DATA" {
            say!("354 End data with <CR><LF>.<CR><LF>");
            let mut data = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                let l = l
                    .strip_prefix('.')
                    .map(str::to_string)
                    .unwrap_or_else(|| l.clone());
                data.push_str(&l);
                data.push_str("\r\n");
            }
            session.data = Some(data);
            say!("250 2.0.0 Ok: queued as 4F2A9C01");
        } else if upper == "RSET" || upper == "NOOP" {
            say!("250 2.0.0 Ok");
        } else if upper == "QUIT" {
            say!("221 2.0.0 Bye");
            break;
        } else {
            say!("502 5.5.2 Command not recognized");
        }
    }
    session
}

// ---------------------------------------------------------------------------------------------
// A minimal MIME reader for the sink's DATA
// ---------------------------------------------------------------------------------------------

pub struct Mime {
    /// Unfolded headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Mime {
    pub fn parse(raw: &str) -> Mime {
        let raw = raw.replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with(' ') || line.starts_with('\t') {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        Mime {
            headers,
            body: body.to_string(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    /// The parts of a multipart body.
    pub fn parts(&self) -> Vec<Mime> {
        let content_type = self.header("content-type").unwrap_or_default();
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .expect("multipart without boundary")
            .trim_matches('"')
            .to_string();
        let delimiter = format!("--{boundary}");
        self.body
            .split(&delimiter)
            .skip(1)
            .take_while(|p| !p.starts_with("--"))
            .map(|p| Mime::parse(p.trim_start_matches('\n')))
            .collect()
    }

    /// The body with its Content-Transfer-Encoding undone.
    pub fn decoded_body(&self) -> String {
        match self
            .header("content-transfer-encoding")
            .unwrap_or("7bit")
            .to_ascii_lowercase()
            .as_str()
        {
            "base64" => {
                let joined: String = self.body.split_whitespace().collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(joined)
                        .unwrap(),
                )
                .unwrap()
            }
            "quoted-printable" => decode_qp(&self.body),
            _ => self.body.clone(),
        }
    }
}

fn decode_qp(s: &str) -> String {
    let mut out = Vec::new();
    let mut lines = s.split('\n').peekable();
    while let Some(line) = lines.next() {
        let (line, soft) = match line.strip_suffix('=') {
            Some(l) => (l, true),
            None => (line, false),
        };
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' && i + 3 <= bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        if !soft && lines.peek().is_some() {
            out.push(b'\n');
        }
    }
    String::from_utf8(out).unwrap()
}

/// The outbound policy of these tests: their local servers listen on loopback, which the
/// default policy refuses.
pub fn loopback() -> larder_integrations::OutboundPolicy {
    larder_integrations::OutboundPolicy::parse("127.0.0.1,::1").unwrap()
}
