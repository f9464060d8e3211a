//! A stream of received messages, on either side of a call.

use crate::call::{CallInfo, Cancellation};
use crate::codec::MessageDecoder;
use crate::interceptor::Interceptors;
use crate::metadata::Metadata;
use crate::status::Status;
use crate::transport::RecvStream;
use crate::wire::status_from_stream_error;
use futures_util::Stream;
use oxgrpc_h2::Role;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

/// Received messages of type `T`: the request stream of a server handler,
/// or the response stream of a client call.
///
/// On the client the stream ends with the call's status: `Ok(None)` after
/// an OK status, `Err(status)` otherwise; trailing metadata is then in
/// [`trailers`](Streaming::trailers). Reading releases flow-control window,
/// so a slow reader slows the sender down.
///
/// A client may [`cancel`](Streaming::cancel) the call: the next
/// [`message`](Streaming::message) is `Err` with CANCELLED, and the
/// server's handler sees its call cancelled.
pub struct Streaming<T> {
    body: RecvStream,
    decoder: MessageDecoder,
    client: bool,
    deadline: Option<crate::rt::Sleep>,
    done: bool,
    trailers: Option<Metadata>,
    /// Client: the status arrived in the response head (Trailers-Only).
    status_in_head: Option<Vec<oxgrpc_h2::Header>>,
    /// Client: interceptors that see the final status when the stream ends.
    hook: Option<(Interceptors, CallInfo)>,
    finishing: Option<Pin<Box<dyn Future<Output = Status> + Send>>>,
    /// Set by [`cancel`](Streaming::cancel) or the call's [`CancelHandle`](crate::CancelHandle).
    cancel: Cancellation,
    cancel_wait: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
    last_compressed: bool,
    _message: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Streaming<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streaming").field("done", &self.done).finish()
    }
}

impl<T: prost::Message + Default> Streaming<T> {
    /// Messages from `body`; a client's stream ends with the call's status.
    pub(crate) fn new(body: RecvStream, decoder: MessageDecoder, role: Role) -> Streaming<T> {
        Streaming {
            body,
            decoder,
            client: role == Role::Client,
            deadline: None,
            done: false,
            trailers: None,
            status_in_head: None,
            hook: None,
            finishing: None,
            cancel: Cancellation::default(),
            cancel_wait: None,
            last_compressed: false,
            _message: PhantomData,
        }
    }

    /// Client: the call's cancellation, shared with its request sender and
    /// the application's [`CancelHandle`](crate::CancelHandle).
    pub(crate) fn with_cancellation(mut self, cancel: Cancellation) -> Streaming<T> {
        let wait = cancel.clone();
        self.cancel_wait = Some(Box::pin(async move { wait.wait().await }));
        self.cancel = cancel;
        self
    }

    /// Client: the call's deadline; when it passes, the stream is reset and
    /// ends with DEADLINE_EXCEEDED.
    pub(crate) fn with_deadline(mut self, deadline: Option<std::time::Instant>) -> Streaming<T> {
        self.deadline = deadline.map(crate::rt::sleep_until);
        self
    }

    /// Client: a Trailers-Only response; its head carries the status.
    pub(crate) fn with_status_in_head(mut self, head: Vec<oxgrpc_h2::Header>) -> Streaming<T> {
        self.status_in_head = Some(head);
        self
    }

    /// Client: interceptors whose `on_finish` sees the stream's final status.
    pub(crate) fn with_finish_hook(
        mut self,
        interceptors: Interceptors,
        call: CallInfo,
    ) -> Streaming<T> {
        if !interceptors.is_empty() {
            self.hook = Some((interceptors, call));
        }
        self
    }

    /// The next message; `Ok(None)` at the end of the stream.
    pub async fn message(&mut self) -> Result<Option<T>, Status> {
        std::future::poll_fn(|cx| self.poll_message(cx)).await
    }

