//! Pluggable handshakers: what turns a raw byte stream into a secured one
//! and says who the peer is. TLS is one ([`tls`](super::tls)); any other
//! protocol plugs in the same way.
//!
//! # How ALTS (or another protocol) would plug in
//!
//! ALTS runs a handshake through a local handshaker service, then frames
//! records with AES-GCM. An ALTS crate would implement
//! [`ServerHandshaker`] and [`ClientHandshaker`]: `handshake` talks to the
//! handshaker service over the given byte stream's first bytes, and returns
//! a [`BoxIo`] that seals and opens records, plus an [`AuthInfo`] with
//! protocol `"alts"` and the peer's service account as its subject. The
//! server then runs HTTP/2 on the returned stream unchanged; handlers read
//! the identity from [`CallContext::peer`](crate::CallContext::peer).
//!
//! Contract: `handshake` may take as long as the peer makes it; the server
//! runs it in the connection's own task, under its handshake timeout, never
//! on the accept loop.

use super::io::BoxIo;
use super::peer::AuthInfo;
use crate::rt::BoxFuture;

/// Why a handshake failed: the handshaker's own error type, boxed (the
/// TLS one is [`TlsError`](super::tls::TlsError), which names its kind).
pub type HandshakeError = Box<dyn std::error::Error + Send + Sync>;

/// A secured connection: its stream and the peer's proven identity.
pub struct Secured {
    /// The byte stream, secured.
    pub io: BoxIo,
    /// What the handshake proved about the peer.
    pub auth: AuthInfo,
}

impl std::fmt::Debug for Secured {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secured").field("auth", &self.auth).finish()
    }
}

/// Secures the server side of an accepted connection.
///
/// ```
/// use oxgrpc::BoxFuture;
/// use oxgrpc::transport::{AuthInfo, BoxIo, HandshakeError, Secured, ServerHandshaker};
///
/// /// Trusts every peer: for tests only.
/// struct Trusting;
/// impl ServerHandshaker for Trusting {
///     fn handshake(&self, io: BoxIo) -> BoxFuture<'static, Result<Secured, HandshakeError>> {
///         Box::pin(async move { Ok(Secured { io, auth: AuthInfo::new("trust") }) })
///     }
/// }
/// ```
pub trait ServerHandshaker: Send + Sync + 'static {
    /// Runs the handshake on `io`.
    fn handshake(&self, io: BoxIo) -> BoxFuture<'static, Result<Secured, HandshakeError>>;
}

/// Secures the client side of a new connection to `authority` (`host:port`).
pub trait ClientHandshaker: Send + Sync + 'static {
    /// Runs the handshake on `io`.
    fn handshake(
        &self,
        io: BoxIo,
        authority: &str,
    ) -> BoxFuture<'static, Result<Secured, HandshakeError>>;
}
