//! Database faults, on a PostgreSQL cluster this test creates and stops itself (`initdb`,
//! `pg_ctl`, its own port and folder; never the machine's shared server): requests that need
//! the database answer 503, JWT sessions keep working, nothing is half written, and the app
//! recovers by itself when the database is back.
#![allow(clippy::unwrap_used)]

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use app::auth::ssr::{Db, SessionOptions, SessionStrategy};
use http::StatusCode;

use crate::common::{self, config, process::free_port, TestApp};

/// A private PostgreSQL cluster.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// `initdb` in a fresh folder; `None` (with the reason) when this machine cannot.
    fn create() -> Result<Self, String> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .map_err(|_| "no /usr/lib/postgresql".to_owned())?
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin"))
            .find(|bin| bin.join("pg_ctl").exists() && bin.join("initdb").exists())
            .ok_or("no initdb/pg_ctl under /usr/lib/postgresql")?;
        // initdb refuses to run as root: run it as the postgres user then.
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map_err(|e| e.to_string())?;
        let as_postgres = String::from_utf8_lossy(&root.stdout).trim() == "0";
        let dir = std::env::temp_dir().join(format!(
            "leptos-auth-pg-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let cluster = Self {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        if as_postgres {
            let chown = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir)
                .status();
            if !chown.is_ok_and(|s| s.success()) {
                return Err("cannot give the cluster folder to postgres".into());
            }
        }
        let data = cluster.dir.join("data");
        cluster.run(
            "initdb",
            &[
                "-D",
                path(&data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
            ],
        )?;
        Ok(cluster)
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(tool);
        let output = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        }
        .map_err(|e| format!("{tool}: {e}"))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{tool} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    fn start(&self) {
        let data = self.dir.join("data");
        let log = self.dir.join("log");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            path(&self.dir)
        );
        self.run(
            "pg_ctl",
            &[
                "-D",
                path(&data),
                "-l",
                path(&log),
                "-o",
                &options,
                "-w",
                "start",
            ],
        )
        .unwrap();
    }

    fn stop(&self) {
        let data = self.dir.join("data");
        self.run("pg_ctl", &["-D", path(&data), "-m", "fast", "-w", "stop"])
            .unwrap();
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.run(
            "pg_ctl",
            &["-D", path(&data), "-m", "immediate", "-w", "stop"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_a_503_and_the_app_recovers() {
    let cluster = match Cluster::create() {
        Ok(cluster) => cluster,
        Err(reason) if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
            panic!("REQUIRE_POSTGRES=1 but a private PostgreSQL cluster cannot be made: {reason}")
        }
        Err(reason) => {
            eprintln!("database fault test SKIPPED: {reason}");
            return;
        }
    };
    cluster.start();
    let db = Db::connect_with(&cluster.url(), Duration::from_secs(1))
        .await
        .unwrap();
    let jwt_app = TestApp::on_db(db.clone(), config()).await;
    let db_app = TestApp::on_db(
        db.clone(),
        config().session(SessionOptions {
            strategy: SessionStrategy::Database,
            ..SessionOptions::default()
        }),
    )
    .await;
    let mut jwt_user = jwt_app.client();
    jwt_user
        .register("Pia", "pia@example.com", "correct horse battery")
        .await;
    let mut db_user = db_app.client();
    db_user
        .register("Quinn", "quinn@example.com", "correct horse battery")
        .await;
    assert_eq!(db_user.session().await["user"]["name"], "Quinn");

    cluster.stop();

    // JWT sessions need no database.
    assert_eq!(jwt_user.session().await["user"]["name"], "Pia");
    // Database sessions cannot be read: a clear 503, for JSON and for pages.
    let res = db_user.get("/api/auth/session").await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.json(), serde_json::json!({"Auth": "Unavailable"}));
    let page = db_user.get_html("/").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains("temporarily unavailable"));
    // A write that needs the database: the error page says so, with 503.
    let mut newcomer = jwt_app.client();
    let res = newcomer
        .register("Rae", "rae@example.com", "correct horse battery")
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    let location = res.location().unwrap().to_owned();
    assert!(
        location.ends_with("/api/auth/error?error=Unavailable"),
        "{location}"
    );
    let page = newcomer
        .get_html(location.strip_prefix(common::ORIGIN).unwrap())
        .await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    let health = jwt_user.get("/api/health").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);

    cluster.start();

    // Recovered by itself: the pool opens new connections.
    let mut healthy = false;
    for _ in 0..50 {
        if jwt_user.get("/api/health").await.status == StatusCode::OK {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(healthy, "the app did not recover");
    assert_eq!(db_user.session().await["user"]["name"], "Quinn");
    // The refused registration left nothing behind, and now it works.
    assert!(db
        .get_user_by_email("rae@example.com")
        .await
        .unwrap()
        .is_none());
    let res = newcomer
        .register("Rae", "rae@example.com", "correct horse battery")
        .await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/"));
}
