//! The four kinds of call, from the client side.

use super::Channel;
use super::credentials::CredentialsContext;
use crate::call::{CallInfo, Cancellation, OutboundMessage, Request, Response};
use crate::codec::{CompressionEncoding, MessageDecoder, encode_prost};
use crate::metadata::Metadata;
use crate::rt;
use crate::status::Status;
use crate::streaming::Streaming;
use crate::transport::{RecvStream, SendStream};
use crate::wire::{ResponseHead, client_request_head, status_from_stream_error};
use bytes::BytesMut;
use futures_util::{Stream, StreamExt};
use oxgrpc_h2::Role;

/// A started call: its receiving half and what the response needs.
struct Started {
    recv: RecvStream,
    info: CallInfo,
    compression: Option<CompressionEncoding>,
    cancel: Cancellation,
}

impl Channel {
    /// Makes a unary call to `path` (`/package.Service/Method`).
    pub async fn unary<Req, Resp>(
        &self,
        path: &str,
        request: Request<Req>,
    ) -> Result<Response<Resp>, Status>
    where
        Req: prost::Message,
        Resp: prost::Message + Default,
    {
        let started = self.start_single(path, request).await?;
        let info = started.info.clone();
        let cancel = started.cancel.clone();
        let result = async {
            let (head, stream) = self.response(started).await?;
            single_response(head, stream).await
        };
        self.finish(&info, cancellable(&cancel, result).await).await
    }

    /// Makes a server-streaming call.
    pub async fn server_streaming<Req, Resp>(
        &self,
        path: &str,
        request: Request<Req>,
    ) -> Result<Response<Streaming<Resp>>, Status>
    where
        Req: prost::Message,
        Resp: prost::Message + Default,
    {
        let started = self.start_single(path, request).await?;
        let info = started.info.clone();
        let cancel = started.cancel.clone();
        let result = async {
            let (head, stream) = self.response(started).await?;
            let stream = stream.with_finish_hook(self.inner.interceptors.clone(), info.clone());
            Ok(Response::from_parts(stream, head.metadata, Metadata::new()))
        };
        self.finish_on_error(&info, cancellable(&cancel, result).await).await
    }

    /// Makes a client-streaming call: `request`'s stream is sent as it yields.
    pub async fn client_streaming<S, Req, Resp>(
        &self,
        path: &str,
        request: Request<S>,
    ) -> Result<Response<Resp>, Status>
    where
        S: Stream<Item = Req> + Send + 'static,
        Req: OutboundMessage,
        Resp: prost::Message + Default,
    {
        let (stream, send, started) = self.start(path, request).await?;
        let info = started.info.clone();
        let cancel = started.cancel.clone();
        let result = async {
            self.pump(stream, send, started.compression, started.cancel.clone());
            let (head, stream) = self.response(started).await?;
            single_response(head, stream).await
        };
        self.finish(&info, cancellable(&cancel, result).await).await
    }

    /// Makes a bidirectional-streaming call.
    pub async fn bidi_streaming<S, Req, Resp>(
        &self,
        path: &str,
        request: Request<S>,
    ) -> Result<Response<Streaming<Resp>>, Status>
    where
        S: Stream<Item = Req> + Send + 'static,
        Req: OutboundMessage,
        Resp: prost::Message + Default,
    {
        let (stream, send, started) = self.start(path, request).await?;
        let info = started.info.clone();
        let cancel = started.cancel.clone();
        let result = async {
            self.pump(stream, send, started.compression, started.cancel.clone());
            let (head, stream) = self.response(started).await?;
            let stream = stream.with_finish_hook(self.inner.interceptors.clone(), info.clone());
            Ok(Response::from_parts(stream, head.metadata, Metadata::new()))
        };
        self.finish_on_error(&info, cancellable(&cancel, result).await).await
    }

    /// Starts a call whose request is one message, and sends it.
    async fn start_single<Req: prost::Message>(
        &self,
        path: &str,
        request: Request<Req>,
    ) -> Result<Started, Status> {
        let (message, mut send, started) = self.start(path, request).await?;
        let body = self.encode(&message, started.compression)?;
        send.send_data(body, true).await.map_err(|e| status_from_stream_error(&e))?;
        Ok(started)
    }

    /// Runs interceptors and opens the stream with the request head.
    async fn start<T>(
        &self,
        path: &str,
        mut request: Request<T>,
    ) -> Result<(T, SendStream, Started), Status> {
        let inherited = crate::call::deadline::current();
        let own = request.timeout().and_then(|t| rt::now().checked_add(t));
        let deadline = match (own, inherited) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let compression = request.compression().or(self.inner.compression);
        let cancel = request.cancellation().unwrap_or_default();
        if cancel.is_cancelled() {
            return Err(Status::cancelled("call cancelled before it started"));
        }
        let metadata = std::mem::take(request.metadata_mut());
        let mut info = CallInfo {
            method: path.to_string(),
            metadata,
            deadline,
            remote_addr: None,
            peer: None,
        };
        self.inner.interceptors.on_request(&mut info).await?;
        let call = CredentialsContext { method: path, authority: &self.inner.authority };
        let secure = self.inner.dialer.is_secure();
        self.inner.credentials.apply(call, secure, &mut info.metadata).await?;
        if deadline.is_some_and(|d| d <= rt::now()) {
            return Err(Status::deadline_exceeded("deadline exceeded before the call started"));
        }
        let head = client_request_head(
            self.inner.dialer.scheme(),
            &self.inner.authority,
            &info,
            compression,
        );
        let client = self.client().await?;
        let (send, recv) =
            client.send_request(head, false).map_err(|e| status_from_stream_error(&e))?;
        Ok((request.into_inner(), send, Started { recv, info, compression, cancel }))
    }

