//! The baseline for `scripts/bench` (DESIGN.md section 12): a bare axum server with one small
//! JSON route and nothing else (no middleware, no state), built with the same release profile as
//! the real server so that the two can be compared in the same run.
//!
//! ```text
//! cargo run --release -p server --example bare_axum -- 3101   # or PORT=3101
//! curl http://127.0.0.1:3101/json
//! ```
//!
//! Listens on 127.0.0.1 only; the port comes from the first argument, else `PORT`, else 3101.

use std::net::{Ipv4Addr, SocketAddr};

use anyhow::Context;
use axum::{routing::get, Json, Router};
use serde_json::{json, Value};

const DEFAULT_PORT: u16 = 3101;

async fn hello() -> Json<Value> {
    Json(json!({ "message": "Hello, World!" }))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port = match std::env::args()
        .nth(1)
        .or_else(|| std::env::var("PORT").ok())
    {
        Some(port) => port
            .parse::<u16>()
            .with_context(|| format!("bad port {port:?}"))?,
        None => DEFAULT_PORT,
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    eprintln!("bare_axum: listening on http://{addr}/json");
    axum::serve(listener, Router::new().route("/json", get(hello))).await?;
    Ok(())
}
