//! Messages a client sends on a request stream, with per-message
//! compression.

/// An item of a client- or bidi-streaming request stream: a protobuf
/// message, or a [`WithCompression`] around one.
pub trait OutboundMessage: Send + 'static {
    /// The protobuf message.
    type Message: prost::Message;

    /// The message, and whether to compress it (`None`: as the call says).
    fn into_outbound(self) -> (Self::Message, Option<bool>);
}

impl<M: prost::Message + Send + 'static> OutboundMessage for M {
    type Message = M;

    fn into_outbound(self) -> (M, Option<bool>) {
        (self, None)
    }
}

/// A request-stream message that says whether it is compressed, overriding
/// the call's compression for this one message.
///
/// The call's encoding (`grpc-encoding`, set with
/// [`Request::set_compression`](crate::Request::set_compression) or
/// [`ChannelBuilder::compression`](crate::ChannelBuilder::compression)) is
/// per stream; the compressed flag in each message's prefix is per message,
/// so a stream may mix both. Without an encoding for the call, a
/// [`compressed`](Self::compressed) message goes out uncompressed.
///
/// ```
/// use futures_util::stream;
/// use oxgrpc::{CompressionEncoding, Request, WithCompression};
///
/// let messages = vec![
///     WithCompression::compressed("first".to_owned()),
///     WithCompression::uncompressed("second".to_owned()),
/// ];
/// let mut request = Request::new(stream::iter(messages));
/// request.set_compression(CompressionEncoding::Gzip);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct WithCompression<M> {
    message: M,
    compress: bool,
}

impl<M> WithCompression<M> {
    /// `message`, compressed with the call's encoding.
    pub fn compressed(message: M) -> WithCompression<M> {
        WithCompression { message, compress: true }
    }

    /// `message`, sent uncompressed even if the call has an encoding.
    pub fn uncompressed(message: M) -> WithCompression<M> {
        WithCompression { message, compress: false }
    }

    /// Whether the message is to be compressed.
    pub fn is_compressed(&self) -> bool {
        self.compress
    }

    /// Takes the message.
    pub fn into_inner(self) -> M {
        self.message
    }
}

impl<M: prost::Message + Send + 'static> OutboundMessage for WithCompression<M> {
    type Message = M;

    fn into_outbound(self) -> (M, Option<bool>) {
        (self.message, Some(self.compress))
    }
}
