//! The real server binary (`target/.../server`) as a child process on a free loopback port,
//! with its output captured, for tests that need processes: several instances, signals, logs.
#![allow(dead_code, clippy::unwrap_used)]

use std::{
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// A running server; killed when dropped if still running.
pub struct ServerProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Everything it printed (stdout and stderr).
    pub output: Arc<Mutex<String>>,
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl ServerProcess {
    /// Starts the server with these variables (plus a free `LEPTOS_SITE_ADDR`) and waits until
    /// it answers `GET /api/auth/csrf`.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        Self::start_at(env, None).await
    }

    /// [`start`](Self::start), with `AUTH_URL` set to its own origin plus `base_path` when one
    /// is given; waits until `<base_path>/csrf` answers.
    pub async fn start_at(env: &[(&str, &str)], base_path: Option<&str>) -> Self {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("LEPTOS_OUTPUT_NAME", "leptos-auth")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        if let Some(path) = base_path {
            command.env("AUTH_URL", format!("http://127.0.0.1:{port}{path}"));
        }
        let probe = format!(
            "http://127.0.0.1:{port}{}/csrf",
            base_path.unwrap_or("/api/auth")
        );
        let mut child = command.spawn().unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let mut output = output.lock().unwrap();
                    output.push_str(&line);
                    output.push('\n');
                }
            });
        }
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        for _ in 0..200 {
            if let Ok(res) = client.get(&probe).send().await {
                if res.status().is_success() {
                    return Self {
                        child,
                        base,
                        output,
                    };
                }
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the server exited ({status}): {}", output.lock().unwrap());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the server did not answer within 10 s: {}",
            output.lock().unwrap()
        );
    }

    /// Sends SIGTERM and waits for the exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().unwrap();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("the server did not stop within 20 s of SIGTERM")
            .unwrap()
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    /// Waits for it to exit (after a signal sent elsewhere).
    pub async fn terminate_wait(&mut self) -> std::process::ExitStatus {
        tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("the server did not stop within 20 s")
            .unwrap()
    }

    /// What it printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

/// `GET /api/auth/csrf` with `client`.
pub async fn csrf(client: &reqwest::Client, base: &str) -> String {
    csrf_at(client, &format!("{base}/api/auth")).await
}

/// `GET <auth>/csrf` with `client`, `auth` being the origin and base path.
pub async fn csrf_at(client: &reqwest::Client, auth: &str) -> String {
    let body: serde_json::Value = client
        .get(format!("{auth}/csrf"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["csrfToken"].as_str().unwrap().to_owned()
}

/// Registers a user through `POST /api/register` (signing `client` in).
pub async fn register(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    register_at(client, base, &format!("{base}/api/auth"), email, password).await
}

/// [`register`] on a server whose auth routes live at `auth` (origin and base path).
pub async fn register_at(
    client: &reqwest::Client,
    base: &str,
    auth: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    let token = csrf_at(client, auth).await;
    client
        .post(format!("{base}/api/register"))
        .form(&[
            ("csrfToken", token.as_str()),
            ("name", "Process User"),
            ("email", email),
            ("password", password),
            ("callbackUrl", "/"),
        ])
        .send()
        .await
        .unwrap()
}

/// `GET /api/auth/session` as JSON.
pub async fn session(client: &reqwest::Client, base: &str) -> serde_json::Value {
    session_at(client, &format!("{base}/api/auth")).await
}

/// `GET <auth>/session` as JSON, `auth` being the origin and base path.
pub async fn session_at(client: &reqwest::Client, auth: &str) -> serde_json::Value {
    client
        .get(format!("{auth}/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