    fn encode<M: prost::Message>(
        &self,
        message: &M,
        compression: Option<CompressionEncoding>,
    ) -> Result<bytes::Bytes, Status> {
        let mut buf = BytesMut::new();
        encode_prost(message, compression, self.inner.max_send_message_size, &mut buf)?;
        Ok(buf.freeze())
    }

    /// Sends the request stream from a task of its own, so reading
    /// responses and sending requests go on at the same time.
    /// Each message is compressed with the call's encoding unless it says
    /// otherwise ([`WithCompression`](crate::WithCompression)); cancelling
    /// the call stops it and resets the stream.
    fn pump<S, Req>(
        &self,
        stream: S,
        mut send: SendStream,
        compression: Option<CompressionEncoding>,
        cancel: Cancellation,
    ) where
        S: Stream<Item = Req> + Send + 'static,
        Req: OutboundMessage,
    {
        let max = self.inner.max_send_message_size;
        rt::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            let mut buf = BytesMut::new();
            loop {
                let item = tokio::select! {
                    item = stream.next() => item,
                    () = cancel.wait() => None,
                };
                if cancel.is_cancelled() {
                    send.reset(oxgrpc_h2::Reason::CANCEL);
                    return;
                }
                let Some(item) = item else { break };
                let (message, compress) = item.into_outbound();
                let compression = compression.filter(|_| compress != Some(false));
                if encode_prost(&message, compression, max, &mut buf).is_err() {
                    send.reset(oxgrpc_h2::Reason::CANCEL);
                    return;
                }
                if send.send_data(buf.split().freeze(), false).await.is_err() {
                    return;
                }
            }
            let _ = send.send_data(bytes::Bytes::new(), true).await;
        });
    }

    /// Waits for the response head (within the deadline) and wraps the body.
    async fn response<Resp: prost::Message + Default>(
        &self,
        started: Started,
    ) -> Result<(ResponseHead, Streaming<Resp>), Status> {
        let Started { mut recv, info, cancel, .. } = started;
        let head = match rt::timeout_at(info.deadline, recv.head()).await {
            Some(head) => head.map_err(|e| status_from_stream_error(&e))?,
            None => {
                recv.cancel();
                return Err(Status::deadline_exceeded("deadline exceeded"));
            }
        };
        let fields = head;
        let mut head = ResponseHead::parse(&fields)?;
        self.inner.interceptors.on_response(&info, &mut head.metadata).await;
        let decoder = MessageDecoder::new(head.encoding)
            .with_max_message_size(self.inner.max_receive_message_size);
        let mut stream = Streaming::new(recv, decoder, Role::Client)
            .with_deadline(info.deadline)
            .with_cancellation(cancel);
        if head.trailers_only {
            stream = stream.with_status_in_head(fields);
        }
        Ok((head, stream))
    }

    /// For calls whose stream runs on: interceptors see a failure to start
    /// here, and the final status at the end of the stream.
    async fn finish_on_error<T>(
        &self,
        info: &CallInfo,
        result: Result<T, Status>,
    ) -> Result<T, Status> {
        match result {
            Ok(value) => Ok(value),
            Err(status) => self.finish(info, Err(status)).await,
        }
    }

    async fn finish<T>(&self, info: &CallInfo, result: Result<T, Status>) -> Result<T, Status> {
        if self.inner.interceptors.is_empty() {
            return result;
        }
        match result {
            Ok(value) => {
                let mut status = Status::ok("");
                self.inner.interceptors.on_finish(info, &mut status).await;
                if status.code() == crate::Code::Ok { Ok(value) } else { Err(status) }
            }
            Err(mut status) => {
                self.inner.interceptors.on_finish(info, &mut status).await;
                Err(status)
            }
        }
    }
}

/// The one response message of a unary or client-streaming call, read to
/// the end of the stream so its status and trailers are known.
async fn single_response<Resp: prost::Message + Default>(
    head: ResponseHead,
    mut stream: Streaming<Resp>,
) -> Result<Response<Resp>, Status> {
    let message = stream
        .message()
        .await?
        .ok_or_else(|| Status::internal("server sent no response message"))?;
    let compressed = stream.last_message_compressed();
    if stream.message().await?.is_some() {
        return Err(Status::internal("server sent more than one response message"));
    }
    let trailers = stream.trailers().cloned().unwrap_or_default();
    Ok(Response::from_parts(message, head.metadata, trailers).with_compressed(compressed))
}

/// Runs `call` until it ends or `cancel` fires; on cancel the call's future
/// is dropped, which resets its stream with CANCEL.
async fn cancellable<T>(
    cancel: &Cancellation,
    call: impl Future<Output = Result<T, Status>>,
) -> Result<T, Status> {
    tokio::select! {
        result = call => result,
        () = cancel.wait() => Err(Status::cancelled("call cancelled")),
    }
}
