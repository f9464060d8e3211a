//! The per-call types both sides use: [`Request`], [`Response`], the
//! server's [`CallContext`], the interceptors' [`CallInfo`], cancellation and
//! deadline propagation.
//!
//! This is a leaf: it depends on `codec`, `metadata`, `rt` and the
//! transport's `Peer` only, so the
//! server and the client can both build on it.

mod cancel;
mod context;
pub mod deadline;
mod info;
mod outbound;
mod request;
mod response;

pub use cancel::CancelHandle;
pub(crate) use cancel::Cancellation;
pub use context::CallContext;
pub use info::CallInfo;
pub use outbound::{OutboundMessage, WithCompression};
pub use request::{IntoRequest, IntoStreamingRequest, Request};
pub use response::Response;
