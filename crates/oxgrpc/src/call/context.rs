//! What a server handler knows about its call.

use super::cancel::Cancellation;
use crate::rt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// What a server knows about the call it is handling.
#[derive(Debug)]
pub struct CallContext {
    pub(crate) method: String,
    pub(crate) deadline: Option<Instant>,
    pub(crate) remote_addr: Option<SocketAddr>,
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

    /// The caller's address.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
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
