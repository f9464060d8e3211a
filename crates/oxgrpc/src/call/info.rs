//! What interceptors see of a call, on both sides.

use crate::metadata::Metadata;
use crate::transport::Peer;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

/// What an interceptor sees of a call.
#[derive(Debug, Clone)]
pub struct CallInfo {
    /// The full method path, e.g. `/bookstore.Bookstore/GetBook`.
    pub method: String,
    /// The request metadata; changes made in `on_request` are what the
    /// handler (server) or the peer (client) gets.
    pub metadata: Metadata,
    /// The call's deadline, if any.
    pub deadline: Option<Instant>,
    /// The peer's address, on a server (on TCP).
    pub remote_addr: Option<SocketAddr>,
    /// The peer, on a server: its address and what the handshake proved
    /// (see [`CallContext::peer`](super::CallContext::peer)).
    pub peer: Option<Arc<Peer>>,
}
