//! A sans-IO HTTP/2 engine (RFC 9113, RFC 7541).
//!
//! The engine contains no sockets and no clock: the caller feeds it received
//! bytes together with the current time, and pulls out bytes to write and
//! events for the application. Both the client and the server role share
//! it. The tokio driver in the `oxgrpc` crate is the only code that touches
//! real IO.

pub mod frame;
mod header;
pub mod hpack;
mod proto;
mod reason;

pub use header::Header;
pub use proto::{Config, Connection, ConnectionError, Event, PREFACE, RateLimit, Role, SendError};
pub use reason::Reason;
