//! `grpc-accept-encoding`: the compressions this implementation can read.

use crate::codec::AcceptEncoding;
use bytes::Bytes;
use std::sync::OnceLock;

/// The `grpc-accept-encoding` value both sides send.
pub(crate) fn accept_encoding() -> Bytes {
    static VALUE: OnceLock<Bytes> = OnceLock::new();
    VALUE.get_or_init(|| Bytes::from(AcceptEncoding::all().to_string())).clone()
}
