//! Entry points for fuzz targets into crate-internal wire parsers.
//!
//! Not part of the stable API: these wrap the helpers the transport uses so
//! that `cargo fuzz` targets, which are separate crates, can reach them.

use std::time::Duration;

use bytes::Bytes;

use crate::wire::timeout;
use crate::{Metadata, Status, status::percent};

/// Parses a `grpc-timeout` value; `None` if invalid.
pub fn decode_timeout(value: &[u8]) -> Option<Duration> {
    timeout::decode_timeout(value).ok()
}

/// Formats a `grpc-timeout` value.
pub fn encode_timeout(timeout: Duration) -> String {
    timeout::encode_timeout(timeout)
}

/// Decodes a `grpc-message` value.
pub fn percent_decode(value: &[u8]) -> String {
    percent::decode(value)
}

/// Encodes a `grpc-message` value.
pub fn percent_encode(message: &str) -> String {
    percent::encode(message)
}

/// Custom metadata from header fields.
pub fn metadata_from_wire(fields: &[(&[u8], &[u8])]) -> Metadata {
    Metadata::from_wire(fields.iter().copied())
}

/// Custom metadata as header fields.
pub fn metadata_to_wire(metadata: &Metadata) -> Vec<(Bytes, Bytes)> {
    metadata.to_wire().collect()
}

/// A status from trailer fields; `None` without `grpc-status`.
pub fn status_from_header_fields(fields: &[(&[u8], &[u8])]) -> Option<Status> {
    Status::from_header_fields(fields.iter().copied())
}

/// A status as trailer fields.
pub fn status_to_header_fields(status: &Status) -> Vec<(Bytes, Bytes)> {
    status.to_header_fields()
}
