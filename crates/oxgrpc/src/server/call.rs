//! One incoming call: its parsed head, and the four shapes of handler.

use super::ServerShared;
use super::sink::{ResponseSink, SharedSink, SinkState, lock, send_message};
use crate::call::{CallContext, CallInfo, Cancellation, Request, Response, deadline};
use crate::codec::{CompressionEncoding, MessageDecoder};
use crate::metadata::Metadata;
use crate::rt::{self, BoxFuture};
use crate::status::Status;
use crate::streaming::Streaming;
use crate::transport::{RecvStream, SendStream};
use crate::wire::{Rejection, RequestHead};
use oxgrpc_h2::Role;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// An incoming call, handed by the router to a generated service, which
/// picks the shape matching the method. Not used directly by applications.
pub struct ServerCall {
    info: Box<CallInfo>,
    request_encoding: Option<CompressionEncoding>,
    response_encoding: Option<CompressionEncoding>,
    body: RecvStream,
    response: SendStream,
    shared: Arc<ServerShared>,
}

impl std::fmt::Debug for ServerCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCall").field("method", &self.info.method).finish()
    }
}

impl ServerCall {
    pub(crate) fn new(
        request: crate::transport::IncomingRequest,
        path: &str,
        shared: Arc<ServerShared>,
        preferred: Option<CompressionEncoding>,
    ) -> Result<ServerCall, (Rejection, SendStream)> {
        let crate::transport::IncomingRequest { head, body, response, peer } = request;
        match RequestHead::parse(&head, peer, path, preferred) {
            Ok(RequestHead { info, request_encoding, response_encoding }) => Ok(ServerCall {
                info: Box::new(info),
                request_encoding,
                response_encoding,
                body,
                response,
                shared,
            }),
            Err(rejection) => Err((rejection, response)),
        }
    }

    /// The full method path.
    pub fn method(&self) -> &str {
        &self.info.method
    }

    pub(crate) fn into_response(self) -> SendStream {
        self.response
    }

