//! The server's own mail: invitation and password-reset links, sent over SMTP configured with
//! `--smtp-url` (`smtp://user:pass@host:587?tls=starttls`). Alerts go through the e-mail
//! integration instead, which each organization configures itself.
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How long one message may take, connection included.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the SMTP password: never print it.
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// Builds a mailer from `smtp://` (STARTTLS unless `?tls=none`) or `smtps://` (implicit
    /// TLS) URLs; user and password in the URL are percent-decoded.
    pub fn from_url(raw: &str, from: &str) -> anyhow::Result<Mailer> {
        let url = url::Url::parse(raw).map_err(|e| anyhow::anyhow!("invalid SMTP URL: {e}"))?;
        let host = url
            .host_str()
            .ok_or_else(|| anyhow::anyhow!("the SMTP URL names no host"))?;
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let builder = match (url.scheme(), tls.as_deref()) {
            ("smtps", None | Some("tls")) => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            ("smtp", None | Some("starttls")) => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?
            }
            ("smtp", Some("none")) => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            ("smtp", Some("tls")) => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            (scheme, tls) => anyhow::bail!(
                "unsupported SMTP URL: scheme {scheme:?} with tls={tls:?} (use smtp:// with \
                 tls=starttls|tls|none, or smtps://)"
            ),
        };
        let default_port = match (url.scheme(), tls.as_deref()) {
            ("smtps", _) | (_, Some("tls")) => 465,
            (_, Some("none")) => 25,
            _ => 587,
        };
        let mut builder = builder
            .port(url.port().unwrap_or(default_port))
            .timeout(Some(SEND_TIMEOUT));
        if !url.username().is_empty() {
            let decode = |s: &str| {
                percent_decode(s).ok_or_else(|| anyhow::anyhow!("invalid escape in the SMTP URL"))
            };
            let password = decode(url.password().unwrap_or(""))?;
            builder = builder.credentials(Credentials::new(decode(url.username())?, password));
        }
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("invalid sender {from:?}: {e}"))?;
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends a plain-text message.
    pub async fn send(&self, to: &str, subject: &str, body: String) -> anyhow::Result<()> {
        let to = to
            .parse::<Mailbox>()
            .map_err(|e| anyhow::anyhow!("invalid recipient {to:?}: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body)?;
        tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message))
            .await
            .map_err(|_| anyhow::anyhow!("the SMTP server did not answer in time"))??;
        Ok(())
    }
}

fn percent_decode(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|decoded| decoded.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_tls_mode_or_say_what_is_wrong() {
        assert!(Mailer::from_url("smtp://u:p%40ss@mail.example.com:587", "a@b.io").is_ok());
        assert!(Mailer::from_url("smtp://127.0.0.1:2525?tls=none", "a@b.io").is_ok());
        assert!(Mailer::from_url("smtps://mail.example.com", "a@b.io").is_ok());
        let error = Mailer::from_url("http://mail.example.com", "a@b.io").unwrap_err();
        assert!(
            error.to_string().contains("unsupported SMTP URL"),
            "{error}"
        );
        assert!(Mailer::from_url("smtp://x?tls=none", "not an address").is_err());
        assert_eq!(percent_decode("p%40ss").as_deref(), Some("p@ss"));
    }
}
