//! A call's request: a message (or stream) plus metadata and per-call options.

use super::cancel::{CancelHandle, Cancellation};
use super::context::CallContext;
use super::outbound::OutboundMessage;
use crate::codec::CompressionEncoding;
use crate::metadata::Metadata;
use futures_util::Stream;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A request: the message plus metadata, and on the server the call's context.
///
/// On the client, per-call options live here too: a timeout, compression.
///
/// ```
/// use oxgrpc::Request;
/// use std::time::Duration;
///
/// let mut request = Request::new("payload");
/// request.metadata_mut().insert("x-request-id", "42").unwrap();
/// request.set_timeout(Duration::from_secs(2));
/// assert_eq!(request.metadata().get("x-request-id"), Some("42"));
/// assert_eq!(*request.get_ref(), "payload");
/// ```
#[derive(Debug)]
pub struct Request<T> {
    message: T,
    metadata: Metadata,
    timeout: Option<Duration>,
    compression: Option<CompressionEncoding>,
    cancel: Option<Cancellation>,
    compressed: bool,
    context: Option<Arc<CallContext>>,
}

impl<T> Request<T> {
    /// A request carrying `message`, with no metadata.
    pub fn new(message: T) -> Request<T> {
        Request {
            message,
            metadata: Metadata::new(),
            timeout: None,
            compression: None,
            cancel: None,
            compressed: false,
            context: None,
        }
    }

    pub(crate) fn from_parts(
        message: T,
        metadata: Metadata,
        context: Arc<CallContext>,
    ) -> Request<T> {
        Request {
            message,
            metadata,
            timeout: None,
            compression: None,
            cancel: None,
            compressed: false,
            context: Some(context),
        }
    }

    /// Server: records that the request message arrived compressed.
    pub(crate) fn with_compressed(mut self, compressed: bool) -> Request<T> {
        self.compressed = compressed;
        self
    }

    /// The request metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The request metadata, to change.
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
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

    /// Client: how long to wait for the whole call (sent as `grpc-timeout`).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// Client: the timeout set for this call.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Client: compress this call's messages.
    pub fn set_compression(&mut self, encoding: CompressionEncoding) {
        self.compression = Some(encoding);
    }

    /// Client: the compression set for this call.
    pub fn compression(&self) -> Option<CompressionEncoding> {
        self.compression
    }

    /// Client: a handle that cancels this call once it is made; see
    /// [`CancelHandle`]. Every handle taken from one request cancels the
    /// same call.
    pub fn cancel_handle(&mut self) -> CancelHandle {
        CancelHandle(self.cancel.get_or_insert_with(Cancellation::default).clone())
    }

    /// Client: the call's cancellation, if a handle was taken.
    pub(crate) fn cancellation(&self) -> Option<Cancellation> {
        self.cancel.clone()
    }

    /// Server, unary and server-streaming methods: whether the request
    /// message arrived compressed (its prefix's flag; for a request stream
    /// see [`Streaming::last_message_compressed`](crate::Streaming::last_message_compressed)).
    pub fn message_compressed(&self) -> bool {
        self.compressed
    }

    /// Server: the call's context (method, deadline, peer, cancellation).
    ///
    /// # Panics
    /// Never on the server; a request built by hand has no context.
    pub fn context(&self) -> &CallContext {
        self.context.as_deref().expect("only requests received by a server carry a call context")
    }

    /// Server: the deadline, if the client set one.
    pub fn deadline(&self) -> Option<Instant> {
        self.context.as_ref().and_then(|c| c.deadline)
    }

    /// Server: the caller's address.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.context.as_ref().and_then(|c| c.remote_addr())
    }

    /// Replaces the message, keeping metadata and options.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Request<U> {
        Request {
            message: f(self.message),
            metadata: self.metadata,
            timeout: self.timeout,
            compression: self.compression,
            cancel: self.cancel,
            compressed: self.compressed,
            context: self.context,
        }
    }
}

/// Anything usable as a unary or server-streaming request: a message, or a
/// [`Request`] around one.
pub trait IntoRequest<T> {
    /// Wraps into a request.
    fn into_request(self) -> Request<T>;
}

impl<T> IntoRequest<T> for T {
    fn into_request(self) -> Request<T> {
        Request::new(self)
    }
}

impl<T> IntoRequest<T> for Request<T> {
    fn into_request(self) -> Request<T> {
        self
    }
}

/// Anything usable as a client- or bidi-streaming request: a stream of
/// messages (or of [`WithCompression`](crate::WithCompression) messages), or
/// a [`Request`] around one.
pub trait IntoStreamingRequest {
    /// The message type.
    type Message;
    /// The stream type.
    type Stream: Stream<Item: OutboundMessage<Message = Self::Message>> + Send + 'static;
    /// Wraps into a request.
    fn into_streaming_request(self) -> Request<Self::Stream>;
}

impl<S> IntoStreamingRequest for S
where
    S: Stream + Send + 'static,
    S::Item: OutboundMessage,
{
    type Message = <S::Item as OutboundMessage>::Message;
    type Stream = S;
    fn into_streaming_request(self) -> Request<S> {
        Request::new(self)
    }
}

impl<S> IntoStreamingRequest for Request<S>
where
    S: Stream + Send + 'static,
    S::Item: OutboundMessage,
{
    type Message = <S::Item as OutboundMessage>::Message;
    type Stream = S;
    fn into_streaming_request(self) -> Request<S> {
        self
    }
}
