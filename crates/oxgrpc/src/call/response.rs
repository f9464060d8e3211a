//! A call's response: a message (or stream) plus initial and trailing metadata.

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
}

impl<T> Response<T> {
    /// A response carrying `message`.
    pub fn new(message: T) -> Response<T> {
        Response { message, metadata: Metadata::new(), trailers: Metadata::new() }
    }

    pub(crate) fn from_parts(message: T, metadata: Metadata, trailers: Metadata) -> Response<T> {
        Response { message, metadata, trailers }
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

    pub(crate) fn into_parts(self) -> (T, Metadata, Metadata) {
        (self.message, self.metadata, self.trailers)
    }
}
