//! How a channel opens a connection: dial (TCP, a unix socket, or the
//! application's [`Connect`]), secure it with the channel's handshaker if
//! it has one, and start HTTP/2 on it, all within the connect timeout.
//!
//! Plaintext TCP and unix connections run on their concrete stream types;
//! only secured and application-supplied ones are boxed.

use super::target::{Dial, Target};
use crate::Status;
use crate::rt;
use crate::transport::{BoxIo, Client, ClientHandshaker, Connect};
use oxgrpc_h2::Config;
use std::sync::Arc;
use std::time::Duration;

/// gRPC's minimum connect timeout (connection-backoff.md).
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Everything a channel needs to open a connection.
pub(crate) struct Dialer {
    pub(crate) target: Target,
    pub(crate) connector: Option<Arc<dyn Connect>>,
    pub(crate) handshaker: Option<Arc<dyn ClientHandshaker>>,
    /// Why no connection can be made (an `https://` target whose default
    /// TLS settings are unusable).
    pub(crate) broken: Option<Status>,
    pub(crate) timeout: Duration,
}

impl Dialer {
    /// Whether connections are secured by a handshaker.
    pub(crate) fn is_secure(&self) -> bool {
        self.handshaker.is_some() || self.target.https
    }

    /// The `:scheme` of requests.
    pub(crate) fn scheme(&self) -> &'static str {
        if self.is_secure() { "https" } else { "http" }
    }

    /// Opens a connection; UNAVAILABLE, naming the cause, if it fails or
    /// takes longer than the connect timeout.
    pub(crate) async fn connect(&self, http2: Config) -> Result<Client, Status> {
        if let Some(status) = &self.broken {
            return Err(status.clone());
        }
        let deadline = rt::now().checked_add(self.timeout);
        match rt::timeout_at(deadline, self.connect_now(http2)).await {
            Some(result) => result,
            None => Err(Status::unavailable(format!(
                "failed to connect to {}: timed out after {:?}",
                self.target.authority, self.timeout
            ))),
        }
    }

    async fn connect_now(&self, http2: Config) -> Result<Client, Status> {
        let authority = &self.target.authority;
        let failed = |e: std::io::Error| {
            Status::unavailable(format!("failed to connect to {authority}: {e}")).with_source(e)
        };
        let io: BoxIo = match (&self.connector, &self.target.dial) {
            (Some(connector), _) => connector.connect().await.map_err(failed)?,
            (None, Dial::Tcp) => {
                let addr = tokio::net::lookup_host(authority.as_str())
                    .await
                    .map_err(failed)?
                    .next()
                    .ok_or_else(|| Status::unavailable(format!("{authority} has no address")))?;
                if self.handshaker.is_none() {
                    return Client::connect(addr, http2).await.map_err(failed);
                }
                let tcp = tokio::net::TcpStream::connect(addr).await.map_err(failed)?;
                tcp.set_nodelay(true).map_err(failed)?;
                Box::new(tcp)
            }
            #[cfg(unix)]
            (None, Dial::Unix(addr)) => {
                let stream = addr.connect().await.map_err(failed)?;
                if self.handshaker.is_none() {
                    return Ok(Client::handshake(stream, http2));
                }
                Box::new(stream)
            }
        };
        let Some(handshaker) = &self.handshaker else {
            return Ok(Client::handshake(io, http2));
        };
        let secured = handshaker.handshake(io, authority).await.map_err(|e| {
            Status::unavailable(format!("failed to connect to {authority}: {e}"))
                .with_boxed_source(e)
        })?;
        Ok(Client::handshake(secured.io, http2))
    }
}