    /// Reads the rest of the stream.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Status> {
        let mut all = Vec::new();
        while let Some(message) = self.message().await? {
            all.push(message);
        }
        Ok(all)
    }

    /// Cancels the call, unless it has ended already. On the client the
    /// stream is reset with `RST_STREAM(CANCEL)`, the request stream stops
    /// being sent, and the server's handler sees the cancellation; on either
    /// side the next [`message`](Self::message) is `Err` with CANCELLED.
    ///
    /// ```no_run
    /// # async fn run(channel: oxgrpc::Channel) -> Result<(), oxgrpc::Status> {
    /// let requests = futures_util::stream::iter(vec!["ping".to_owned()]);
    /// let mut replies = channel
    ///     .bidi_streaming::<_, String, String>("/test.Echo/Chat", oxgrpc::Request::new(requests))
    ///     .await?
    ///     .into_inner();
    /// let _first = replies.message().await?;
    /// replies.cancel();
    /// assert_eq!(replies.message().await.unwrap_err().code(), oxgrpc::Code::Cancelled);
    /// # Ok(()) }
    /// ```
    pub fn cancel(&mut self) {
        if !self.done {
            self.cancel.cancel();
        }
    }

    /// Whether the message last returned was compressed on the wire (its
    /// prefix's compressed flag). The flag is per message: a stream with a
    /// `grpc-encoding` may mix compressed and uncompressed messages.
    pub fn last_message_compressed(&self) -> bool {
        self.last_compressed
    }

    /// Client: the trailing metadata, once the stream has ended.
    pub fn trailers(&self) -> Option<&Metadata> {
        self.trailers.as_ref()
    }

    fn fail(&mut self, cx: &mut Context<'_>, status: Status) -> Poll<Result<Option<T>, Status>> {
        self.done = true;
        self.conclude(cx, Some(status))
    }

    /// Ends the stream with `status`, after the interceptors saw it
    /// (`None`: poll the interceptors already running).
    fn conclude(
        &mut self,
        cx: &mut Context<'_>,
        status: Option<Status>,
    ) -> Poll<Result<Option<T>, Status>> {
        let mut status = status;
        if let Some(initial) = status.take_if(|_| self.hook.is_some()) {
            if let Some((interceptors, call)) = self.hook.take() {
                self.finishing = Some(Box::pin(async move {
                    let mut status = initial;
                    interceptors.on_finish(&call, &mut status).await;
                    status
                }));
            }
        }
        if let Some(finishing) = &mut self.finishing {
            status = Some(ready!(finishing.as_mut().poll(cx)));
            self.finishing = None;
        }
        Poll::Ready(match status {
            Some(status) if status.code() != crate::Code::Ok => Err(status),
            _ => Ok(None),
        })
    }

    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<T>, Status>> {
        if self.finishing.is_some() {
            return self.conclude(cx, None);
        }
        if self.done {
            return Poll::Ready(Ok(None));
        }
        if self.cancel.is_cancelled() {
            self.reset();
            return self.fail(cx, Status::cancelled("call cancelled"));
        }
        loop {
            match self.decoder.next_message() {
                Ok(Some(bytes)) => {
                    self.last_compressed = self.decoder.last_compressed();
                    return match T::decode(bytes) {
                        Ok(message) => Poll::Ready(Ok(Some(message))),
                        Err(e) => {
                            self.reset();
                            self.fail(
                                cx,
                                Status::internal(format!("failed to decode message: {e}")),
                            )
                        }
                    };
                }
                Ok(None) => {}
                Err(status) => {
                    self.reset();
                    return self.fail(cx, status);
                }
            }
            if let Some(wait) = &mut self.cancel_wait {
                if wait.as_mut().poll(cx).is_ready() {
                    self.reset();
                    return self.fail(cx, Status::cancelled("call cancelled"));
                }
            }
            if let Some(deadline) = &mut self.deadline {
                if deadline.as_mut().poll(cx).is_ready() {
                    self.reset();
                    return self.fail(cx, Status::deadline_exceeded("deadline exceeded"));
                }
            }
            match ready!(self.body.poll_data(cx)) {
                Some(Ok(chunk)) => self.decoder.push(chunk),
                Some(Err(e)) => return self.fail(cx, status_from_stream_error(&e)),
                None => return self.finish(cx),
            }
        }
    }

    fn finish(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<T>, Status>> {
        self.done = true;
        if let Err(status) = self.decoder.finish() {
            return self.conclude(cx, Some(status));
        }
        if !self.client {
            return Poll::Ready(Ok(None));
        }
        let Some(fields) = self.body.trailers().or_else(|| self.status_in_head.take()) else {
            return self
                .conclude(cx, Some(Status::internal("server closed the stream without a status")));
        };
        let status = Status::from_header_fields(fields.iter().map(|h| (&h.name[..], &h.value[..])))
            .unwrap_or_else(|| Status::internal("trailers without grpc-status"));
        self.trailers = Some(status.metadata().clone());
        self.conclude(cx, Some(status))
    }

    /// Client: a call that failed on our side is reset, so the server stops.
    fn reset(&mut self) {
        if self.client {
            self.body.cancel();
        }
    }
}

impl<T: prost::Message + Default> Stream for Streaming<T> {
    type Item = Result<T, Status>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.poll_message(cx).map(Result::transpose)
    }
}

impl<T> Unpin for Streaming<T> {}
