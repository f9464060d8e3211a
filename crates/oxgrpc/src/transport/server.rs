//! The server side: an accept loop handing each connection to a driver.

use super::Service;
use super::driver::Driver;
use super::handshake::{Secured, ServerHandshaker};
use super::io::{BoxIo, Listener};
use super::peer::Peer;
use crate::rt::{self, Sleep};
use futures_util::FutureExt;
use oxgrpc_h2::{Config, Connection};
use std::future::{Future, poll_fn};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::watch;

/// Accepts connections until `shutdown` resolves, then shuts down
/// gracefully: stops accepting, sends GOAWAY on every connection, and
/// returns once their in-flight streams are done.
pub async fn serve(
    listener: impl Listener,
    config: Config,
    service: impl Service,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let accept = Accept::new(move || config.clone());
    serve_with(listener, accept, service, shutdown).await
}

/// The grpc-go default: a peer gets this long to finish its handshake.
pub(crate) const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How a server takes each connection it accepts.
pub(crate) struct Accept<C> {
    /// Each connection's settings (so per-connection values such as a
    /// jittered maximum age can differ).
    pub(crate) config_for_next: C,
    /// At most this many connections open at once: past it, accepting
    /// pauses (new clients wait in the listen backlog) until one ends.
    pub(crate) max_connections: usize,
    /// Secures each connection before HTTP/2 starts on it.
    pub(crate) handshaker: Option<Arc<dyn ServerHandshaker>>,
    /// A connection whose handshake takes longer is dropped.
    pub(crate) handshake_timeout: Duration,
}

