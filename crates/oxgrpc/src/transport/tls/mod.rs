//! TLS through rustls (the `tls` feature, on by default): TLS 1.2 and 1.3,
//! ALPN `h2` required both ways.
//!
//! - Servers: [`ServerTlsConfig`] (an [`Identity`], client CAs and
//!   [`ClientAuth`]) through [`ServerBuilder::tls`](crate::ServerBuilder::tls);
//!   [`ServerTls`] reloads certificates without a restart, by API or by
//!   watching the files ([`ServerTls::watch`]).
//! - Clients: `https://` targets, and [`ClientTlsConfig`] through
//!   [`ChannelBuilder::tls`](crate::ChannelBuilder::tls): system or given
//!   roots, a client certificate, a server-name override.
//! - Errors are [`TlsError`]s with a [`TlsErrorKind`]; a call sees them as
//!   UNAVAILABLE with the cause in the message.
//! - Handlers see the verified peer through
//!   [`CallContext::peer`](crate::CallContext::peer).

mod client;
mod error;
mod identity;
mod insecure;
mod peer;
mod reload;
mod server;
mod stream;

pub use client::{ClientTls, ClientTlsConfig};
pub use error::{TlsError, TlsErrorKind};
pub use identity::{Certificates, Identity};
pub use reload::TlsFiles;
pub use server::{ClientAuth, ServerTls, ServerTlsConfig};

use std::sync::{Arc, OnceLock};

/// The ALPN name of HTTP/2 over TLS.
const ALPN_H2: &[u8] = b"h2";

/// The crypto provider every config uses (ring), built once.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    static PROVIDER: OnceLock<Arc<rustls::crypto::CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider())).clone()
}
