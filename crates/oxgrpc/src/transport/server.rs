//! The server side: an accept loop handing each connection to a driver.

use super::Service;
use super::driver::Driver;
use crate::rt::{self, Sleep};
use futures_util::FutureExt;
use oxgrpc_h2::{Config, Connection};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// Accepts connections until `shutdown` resolves, then shuts down
/// gracefully: stops accepting, sends GOAWAY on every connection, and
/// returns once their in-flight streams are done.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    service: impl Service,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    serve_with(listener, move || config.clone(), usize::MAX, service, shutdown).await
}

/// [`serve`], with each connection's settings from `config_for_next`
/// (so per-connection values such as a jittered maximum age can differ),
/// and at most `max_connections` open at once: past it, accepting pauses
/// (new clients wait in the listen backlog) until a connection ends.
pub(crate) async fn serve_with(
    listener: TcpListener,
    mut config_for_next: impl FnMut() -> Config,
    max_connections: usize,
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
            accepted = listener.accept(), if !backoff.is_waiting() && connections.len() < max_connections => {
                let (tcp, addr) = match accepted {
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
                let _ = tcp.set_nodelay(true);
                let stop = wait_stop(stop_rx.clone());
                let config = config_for_next();
                connections.spawn(serve_connection(tcp, config, service.clone(), Some(addr), stop));
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.reap().await.is_some() {}
    Ok(())
}

/// Serves HTTP/2 on one established connection until it closes; `shutdown`
/// resolving sends GOAWAY and drains.
pub async fn serve_connection<T>(
    io: T,
    config: Config,
    service: Arc<dyn Service>,
    remote_addr: Option<SocketAddr>,
    shutdown: impl Future<Output = ()>,
) where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let conn = Connection::server(config, rt::now());
    Driver::server(io, conn, service, remote_addr).run(shutdown).await;
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
