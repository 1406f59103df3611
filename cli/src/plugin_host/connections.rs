//! The loop that takes `serve`'s HTTP connections (host and front alike),
//! in place of `axum::serve`, which bounds nothing:
//!
//! - at most `max_connections` at once, each holding a permit; one more is
//!   answered 503 (best effort, without waiting) and closed at once;
//! - a connection that sends nothing for [`ConnectionLimits::idle_timeout`]
//!   is closed, and while it sends nothing it holds no buffer: it is handed
//!   to hyper only once it has bytes to read;
//! - hyper's header-read timeout covers each request's head, and the wait
//!   between requests on a kept-alive connection, so no connection stays idle
//!   or half-sent for longer.
//!
//! Bodies are bounded by the handlers (`server::read_body`: size and time).
//! On shutdown, no connection is taken any more, idle ones are closed, and
//! those serving a request end after their answer.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// How many connections a host holds at once unless told otherwise
/// (`--max-connections`): each takes a descriptor and a few KiB.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// How long a connection may send nothing, and a request's head may take.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// What the loop allows.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections held at once; past them a new one is refused.
    pub max_connections: usize,
    /// How long a new connection may stay silent, and how long a request's
    /// head (or, on a kept-alive connection, the next one) may take.
    pub idle_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits { max_connections: DEFAULT_MAX_CONNECTIONS, idle_timeout: DEFAULT_IDLE_TIMEOUT }
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves,
/// then waits for the connections serving a request to answer it.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let permits = Arc::new(Semaphore::new(max));
    let (stopping, stop) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut refusing = false;
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of descriptors (or a connection reset before it was
                    // taken): wait a little rather than spin.
                    tracing::warn!("cannot take a connection: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        match permits.clone().try_acquire_owned() {
            Ok(permit) => {
                refusing = false;
                tokio::spawn(connection(stream, app.clone(), limits.idle_timeout, permit, stop.clone()));
            }
            Err(_) => {
                if !refusing {
                    tracing::warn!("{max} connections open (--max-connections): refusing new ones until some close");
                    refusing = true;
                }
                refuse(&stream, max);
            }
        }
    }
    drop(listener);
    let _ = stopping.send(true);
    let _ = permits.acquire_many(max as u32).await;
    Ok(())
}

/// Answers 503 to a connection past the cap, if its socket takes the
/// answer at once, and closes it (on drop).
fn refuse(stream: &TcpStream, max: usize) {
    let body = format!("this host holds {max} connections at once (--max-connections); try again\n");
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.try_write(answer.as_bytes());
}

/// Serves one connection while holding `_permit`.
async fn connection(
    stream: TcpStream,
    app: Router,
    idle_timeout: Duration,
    _permit: OwnedSemaphorePermit,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // Until it sends something, a connection is a socket and this future:
    // no buffer, no hyper state. (`peek`, not `readable`, which may wake
    // for a socket with nothing to read.)
    let mut first = [0; 1];
    let ready = tokio::select! {
        peeked = tokio::time::timeout(idle_timeout, stream.peek(&mut first)) => matches!(peeked, Ok(Ok(1..))),
        _ = stop.wait_for(|stopping| *stopping) => false,
    };
    if ready {
        // Boxed: until here, the task holds none of hyper's state.
        Box::pin(serve_ready(stream, app, idle_timeout, stop)).await;
    }
}

/// Serves a connection that has sent its first bytes, until it closes, or
/// after the request it is serving once the host stops.
async fn serve_ready(stream: TcpStream, app: Router, idle_timeout: Duration, mut stop: watch::Receiver<bool>) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(idle_timeout);
    let mut served = Box::pin(builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app)));
    tokio::select! {
        _ = served.as_mut() => return,
        _ = stop.wait_for(|stopping| *stopping) => served.as_mut().graceful_shutdown(),
    }
    let _ = served.await;
}
