//! Writing a call's response: headers, messages, then the status.

use crate::call::CallInfo;
use crate::codec::{CompressionEncoding, encode_prost};
use crate::interceptor::Interceptors;
use crate::metadata::Metadata;
use crate::status::Status;
use crate::transport::SendStream;
use crate::wire::{response_head, status_from_stream_error, trailers_only};
use bytes::BytesMut;
use oxgrpc_h2::Header;
use std::future::poll_fn;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

/// The response side of one call, shared by the call runner and the
/// handler's [`ResponseSink`].
pub(crate) struct SinkState {
    pub(crate) send: SendStream,
    pub(crate) headers_sent: bool,
    /// The stream's `grpc-encoding`, fixed once the headers are out.
    pub(crate) encoding: Option<CompressionEncoding>,
    /// Whether the next messages are compressed (with `encoding`).
    compress: bool,
    pub(crate) metadata: Metadata,
    pub(crate) trailers: Metadata,
    pub(crate) max_send: usize,
    buf: BytesMut,
}

pub(crate) type SharedSink = Arc<Mutex<SinkState>>;

pub(crate) fn lock(sink: &SharedSink) -> MutexGuard<'_, SinkState> {
    sink.lock().unwrap_or_else(|p| p.into_inner())
}

impl SinkState {
    pub(crate) fn new(
        send: SendStream,
        encoding: Option<CompressionEncoding>,
        max_send: usize,
    ) -> Self {
        SinkState {
            send,
            headers_sent: false,
            encoding,
            compress: true,
            metadata: Metadata::new(),
            trailers: Metadata::new(),
            max_send,
            buf: BytesMut::new(),
        }
    }

    /// Chooses the compression of the next messages: `Some` compresses
    /// them (and, before the headers, names `encoding` in `grpc-encoding`);
    /// `None` sends them uncompressed, keeping the stream's encoding so a
    /// later `Some` can turn compression back on.
    pub(crate) fn set_compression(&mut self, encoding: Option<CompressionEncoding>) {
        if let Some(encoding) = encoding {
            if !self.headers_sent {
                self.encoding = Some(encoding);
            }
        }
        self.compress = encoding.is_some();
    }

    /// Ends the call with `status` (its metadata is the trailing metadata).
    /// Without headers sent yet, this is a Trailers-Only response.
    pub(crate) fn finish(&mut self, status: &Status) {
        let fields = if std::mem::replace(&mut self.headers_sent, true) {
            status.to_header_fields().into_iter().map(|(n, v)| Header::new(n, v)).collect()
        } else {
            trailers_only(&std::mem::take(&mut self.metadata), status)
        };
        let _ = self.send.send_trailers(fields);
    }
}

/// Sends the response headers if they have not gone out yet.
async fn ensure_headers(
    sink: &SharedSink,
    interceptors: &Interceptors,
    call: &CallInfo,
) -> Result<(), Status> {
    let mut metadata = {
        let mut state = lock(sink);
        if state.headers_sent {
            return Ok(());
        }
        std::mem::take(&mut state.metadata)
    };
    if !interceptors.is_empty() {
        interceptors.on_response(call, &mut metadata).await;
    }
    let mut state = lock(sink);
    if state.headers_sent {
        return Ok(());
    }
    state.headers_sent = true;
    let fields = response_head(state.encoding, &metadata);
    state.send.send_headers(fields, false).map_err(|e| status_from_stream_error(&e))
}

/// Sends one message, waiting while the stream's send queue is full.
pub(crate) async fn send_message<M: prost::Message>(
    sink: &SharedSink,
    interceptors: &Interceptors,
    call: &CallInfo,
    message: &M,
) -> Result<(), Status> {
    ensure_headers(sink, interceptors, call).await?;
    poll_fn(|cx| lock(sink).send.poll_capacity(cx))
        .await
        .map_err(|e| status_from_stream_error(&e))?;
    let mut state = lock(sink);
    let state = &mut *state;
    let compression = state.encoding.filter(|_| state.compress);
    encode_prost(message, compression, state.max_send, &mut state.buf)?;
    let bytes = state.buf.split().freeze();
    state.send.send_data_now(bytes, false).map_err(|e| status_from_stream_error(&e))
}

/// Where a streaming handler writes its responses.
///
/// Initial metadata set before the first message goes out with the
/// response headers; trailing metadata goes out with the status when the
/// handler returns.
pub struct ResponseSink<T> {
    sink: SharedSink,
    interceptors: Interceptors,
    call: Arc<CallInfo>,
    _message: PhantomData<fn(T)>,
}

impl<T> std::fmt::Debug for ResponseSink<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseSink").field("method", &self.call.method).finish()
    }
}

impl<T: prost::Message> ResponseSink<T> {
    pub(crate) fn new(sink: SharedSink, interceptors: Interceptors, call: Arc<CallInfo>) -> Self {
        ResponseSink { sink, interceptors, call, _message: PhantomData }
    }

    /// Sends one message. Fails (with CANCELLED or UNAVAILABLE) once the
    /// client has gone away.
    pub async fn send(&mut self, message: T) -> Result<(), Status> {
        send_message(&self.sink, &self.interceptors, &self.call, &message).await
    }

    /// Adds initial metadata; has no effect once a message was sent.
    pub fn set_metadata(&mut self, metadata: Metadata) {
        let mut state = lock(&self.sink);
        if !state.headers_sent {
            for (key, value) in metadata.iter() {
                let _ = match value {
                    crate::metadata::MetadataValue::Ascii(s) => state.metadata.append(key, s),
                    crate::metadata::MetadataValue::Binary(b) => {
                        state.metadata.append_bin(key, b.clone())
                    }
                };
            }
        }
    }

    /// Sets trailing metadata, sent with the final status.
    pub fn set_trailers(&mut self, trailers: Metadata) {
        lock(&self.sink).trailers = trailers;
    }

    /// Chooses whether the next messages are compressed; may be called
    /// between any two messages.
    ///
    /// The compressed flag is per message, the encoding per stream: before
    /// the first message `Some(encoding)` also picks the stream's
    /// `grpc-encoding` (by default, the one negotiated with the client).
    /// Later, `Some(_)` compresses with the stream's encoding (and does
    /// nothing if it has none); `None` sends the next messages uncompressed
    /// until `Some` again.
    ///
    /// ```
    /// # async fn stream(mut sink: oxgrpc::ResponseSink<String>) -> Result<(), oxgrpc::Status> {
    /// use oxgrpc::CompressionEncoding;
    /// sink.set_compression(Some(CompressionEncoding::Gzip));
    /// sink.send("compressed".repeat(100)).await?;
    /// sink.set_compression(None);
    /// sink.send("not compressed".to_owned()).await?;
    /// # Ok(()) }
    /// ```
    pub fn set_compression(&mut self, encoding: Option<CompressionEncoding>) {
        lock(&self.sink).set_compression(encoding);
    }
}
