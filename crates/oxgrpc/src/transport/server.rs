//! The server side: an accept loop handing each connection to a driver.

use super::Service;
use super::driver::Driver;
use futures_util::FutureExt;
use oxgrpc_h2::{Config, Connection};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Accepts connections until `shutdown` resolves, then shuts down
/// gracefully: stops accepting, sends GOAWAY on every connection, and
/// returns once their in-flight streams are done.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    service: impl Service,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let service: Arc<dyn Service> = Arc::new(service);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown.fuse());
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let (tcp, addr) = match accepted {
                    Ok(pair) => pair,
                    Err(e) if is_transient(&e) => continue,
                    Err(e) => return Err(e),
                };
                let _ = tcp.set_nodelay(true);
                let stop = wait_stop(stop_rx.clone());
                connections.spawn(serve_connection(tcp, config.clone(), service.clone(), Some(addr), stop));
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while connections.join_next().await.is_some() {}
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
    let conn = Connection::server(config, Instant::now());
    Driver::new(io, conn, Some(service), remote_addr).run(shutdown).await;
}

async fn wait_stop(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Accept errors that concern one connection (or a passing shortage), not the listener.
fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted | WouldBlock)
        || e.raw_os_error().is_some_and(|code| code == 24 || code == 23)
}
