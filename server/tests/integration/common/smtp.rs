//! A real SMTP server for the tests (`end2end/fixtures/smtp-server.mjs`, npm `smtp-server`) on
//! free loopback ports, and reading what it received through its HTTP API.
#![allow(dead_code, clippy::unwrap_used)]

use std::{path::PathBuf, process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// One received message.
#[derive(Debug, serde::Deserialize)]
pub struct Mail {
    pub to: Vec<String>,
    pub from: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    /// The sign-in link in the plain-text part.
    pub fn link(&self) -> String {
        self.text
            .split_whitespace()
            .find(|word| word.starts_with("http"))
            .unwrap()
            .to_owned()
    }
}

/// A running SMTP server; stopped when dropped.
pub struct SmtpServer {
    child: Child,
    pub smtp_port: u16,
    pub http_port: u16,
}

impl SmtpServer {
    /// Starts one; `refuse` is an address whose RCPT TO gets 550.
    pub async fn start(refuse: Option<&str>) -> Self {
        let fixture =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../end2end/fixtures/smtp-server.mjs");
        let mut child = Command::new("node")
            .arg(fixture)
            .env("SMTP_PORT", "0")
            .env("SMTP_HTTP_PORT", "0")
            .env("SMTP_REFUSE", refuse.unwrap_or_default())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node must be installed (scripts/setup)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (smtp_port, http_port) = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(ports) = line.strip_prefix("smtp-server listening on ") {
                    let port = |key: &str| {
                        ports
                            .split_whitespace()
                            .find_map(|p| p.strip_prefix(key))
                            .unwrap()
                            .parse::<u16>()
                            .unwrap()
                    };
                    return (port("smtp="), port("http="));
                }
            }
            panic!("the SMTP fixture exited before listening");
        })
        .await
        .expect("the SMTP fixture did not start in 20 s");
        Self {
            child,
            smtp_port,
            http_port,
        }
    }

    /// `smtp://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.smtp_port)
    }

    /// What `to` received, newest first.
    pub async fn messages(&self, to: &str) -> Vec<Mail> {
        reqwest::get(format!(
            "http://127.0.0.1:{}/messages?to={to}",
            self.http_port
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