impl<C: FnMut() -> Config> Accept<C> {
    pub(crate) fn new(config_for_next: C) -> Accept<C> {
        Accept {
            config_for_next,
            max_connections: usize::MAX,
            handshaker: None,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }
}

/// [`serve`], taking connections as `accept` says. Handshakes run in each
/// connection's own task, never in the accept loop.
pub(crate) async fn serve_with<L: Listener, C: FnMut() -> Config>(
    mut listener: L,
    mut accept: Accept<C>,
    service: impl Service,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let service: Arc<dyn Service> = Arc::new(service);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = rt::TaskSet::new();
    let mut shutdown = std::pin::pin!(shutdown.fuse());
    let mut backoff = AcceptBackoff::default();
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(()) = connections.reap(), if !connections.is_empty() => {}
            () = backoff.wait(), if backoff.is_waiting() => backoff.done_waiting(),
            accepted = poll_fn(|cx| listener.poll_accept(cx)),
                if !backoff.is_waiting() && connections.len() < accept.max_connections =>
            {
                let (io, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => match classify(&e) {
                        AcceptError::Connection => continue,
                        AcceptError::Resources => {
                            backoff.fail(&e);
                            continue;
                        }
                        AcceptError::Listener => return Err(e),
                    },
                };
                backoff.succeed();
                let stop = wait_stop(stop_rx.clone());
                let config = (accept.config_for_next)();
                match &accept.handshaker {
                    None => connections.spawn(serve_connection(io, config, service.clone(), peer, stop)),
                    Some(handshaker) => connections.spawn(secure_then_serve(
                        handshaker.clone(),
                        accept.handshake_timeout,
                        Box::new(io),
                        peer,
                        (config, service.clone()),
                        stop,
                    )),
                }
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.reap().await.is_some() {}
    Ok(())
}

/// Runs the handshake (for at most `timeout`, and not past shutdown), then
/// serves the secured connection.
async fn secure_then_serve(
    handshaker: Arc<dyn ServerHandshaker>,
    timeout: Duration,
    io: BoxIo,
    peer: Peer,
    (config, service): (Config, Arc<dyn Service>),
    stop: impl Future<Output = ()>,
) {
    let mut stop = std::pin::pin!(stop);
    let handshake = rt::timeout_at(rt::now().checked_add(timeout), handshaker.handshake(io));
    let secured = tokio::select! {
        secured = handshake => secured,
        () = &mut stop => return,
    };
    let addr = peer.remote_addr();
    match secured {
        Some(Ok(Secured { io, auth })) => {
            serve_connection(io, config, service, peer.with_auth(auth), stop).await;
        }
        Some(Err(error)) => tracing::debug!(?addr, %error, "handshake failed; connection dropped"),
        None => tracing::debug!(?addr, ?timeout, "handshake timed out; connection dropped"),
    }
}

/// Serves HTTP/2 on one established connection until it closes; `shutdown`
/// resolving sends GOAWAY and drains.
pub async fn serve_connection<T>(
    io: T,
    config: Config,
    service: Arc<dyn Service>,
    peer: Peer,
    shutdown: impl Future<Output = ()>,
) where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let conn = Connection::server(config, rt::now());
    Driver::server(io, conn, service, Arc::new(peer)).run(shutdown).await;
}

async fn wait_stop(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// What an accept error means for the loop.
#[derive(Debug, PartialEq, Eq)]
enum AcceptError {
    /// One connection failed before we took it: accept the next one.
    Connection,
    /// The process or the system ran out of something (descriptors, memory,
    /// buffers): accepting again at once would fail again, so back off.
    Resources,
    /// The listener itself is broken: stop serving.
    Listener,
}

/// `EMFILE`, `ENFILE`, `ENOBUFS` and `ENOMEM` on Linux and the BSDs.
const RESOURCE_ERRNOS: [i32; 4] = [24, 23, 105, 12];

fn classify(e: &std::io::Error) -> AcceptError {
    use std::io::ErrorKind::*;
    if e.raw_os_error().is_some_and(|code| RESOURCE_ERRNOS.contains(&code)) {
        return AcceptError::Resources;
    }
    match e.kind() {
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted | WouldBlock
        | TimedOut => AcceptError::Connection,
        OutOfMemory => AcceptError::Resources,
        _ => AcceptError::Listener,
    }
}

/// The first pause after a resource error; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(5);
/// The longest pause between accepts while resources are short.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Pauses accepting while resources are short, as grpc-go does: 5 ms,
/// doubling to 1 s, reset by the next accepted connection. Logs once per
/// burst of errors, not once per error.
#[derive(Default)]
struct AcceptBackoff {
    delay: Option<Duration>,
    failures: u64,
    sleep: Option<Sleep>,
}

impl AcceptBackoff {
    fn fail(&mut self, error: &std::io::Error) {
        if self.failures == 0 {
            tracing::warn!(%error, "accept failed; pausing accepts until resources free up");
        }
        self.failures += 1;
        let delay = self.delay.map_or(FIRST_BACKOFF, |d| (d * 2).min(MAX_BACKOFF));
        self.delay = Some(delay);
        self.sleep = Some(rt::sleep(delay));
    }

    fn succeed(&mut self) {
        if self.failures > 0 {
            tracing::info!(failures = self.failures, "accepting again");
        }
        *self = AcceptBackoff::default();
    }

    fn is_waiting(&self) -> bool {
        self.sleep.is_some()
    }

    async fn wait(&mut self) {
        if let Some(sleep) = &mut self.sleep {
            sleep.await;
        }
    }

    fn done_waiting(&mut self) {
        self.sleep = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    #[test]
    fn accept_errors_are_classified() {
        assert_eq!(classify(&Error::from_raw_os_error(24)), AcceptError::Resources);
        assert_eq!(classify(&Error::from_raw_os_error(23)), AcceptError::Resources);
        assert_eq!(classify(&ErrorKind::ConnectionAborted.into()), AcceptError::Connection);
        assert_eq!(classify(&ErrorKind::InvalidInput.into()), AcceptError::Listener);
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_to_a_second_and_resets() {
        let mut backoff = AcceptBackoff::default();
        let error = Error::from_raw_os_error(24);
        let mut delays = Vec::new();
        for _ in 0..10 {
            backoff.fail(&error);
            let start = rt::now();
            backoff.wait().await;
            backoff.done_waiting();
            delays.push(rt::now() - start);
        }
        assert_eq!(delays[0], FIRST_BACKOFF);
        assert_eq!(delays[1], FIRST_BACKOFF * 2);
        assert_eq!(*delays.last().unwrap(), MAX_BACKOFF);
        backoff.succeed();
        assert!(!backoff.is_waiting());
        backoff.fail(&error);
        assert_eq!(backoff.delay, Some(FIRST_BACKOFF));
    }
}
