//! The gRPC-over-HTTP/2 head rules both sides share (grpc's
//! `doc/PROTOCOL-HTTP2.md`), written once: the content-type rule, the
//! encodings we accept, `grpc-timeout`, the request head a client sends and a
//! server parses, the response head a server sends and a client parses, and
//! the status a failed HTTP/2 stream maps to.
//!
//! Nothing here does IO or waits: each function turns fields into values or
//! values into fields.

mod content_type;
mod encoding;
mod request_head;
mod response_head;
mod stream_error;
pub(crate) mod timeout;

pub(crate) use content_type::{GRPC_CONTENT_TYPE, is_grpc_content_type};
pub(crate) use encoding::accept_encoding;
pub(crate) use request_head::{Rejection, RequestHead, client_request_head};
pub(crate) use response_head::{ResponseHead, response_head, trailers_only};
pub(crate) use stream_error::status_from_stream_error;
