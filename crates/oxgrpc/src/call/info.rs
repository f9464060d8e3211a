//! What interceptors see of a call, on both sides.

use crate::metadata::Metadata;
use std::net::SocketAddr;
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
    /// The peer, on a server.
    pub remote_addr: Option<SocketAddr>,
}
