//! Slow clients are dropped (issue 11): the server as `main.rs` runs it (`server::serve::serve`)
//! closes a connection whose request head does not arrive in time (or that sends nothing),
//! answers `408` to a request whose body trickles in, and keeps at most `max_connections` open.
#![allow(clippy::unwrap_used)]

use std::{net::SocketAddr, time::Duration};

use server::serve::{serve, Limits};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::oneshot,
};

use crate::common::{self, TestApp};

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _app: TestApp,
}

impl Running {
    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server stopped")
            .unwrap()
            .unwrap();
    }
}

async fn start(limits: Limits) -> Running {
    let app = TestApp::new().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let router = app.router.clone();
    let task = tokio::spawn(serve(listener, router, limits, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
        task,
        _app: app,
    }
}

fn limits() -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(3),
        body_timeout: Duration::from_secs(1),
        max_connections: 4,
        shutdown_grace: Duration::from_secs(2),
    }
}

/// Reads until the server closes the connection (or `limit` passes); returns what it sent and
/// whether it closed.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (String, bool) {
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&received).into(), true),
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&received).into(), false),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_or_silent_request_head_is_dropped() {
    let server = start(limits()).await;
    // Half a request head, then nothing.
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(b"GET /api/auth/session HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let (_, closed) = read_until_closed(&mut slow, Duration::from_secs(5)).await;
    assert!(closed, "a trickling head keeps its connection");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );

    // A connection that sends nothing at all.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    let (_, closed) = read_until_closed(&mut silent, Duration::from_secs(5)).await;
    assert!(closed, "a silent connection stays open");

    // A kept-alive connection that goes silent after its answer.
    let mut kept = TcpStream::connect(server.addr).await.unwrap();
    kept.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut kept, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "an idle kept-alive connection stays open");

    // A normal client is served.
    let res = common::http_client()
        .get(format!("http://{}/api/auth/session", server.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_or_stalled_body_gets_408() {
    let server = start(limits()).await;
    // A body that stalls after its head: the body timeout.
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled
        .write_all(
            b"POST /api/auth/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"csrf",
        )
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let (answer, _) = read_until_closed(&mut stalled, Duration::from_secs(6)).await;
    assert!(
        answer.starts_with("HTTP/1.1 408") || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    // One byte every 400 ms never trips the idle timeout, but the request timeout (3 s) ends it.
    let mut trickle = TcpStream::connect(server.addr).await.unwrap();
    trickle
        .write_all(
            b"POST /api/auth/session HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        )
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut answer = String::new();
    for _ in 0..40 {
        if trickle.write_all(b"a").await.is_err() {
            break;
        }
        let mut buf = [0u8; 1024];
        if let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(400), trickle.read(&mut buf)).await
        {
            answer.push_str(&String::from_utf8_lossy(&buf[..n]));
            break;
        }
    }
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(6),
        "{took:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_connections_are_bounded() {
    let server = start(Limits {
        header_read_timeout: Duration::from_secs(3),
        max_connections: 2,
        ..limits()
    })
    .await;
    // Two idle connections take both places.
    let idle_a = TcpStream::connect(server.addr).await.unwrap();
    let idle_b = TcpStream::connect(server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(server.addr).await.unwrap();
    third
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = read_until_closed(&mut third, Duration::from_millis(700)).await;
    assert!(answer.is_empty(), "served beyond the bound: {answer}");
    // A place frees up: the waiting client is served.
    drop(idle_a);
    let (answer, _) = read_until_closed(&mut third, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    drop(idle_b);
    server.stop().await;
}
