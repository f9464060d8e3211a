//! What a server handler knows about its call.

use super::cancel::Cancellation;
use crate::rt;
use crate::transport::Peer;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a server knows about the call it is handling.
#[derive(Debug)]
pub struct CallContext {
    pub(crate) method: String,
    pub(crate) deadline: Option<Instant>,
    pub(crate) peer: Arc<Peer>,
    pub(crate) cancelled: Cancellation,
}

impl CallContext {
    /// The full method path, e.g. `/bookstore.Bookstore/GetBook`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// When the caller stops waiting, if it said (`grpc-timeout`).
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Time left before the deadline (zero once past it).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(rt::now()))
    }

    /// The caller's address, on TCP.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.peer.remote_addr()
    }

    /// The caller: its address, unix credentials, and what the handshake
    /// proved (the verified client certificate chain, its subject and SANs).
    ///
    /// ```
    /// # fn check(context: &oxgrpc::CallContext) -> Result<(), oxgrpc::Status> {
    /// let auth = context.peer().auth().ok_or_else(|| oxgrpc::Status::unauthenticated("TLS required"))?;
    /// if !auth.sans().iter().any(|san| san == "admin.example.com") {
    ///     return Err(oxgrpc::Status::permission_denied("admins only"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// Whether the connection is secured (TLS, or another handshaker).
    pub fn is_secure(&self) -> bool {
        self.peer.is_secure()
    }

    /// Whether the call was cancelled (by the client, or by its deadline).
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.is_cancelled()
    }

    /// Resolves when the call is cancelled. The handler's own future is
    /// dropped at that moment; this is for work it spawned.
    pub async fn cancelled(&self) {
        self.cancelled.wait().await;
    }
}