    /// A unary method: one request, one response.
    pub fn unary<Req, Resp, F, Fut>(self, handler: F) -> BoxFuture<'static, ()>
    where
        Req: prost::Message + Default + Send + 'static,
        Resp: prost::Message + Send + 'static,
        F: FnOnce(Request<Req>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Response<Resp>, Status>> + Send + 'static,
    {
        self.run::<Req, _, _>(move |parts| async move {
            let (message, compressed) = single_message(parts.requests).await?;
            let request = Request::from_parts(message, parts.metadata, parts.context)
                .with_compressed(compressed);
            let response = handler(request).await?;
            send_response(&parts.sink, &parts.shared, &parts.info, response).await
        })
    }

    /// A server-streaming method: one request, a stream of responses.
    pub fn server_streaming<Req, Resp, F, Fut>(self, handler: F) -> BoxFuture<'static, ()>
    where
        Req: prost::Message + Default + Send + 'static,
        Resp: prost::Message + Send + 'static,
        F: FnOnce(Request<Req>, ResponseSink<Resp>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Status>> + Send + 'static,
    {
        self.run::<Req, _, _>(move |parts| async move {
            let (message, compressed) = single_message(parts.requests).await?;
            let sink = ResponseSink::new(parts.sink, parts.shared.interceptors.clone(), parts.info);
            let request = Request::from_parts(message, parts.metadata, parts.context)
                .with_compressed(compressed);
            handler(request, sink).await
        })
    }

    /// A client-streaming method: a stream of requests, one response.
    pub fn client_streaming<Req, Resp, F, Fut>(self, handler: F) -> BoxFuture<'static, ()>
    where
        Req: prost::Message + Default + Send + 'static,
        Resp: prost::Message + Send + 'static,
        F: FnOnce(Request<Streaming<Req>>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Response<Resp>, Status>> + Send + 'static,
    {
        self.run::<Req, _, _>(move |parts| async move {
            let request = Request::from_parts(parts.requests, parts.metadata, parts.context);
            let response = handler(request).await?;
            send_response(&parts.sink, &parts.shared, &parts.info, response).await
        })
    }

    /// A bidirectional-streaming method.
    pub fn bidi_streaming<Req, Resp, F, Fut>(self, handler: F) -> BoxFuture<'static, ()>
    where
        Req: prost::Message + Default + Send + 'static,
        Resp: prost::Message + Send + 'static,
        F: FnOnce(Request<Streaming<Req>>, ResponseSink<Resp>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Status>> + Send + 'static,
    {
        self.run::<Req, _, _>(move |parts| async move {
            let sink = ResponseSink::new(parts.sink, parts.shared.interceptors.clone(), parts.info);
            handler(Request::from_parts(parts.requests, parts.metadata, parts.context), sink).await
        })
    }

    /// Runs a call: interceptors, the handler raced against the deadline
    /// and the client's cancellation, then the status.
    fn run<Req, F, Fut>(self, body: F) -> BoxFuture<'static, ()>
    where
        Req: prost::Message + Default + Send + 'static,
        F: FnOnce(CallParts<Req>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Status>> + Send + 'static,
    {
        Box::pin(async move {
            let ServerCall {
                mut info,
                request_encoding,
                response_encoding,
                body: recv,
                response,
                shared,
            } = self;
            let reset = response.watch_reset();
            let max_send = shared.max_send_message_size;
            let sink: SharedSink =
                Arc::new(Mutex::new(SinkState::new(response, response_encoding, max_send)));
            let interceptors = shared.interceptors.clone();
            if let Err(mut status) = interceptors.on_request(&mut info).await {
                interceptors.on_finish(&info, &mut status).await;
                lock(&sink).finish(&status);
                return;
            }
            let cancelled = Cancellation::default();
            let context = Arc::new(CallContext {
                method: info.method.clone(),
                deadline: info.deadline,
                peer: info.peer.clone().unwrap_or_default(),
                cancelled: cancelled.clone(),
            });
            let decoder = MessageDecoder::new(request_encoding)
                .with_max_message_size(shared.max_receive_message_size);
            let info: Arc<CallInfo> = Arc::from(info);
            let parts = CallParts {
                requests: Streaming::new(recv, decoder, Role::Server),
                metadata: info.metadata.clone(),
                context,
                sink: sink.clone(),
                shared: shared.clone(),
                info: info.clone(),
            };
            let handler = deadline::scope(info.deadline, body(parts));
            let deadline = rt::sleep_until_opt(info.deadline);
            let (mut status, send) = tokio::select! {
                result = handler => match result {
                    Ok(()) => (Status::ok(""), true),
                    Err(status) => (status, true),
                },
                () = deadline => (Status::deadline_exceeded("deadline exceeded"), true),
                () = reset.wait() => (Status::cancelled("cancelled by the client"), false),
            };
            if status.code() != crate::Code::Ok || !send {
                cancelled.cancel();
            }
            let trailers = std::mem::take(&mut lock(&sink).trailers);
            status.metadata_mut().extend(trailers);
            interceptors.on_finish(&info, &mut status).await;
            if send {
                lock(&sink).finish(&status);
            }
        })
    }
}

/// What a handler shape gets to work with.
struct CallParts<Req> {
    requests: Streaming<Req>,
    metadata: Metadata,
    context: Arc<CallContext>,
    sink: SharedSink,
    shared: Arc<ServerShared>,
    info: Arc<CallInfo>,
}

/// The one request message, and whether it arrived compressed.
async fn single_message<Req: prost::Message + Default>(
    mut requests: Streaming<Req>,
) -> Result<(Req, bool), Status> {
    let Some(message) = requests.message().await? else {
        return Err(Status::internal("grpc: missing request message"));
    };
    let compressed = requests.last_message_compressed();
    if requests.message().await?.is_some() {
        return Err(Status::internal("grpc: more than one request message for a unary method"));
    }
    Ok((message, compressed))
}

async fn send_response<Resp: prost::Message>(
    sink: &SharedSink,
    shared: &ServerShared,
    info: &CallInfo,
    response: Response<Resp>,
) -> Result<(), Status> {
    let (message, metadata, trailers, compression) = response.into_parts();
    {
        let mut state = lock(sink);
        state.metadata = metadata;
        state.trailers = trailers;
        if let Some(compression) = compression {
            state.set_compression(compression);
        }
    }
    send_message(sink, &shared.interceptors, info, &message).await
}
