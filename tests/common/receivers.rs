//! Local peers for notification tests: an HTTP receiver whose answer the test controls, and an
//! SMTP sink that speaks real SMTP and keeps what it receives.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::any;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How the HTTP receiver answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Answer {
    Ok,
    Fail,
    Hang,
}

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A canned answer for requests whose path starts with a prefix: (prefix, status, JSON body).
pub type Route = (&'static str, u16, &'static str);

#[derive(Clone)]
pub struct HttpReceiver {
    pub url: String,
    answer: Arc<Mutex<Answer>>,
    received: Arc<Mutex<Vec<Received>>>,
    attempts: Arc<Mutex<usize>>,
}

#[derive(Clone)]
struct Shared {
    answer: Arc<Mutex<Answer>>,
    received: Arc<Mutex<Vec<Received>>>,
    attempts: Arc<Mutex<usize>>,
    routes: Arc<Vec<Route>>,
}

impl HttpReceiver {
    pub async fn start() -> HttpReceiver {
        Self::with_routes(Vec::new()).await
    }

    /// A receiver answering matching paths with canned JSON (an API mock).
    pub async fn with_routes(routes: Vec<Route>) -> HttpReceiver {
        let answer = Arc::new(Mutex::new(Answer::Ok));
        let received = Arc::new(Mutex::new(Vec::new()));
        let attempts = Arc::new(Mutex::new(0));
        let shared = Shared {
            answer: answer.clone(),
            received: received.clone(),
            attempts: attempts.clone(),
            routes: Arc::new(routes),
        };
        let app = axum::Router::new()
            .route("/{*path}", any(receive))
            .with_state(shared);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        HttpReceiver {
            url,
            answer,
            received,
            attempts,
        }
    }

    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    /// Requests answered with success.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Every request that reached the receiver, whatever it answered.
    pub fn attempts(&self) -> usize {
        *self.attempts.lock().unwrap()
    }
}

async fn receive(
    State(shared): State<Shared>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (
    StatusCode,
    [(axum::http::HeaderName, &'static str); 1],
    &'static str,
) {
    *shared.attempts.lock().unwrap() += 1;
    let json = [(axum::http::header::CONTENT_TYPE, "application/json")];
    let answer = *shared.answer.lock().unwrap();
    match answer {
        Answer::Ok => {
            let path = uri.path().to_string();
            let route = shared
                .routes
                .iter()
                .find(|(prefix, _, _)| path.starts_with(prefix));
            shared.received.lock().unwrap().push(Received {
                path,
                headers,
                body,
            });
            match route {
                Some((_, status, body)) => (StatusCode::from_u16(*status).unwrap(), json, *body),
                None => (StatusCode::OK, json, "{}"),
            }
        }
        Answer::Fail => (StatusCode::INTERNAL_SERVER_ERROR, json, "{}"),
        Answer::Hang => {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            (StatusCode::OK, json, "{}")
        }
    }
}

/// A message the SMTP sink accepted.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

/// A minimal SMTP server (no TLS, no auth) for one test.
pub struct SmtpSink {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let sink = mails.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let sink = sink.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                    let mut mail = Mail {
                        from: String::new(),
                        to: Vec::new(),
                        data: String::new(),
                    };
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250-sink\r\n250 8BITMIME\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            mail.from = line[10..].trim().trim_matches(['<', '>']).to_string();
                            b"250 ok\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            mail.to
                                .push(line[8..].trim().trim_matches(['<', '>']).to_string());
                            b"250 ok\r\n"
                        } else if upper == "DATA" {
                            let _ = write.write_all(b"354 go ahead\r\n").await;
                            while let Ok(Some(data)) = lines.next_line().await {
                                if data == "." {
                                    break;
                                }
                                mail.data.push_str(&data);
                                mail.data.push('\n');
                            }
                            sink.lock().unwrap().push(mail.clone());
                            b"250 queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        let _ = write.write_all(reply).await;
                    }
                });
            }
        });
        SmtpSink { addr, mails }
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}
