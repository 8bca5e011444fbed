//! Serving the router on a listener, with the limits `axum::serve` does not set: a client that
//! sends its request head slowly (or nothing at all on an open connection) is dropped, a
//! request that takes too long (a body trickling in, one byte a minute) is answered `408`, and
//! the number of open connections is bounded, so a few hundred idle sockets cannot use up the
//! server. HTTP/1.1 (TLS and HTTP/2 are the reverse proxy's). Graceful shutdown: on the signal, stop accepting and let the requests in flight
//! finish.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::http::{Request, StatusCode};
use axum::{body::Body, extract::ConnectInfo, Router};
use hyper::body::{Body as _, Incoming};
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::Semaphore,
};
use tower::ServiceExt;
use tower_http::timeout::{RequestBodyTimeoutLayer, TimeoutLayer};

/// The connection and request limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A request head (or, on a kept-alive connection, the next one) must arrive whole within
    /// this; otherwise the connection is closed. A connection silent this long outside any
    /// request (one that never sends a byte, or an idle kept-alive one) is closed too.
    pub header_read_timeout: Duration,
    /// A request must be answered within this (its body read and the handler done), else `408`.
    pub request_timeout: Duration,
    /// The longest pause between two pieces of a request body, else `408`.
    pub body_timeout: Duration,
    /// Connections open at once; further clients wait in the listen queue.
    pub max_connections: usize,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(10),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// Reads `SERVER_HEADER_READ_TIMEOUT`, `SERVER_REQUEST_TIMEOUT`, `SERVER_BODY_TIMEOUT`
    /// (seconds) and `SERVER_MAX_CONNECTIONS` through `var`; unset ones keep their default.
    ///
    /// # Errors
    /// The variable that is not a positive whole number.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut limits = Self::default();
        let number = |name: &str| -> Result<Option<u64>, String> {
            match var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
            {
                None => Ok(None),
                Some(value) => value
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| format!("{name} is invalid: expected a positive whole number")),
            }
        };
        for (name, slot) in [
            (
                "SERVER_HEADER_READ_TIMEOUT",
                &mut limits.header_read_timeout,
            ),
            ("SERVER_REQUEST_TIMEOUT", &mut limits.request_timeout),
            ("SERVER_BODY_TIMEOUT", &mut limits.body_timeout),
        ] {
            if let Some(secs) = number(name)? {
                *slot = Duration::from_secs(secs);
            }
        }
        if let Some(max) = number("SERVER_MAX_CONNECTIONS")? {
            limits.max_connections = usize::try_from(max).unwrap_or(usize::MAX);
        }
        Ok(limits)
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then waits (at most
/// [`Limits::shutdown_grace`]) for the connections in flight. Handlers see the peer address as
/// `ConnectInfo<SocketAddr>`.
///
/// # Errors
/// Only if the listener's own address cannot be read; accept errors are logged and retried.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    // The request and body timeouts guard what a client sends after its head: only requests
    // with a body get them (a timer per request is a cost the hot `GET /api/auth/session` need
    // not pay; a request without a body is done arriving once its head is in).
    let timed = app
        .clone()
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ));
    // HTTP/1.1 only: HTTP/2 in the clear is for no browser, and detecting it would first read
    // from the socket with no timeout at all (a silent connection would be held forever). TLS
    // and HTTP/2 belong to the reverse proxy in front.
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let builder = Arc::new(builder);
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    tracing::debug!(local = %listener.local_addr()?, ?limits, "serving");
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little, do not spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let activity = Arc::new(Activity::new());
        let in_flight = activity.clone();
        let (app, timed) = (app.clone(), timed.clone());
        let service = tower::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let router = if request.body().is_end_stream() {
                app.clone()
            } else {
                timed.clone()
            };
            let guard = InFlight::new(in_flight.clone());
            let response = router.oneshot(request.map(Body::new));
            async move {
                let response = response.await;
                drop(guard);
                response
            }
        });
        let io = TokioIo::new(Watched {
            stream,
            activity: activity.clone(),
        });
        let connection = builder
            .serve_connection_with_upgrades(io, TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        let idle = limits.header_read_timeout;
        tokio::spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                result = &mut connection => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                }
                () = activity.idle_for(idle) => {
                    tracing::debug!(%peer, "closing a connection silent outside any request");
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    tracing::debug!("waiting for the connections in flight");
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown: connections still open after the grace period");
    }
    Ok(())
}

/// What a connection did last: hyper's header timeout only starts once a request's first byte
/// arrives, so a connection that sends nothing (new, or kept alive after a response) is closed
/// here instead, once it has been silent for the header timeout outside any request.
#[derive(Debug)]
struct Activity {
    started: tokio::time::Instant,
    /// Milliseconds since `started` of the last byte read or written.
    last: AtomicU64,
    /// Requests being handled on this connection.
    in_flight: AtomicUsize,
}

impl Activity {
    fn new() -> Self {
        Self {
            started: tokio::time::Instant::now(),
            last: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }

    /// Completes once the connection has been silent for `idle` with no request in flight.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let last = self.last.load(Ordering::Relaxed);
            if self.in_flight.load(Ordering::Relaxed) > 0 {
                // The request and body timeouts watch a request; check again later.
                tokio::time::sleep(idle).await;
                continue;
            }
            tokio::time::sleep_until(self.started + Duration::from_millis(last) + idle).await;
            if self.last.load(Ordering::Relaxed) == last
                && self.in_flight.load(Ordering::Relaxed) == 0
            {
                return;
            }
        }
    }
}

/// Counts a request in flight on its connection while it lives.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn new(activity: Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::Relaxed);
        activity.touch();
        Self(activity)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The TCP stream, noting every byte that moves in [`Activity`].
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn limits_come_from_the_environment() {
        let vars: HashMap<&str, &str> = HashMap::from([
            ("SERVER_HEADER_READ_TIMEOUT", "3"),
            ("SERVER_MAX_CONNECTIONS", "64"),
        ]);
        let limits = Limits::from_vars(|n| vars.get(n).map(|v| (*v).to_owned())).unwrap();
        assert_eq!(limits.header_read_timeout, Duration::from_secs(3));
        assert_eq!(limits.max_connections, 64);
        assert_eq!(limits.request_timeout, Limits::default().request_timeout);
        let err = Limits::from_vars(|n| (n == "SERVER_BODY_TIMEOUT").then(|| "soon".to_owned()))
            .unwrap_err();
        assert!(err.starts_with("SERVER_BODY_TIMEOUT"), "{err}");
    }
}
