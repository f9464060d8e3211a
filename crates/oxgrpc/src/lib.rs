//! oxgrpc: a complete gRPC framework for Rust.
//!
//! - Servers: [`Server::builder`] collects generated services and
//!   [`Interceptor`]s, then serves (with graceful shutdown).
//! - Clients: a [`Channel`] to `http://host:port`, used by generated clients.
//! - Calls carry a [`Request`] / [`Response`] with [`Metadata`], end with a
//!   [`Status`], and stream messages through [`Streaming`] and
//!   [`ResponseSink`].
//! - Code generation without protoc: the `oxgrpc-build` crate, then
//!   [`include_proto!`].
//!
//! Deadlines propagate: a call made while handling a request inherits the
//! request's remaining time (see [`deadline`]).

pub mod blocking;
mod call;
mod client;
pub mod codec;
pub mod codegen;
#[doc(hidden)]
pub mod fuzzing;
mod interceptor;
pub mod metadata;
pub mod rpc;
mod rt;
mod server;
pub mod status;
mod streaming;
pub mod transport;
mod wire;

pub use call::deadline;
pub use call::{
    CallContext, CallInfo, CancelHandle, IntoRequest, IntoStreamingRequest, OutboundMessage,
    Request, Response, WithCompression,
};
pub use client::{CallCredentials, Channel, ChannelBuilder, CredentialsContext};
pub use codec::CompressionEncoding;
pub use interceptor::Interceptor;
pub use metadata::Metadata;
pub use rt::BoxFuture;
pub use server::{ResponseSink, Server, ServerBuilder, ServerCall};
pub use status::{Code, Status};
pub use streaming::Streaming;

/// Includes the code `oxgrpc-build` generated for a proto package.
///
/// ```ignore
/// pub mod bookstore {
///     oxgrpc::include_proto!("bookstore");
/// }
/// ```
#[macro_export]
macro_rules! include_proto {
    ($package:tt) => {
        include!(concat!(env!("OUT_DIR"), concat!("/", $package, ".rs")));
    };
}
