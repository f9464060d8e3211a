//! A call's response: a message (or stream) plus initial and trailing metadata.

use crate::codec::CompressionEncoding;
use crate::metadata::Metadata;

/// A response: the message plus initial and trailing metadata.
///
/// ```
/// use oxgrpc::Response;
/// let mut response = Response::new(7);
/// response.metadata_mut().insert("x-cache", "hit").unwrap();
/// response.trailers_mut().insert("x-cost", "3").unwrap();
/// assert_eq!(response.into_inner(), 7);
/// ```
#[derive(Debug)]
pub struct Response<T> {
    message: T,
    metadata: Metadata,
    trailers: Metadata,
    /// Server: the compression asked for the message (`None`: as negotiated).
    compression: Option<Option<CompressionEncoding>>,
    /// Client: whether the message arrived compressed.
    compressed: bool,
}

impl<T> Response<T> {
    /// A response carrying `message`.
    pub fn new(message: T) -> Response<T> {
        Response::from_parts(message, Metadata::new(), Metadata::new())
    }

    pub(crate) fn from_parts(message: T, metadata: Metadata, trailers: Metadata) -> Response<T> {
        Response { message, metadata, trailers, compression: None, compressed: false }
    }

    /// Client: records that the message arrived compressed.
    pub(crate) fn with_compressed(mut self, compressed: bool) -> Response<T> {
        self.compressed = compressed;
        self
    }

    /// Server, unary and client-streaming methods: whether to compress the
    /// response message. `Some(encoding)` compresses it (and names
    /// `encoding` in `grpc-encoding`); `None` sends it uncompressed. Without
    /// a call, the server uses the encoding negotiated with the client.
    ///
    /// ```
    /// use oxgrpc::{CompressionEncoding, Response};
    /// let mut response = Response::new("small");
    /// response.set_compression(None);
    /// let mut response = Response::new("x".repeat(10_000));
    /// response.set_compression(Some(CompressionEncoding::Gzip));
    /// ```
    pub fn set_compression(&mut self, encoding: Option<CompressionEncoding>) {
        self.compression = Some(encoding);
    }

    /// Server: the compression asked with [`set_compression`](Self::set_compression).
    pub fn compression(&self) -> Option<Option<CompressionEncoding>> {
        self.compression
    }

    /// Client, unary and client-streaming calls: whether the response
    /// message arrived compressed (its prefix's flag).
    pub fn message_compressed(&self) -> bool {
        self.compressed
    }

    /// Initial metadata (sent with the response headers).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Initial metadata, to change.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Trailing metadata (sent with the status). On the client, filled once
    /// the call has finished; for streams see [`Streaming::trailers`](crate::Streaming::trailers).
    pub fn trailers(&self) -> &Metadata {
        &self.trailers
    }

    /// Trailing metadata, to change.
    pub fn trailers_mut(&mut self) -> &mut Metadata {
        &mut self.trailers
    }

    /// The message.
    pub fn get_ref(&self) -> &T {
        &self.message
    }

    /// The message, to change.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.message
    }

    /// Takes the message.
    pub fn into_inner(self) -> T {
        self.message
    }

    pub(crate) fn into_parts(self) -> (T, Metadata, Metadata, Option<Option<CompressionEncoding>>) {
        (self.message, self.metadata, self.trailers, self.compression)
    }
}
