//! A sans-IO HTTP/2 engine (RFC 9113, RFC 7541).
//!
//! The engine contains no sockets and no clock: the caller feeds it received
//! bytes together with the current time, and pulls out bytes to write and
//! events for the application. Both the client and the server role share
//! it. The tokio driver in the `oxgrpc` crate is the only code that touches
//! real IO.
//!
//! With the `internals` feature the frame codec (`frame`) and HPACK
//! (`hpack`) are public too, for fuzzing and tests; they carry no
//! stability promise.

#[cfg(feature = "internals")]
pub mod frame;
// Without `internals` the codecs are crate-private; their items stay `pub`
// so the feature only has to change the module's visibility.
#[cfg(not(feature = "internals"))]
#[allow(unreachable_pub)]
mod frame;
mod header;
#[cfg(feature = "internals")]
pub mod hpack;
#[cfg(not(feature = "internals"))]
#[allow(unreachable_pub)]
mod hpack;
mod proto;
mod reason;

pub use frame::StreamId;
pub use header::Header;
pub use proto::{
    Config, Connection, ConnectionError, Event, PREFACE, PingPolicy, RateLimit, Role, SendError,
};
pub use reason::Reason;
