//! The four kinds of call, from the client side.

use super::Channel;
use crate::codec::{CompressionEncoding, MessageDecoder, encode_prost};
use crate::interceptor::CallInfo;
use crate::status::status_from_stream_error;
use crate::streaming::Streaming;
use crate::transport::{RecvStream, SendStream};
use crate::{Metadata, Request, Response, Status};
use bytes::BytesMut;
use futures_util::{Stream, StreamExt};
use oxgrpc_h2::Header;

/// A started call: its receiving half and what the response needs.
struct Started {
    recv: RecvStream,
    info: CallInfo,
    compression: Option<CompressionEncoding>,
}

/// The response head, once it arrived.
struct Head {
    metadata: Metadata,
    encoding: Option<CompressionEncoding>,
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
        let result = async {
            let (head, stream) = self.response(started).await?;
            single_response(head, stream).await
        };
        self.finish(&info, result.await).await
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
        let result = async {
            let (head, stream) = self.response(started).await?;
            let stream = stream.with_finish_hook(self.inner.interceptors.clone(), info.clone());
            Ok(Response::from_parts(stream, head.metadata, Metadata::new()))
        };
        self.finish_on_error(&info, result.await).await
    }

    /// Makes a client-streaming call: `request`'s stream is sent as it yields.
    pub async fn client_streaming<S, Req, Resp>(
        &self,
        path: &str,
        request: Request<S>,
    ) -> Result<Response<Resp>, Status>
    where
        S: Stream<Item = Req> + Send + 'static,
        Req: prost::Message + 'static,
        Resp: prost::Message + Default,
    {
        let (stream, send, started) = self.start(path, request).await?;
        let info = started.info.clone();
        let result = async {
            self.pump(stream, send, started.compression);
            let (head, stream) = self.response(started).await?;
            single_response(head, stream).await
        };
        self.finish(&info, result.await).await
    }

    /// Makes a bidirectional-streaming call.
    pub async fn streaming<S, Req, Resp>(
        &self,
        path: &str,
        request: Request<S>,
    ) -> Result<Response<Streaming<Resp>>, Status>
    where
        S: Stream<Item = Req> + Send + 'static,
        Req: prost::Message + 'static,
        Resp: prost::Message + Default,
    {
        let (stream, send, started) = self.start(path, request).await?;
        let info = started.info.clone();
        let result = async {
            self.pump(stream, send, started.compression);
            let (head, stream) = self.response(started).await?;
            let stream = stream.with_finish_hook(self.inner.interceptors.clone(), info.clone());
            Ok(Response::from_parts(stream, head.metadata, Metadata::new()))
        };
        self.finish_on_error(&info, result.await).await
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
        let inherited = crate::deadline::current();
        let own = request.timeout().and_then(|t| crate::rt::now().checked_add(t));
        let deadline = match (own, inherited) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let compression = request.compression().or(self.inner.compression);
        let metadata = std::mem::take(request.metadata_mut());
        let mut info = CallInfo { method: path.to_string(), metadata, deadline, remote_addr: None };
        self.inner.interceptors.on_request(&mut info).await?;
        if deadline.is_some_and(|d| d <= crate::rt::now()) {
            return Err(Status::deadline_exceeded("deadline exceeded before the call started"));
        }
        let head = self.head(&info, compression);
        let client = self.client().await?;
        let (send, recv) =
            client.send_request(head, false).map_err(|e| status_from_stream_error(&e))?;
        Ok((request.into_inner(), send, Started { recv, info, compression }))
    }

    fn head(&self, info: &CallInfo, compression: Option<CompressionEncoding>) -> Vec<Header> {
        let mut head = Vec::with_capacity(10 + info.metadata.len());
        head.push(Header::new(":method", "POST"));
        head.push(Header::new(":scheme", "http"));
        head.push(Header::new(":path", info.method.clone()));
        head.push(Header::new(":authority", self.inner.authority.clone()));
        head.push(Header::new("content-type", "application/grpc"));
        head.push(Header::new("te", "trailers"));
        head.push(Header::new("user-agent", concat!("oxgrpc/", env!("CARGO_PKG_VERSION"))));
        if let Some(deadline) = info.deadline {
            let timeout = crate::timeout::encode_timeout(
                deadline.saturating_duration_since(crate::rt::now()),
            );
            head.push(Header::new("grpc-timeout", timeout));
        }
        if let Some(encoding) = compression {
            head.push(Header::new("grpc-encoding", encoding.as_str()));
        }
        head.push(Header::new("grpc-accept-encoding", crate::server::accept_encoding()));
        head.extend(info.metadata.to_wire().map(|(n, v)| Header::new(n, v)));
        head
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
    fn pump<S, Req>(
        &self,
        stream: S,
        mut send: SendStream,
        compression: Option<CompressionEncoding>,
    ) where
        S: Stream<Item = Req> + Send + 'static,
        Req: prost::Message + 'static,
    {
        let max = self.inner.max_send_message_size;
        crate::rt::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            let mut buf = BytesMut::new();
            while let Some(message) = stream.next().await {
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
    ) -> Result<(Head, Streaming<Resp>), Status> {
        let Started { mut recv, info, .. } = started;
        let head = match crate::rt::timeout_at(info.deadline, recv.head()).await {
            Some(head) => head.map_err(|e| status_from_stream_error(&e))?,
            None => {
                recv.cancel();
                return Err(Status::deadline_exceeded("deadline exceeded"));
            }
        };
        let mut head = parse_response_head(&head)?;
        self.inner.interceptors.on_response(&info, &mut head.metadata).await;
        let decoder = MessageDecoder::new(head.encoding)
            .with_max_message_size(self.inner.max_receive_message_size);
        let stream = Streaming::new(recv, decoder, true).with_deadline(info.deadline);
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
    head: Head,
    mut stream: Streaming<Resp>,
) -> Result<Response<Resp>, Status> {
    let message = stream
        .message()
        .await?
        .ok_or_else(|| Status::internal("server sent no response message"))?;
    if stream.message().await?.is_some() {
        return Err(Status::internal("server sent more than one response message"));
    }
    let trailers = stream.trailers().cloned().unwrap_or_default();
    Ok(Response::from_parts(message, head.metadata, trailers))
}

/// Reads `:status`, `content-type`, `grpc-encoding`, metadata; a head that
/// carries `grpc-status` is a Trailers-Only response and ends the call.
fn parse_response_head(head: &[Header]) -> Result<Head, Status> {
    let field = |name: &str| head.iter().find(|h| h.name == name.as_bytes()).map(|h| &h.value[..]);
    let fields = || head.iter().map(|h| (&h.name[..], &h.value[..]));
    let http_status = field(":status")
        .and_then(|s| std::str::from_utf8(s).ok()?.parse::<u16>().ok())
        .unwrap_or(0);
    if let Some(status) = Status::from_header_fields(fields()) {
        if status.code() != crate::Code::Ok || http_status == 200 {
            return Err(if status.code() == crate::Code::Ok {
                Status::internal("server sent a Trailers-Only OK response without a message")
            } else {
                status
            });
        }
    }
    if http_status != 200 {
        return Err(Status::from_http_status(http_status));
    }
    let content_type_ok = field("content-type").is_some_and(|v| v.starts_with(b"application/grpc"));
    if !content_type_ok {
        return Err(Status::unknown("response content-type is not application/grpc"));
    }
    let encoding = match field("grpc-encoding") {
        Some(value) => CompressionEncoding::from_header(value).map_err(|e| {
            Status::internal(format!("server used unsupported compression {}", e.name()))
        })?,
        None => None,
    };
    Ok(Head { metadata: Metadata::from_wire(fields()), encoding })
}
