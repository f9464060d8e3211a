//! The handles an application uses for one stream.

use super::error::StreamError;
use super::shared::{Command, End, Shared};
use bytes::Bytes;
use oxgrpc_h2::{Header, Reason, Role};
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::mpsc::UnboundedSender;

/// Sending more than this to a stream waits until the engine framed it.
const SEND_HIGH_WATER: usize = 256 * 1024;

/// The receiving half of a stream: body chunks, then trailers.
///
/// Each chunk handed out gives its bytes back to flow control, so a slow
/// reader slows its sender down and a fast one never stalls it. Dropping
/// the handle of a client call that has not ended cancels the call.
pub struct RecvStream {
    shared: Arc<Shared>,
    commands: UnboundedSender<Command>,
    cancel_on_drop: bool,
}

impl RecvStream {
    /// The receiving half of a stream; on a client, dropping it before the
    /// response ended cancels the call.
    pub(crate) fn new(shared: Arc<Shared>, commands: UnboundedSender<Command>, role: Role) -> Self {
        RecvStream { shared, commands, cancel_on_drop: role == Role::Client }
    }

    /// Client role: waits for the response head.
    pub async fn head(&mut self) -> Result<Vec<Header>, StreamError> {
        poll_fn(|cx| {
            let mut inner = self.shared.lock();
            if let Some(head) = inner.head.take() {
                return Poll::Ready(Ok(head));
            }
            if let Some(end) = &inner.end {
                return Poll::Ready(Err(end.error()));
            }
            inner.recv_waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }

    /// The next body chunk; `None` at the end of the stream.
    pub async fn data(&mut self) -> Option<Result<Bytes, StreamError>> {
        poll_fn(|cx| self.poll_data(cx)).await
    }

    /// Polls for the next body chunk.
    pub fn poll_data(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, StreamError>>> {
        let mut inner = self.shared.lock();
        if let Some(chunk) = inner.data.pop_front() {
            inner.buffered -= chunk.len();
            drop(inner);
            let _ = self
                .commands
                .send(Command::Release { shared: self.shared.clone(), len: chunk.len() });
            return Poll::Ready(Some(Ok(chunk)));
        }
        match &inner.end {
            Some(End::Eos | End::Trailers(_)) => Poll::Ready(None),
            Some(end) => Poll::Ready(Some(Err(end.error()))),
            None => {
                inner.recv_waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    /// The trailers, once the body ended with them.
    pub fn trailers(&self) -> Option<Vec<Header>> {
        match &self.shared.lock().end {
            Some(End::Trailers(t)) => Some(t.clone()),
            _ => None,
        }
    }

    /// Resets the stream with CANCEL (client calls abandoned on our side).
    pub fn cancel(&mut self) {
        if !self.is_end() {
            let _ = self
                .commands
                .send(Command::Reset { shared: self.shared.clone(), reason: Reason::CANCEL });
        }
    }

    /// Whether the peer finished its side (or the stream ended otherwise).
    pub fn is_end(&self) -> bool {
        let inner = self.shared.lock();
        inner.data.is_empty() && inner.end.is_some()
    }
}

impl Drop for RecvStream {
    fn drop(&mut self) {
        let mut inner = self.shared.lock();
        inner.recv_dropped = true;
        let buffered = std::mem::take(&mut inner.buffered);
        inner.data.clear();
        let ended = inner.end.is_some();
        drop(inner);
        if buffered > 0 {
            let _ =
                self.commands.send(Command::Release { shared: self.shared.clone(), len: buffered });
        }
        if self.cancel_on_drop && !ended {
            let _ = self
                .commands
                .send(Command::Reset { shared: self.shared.clone(), reason: Reason::CANCEL });
        }
    }
}

/// The sending half of a stream. Dropping it before the stream is finished
/// resets the stream with CANCEL.
pub struct SendStream {
    shared: Arc<Shared>,
    commands: UnboundedSender<Command>,
    finished: bool,
}

impl SendStream {
    /// The sending half of a stream that is still open.
    pub(crate) fn new(shared: Arc<Shared>, commands: UnboundedSender<Command>) -> Self {
        SendStream { shared, commands, finished: false }
    }

    /// The sending half of a request whose head ended the stream.
    pub(crate) fn ended(shared: Arc<Shared>, commands: UnboundedSender<Command>) -> Self {
        SendStream { shared, commands, finished: true }
    }

    fn closed_error(&self) -> StreamError {
        match &self.shared.lock().end {
            Some(end @ (End::Reset { .. } | End::Connection(_))) => end.error(),
            _ => StreamError::closed(),
        }
    }

    fn check_open(&self) -> Result<(), StreamError> {
        if self.finished || self.shared.lock().send_closed {
            return Err(self.closed_error());
        }
        Ok(())
    }

    fn send(&mut self, command: Command, end_stream: bool) -> Result<(), StreamError> {
        self.finished |= end_stream;
        self.commands.send(command).map_err(|_| StreamError::closed())
    }

    /// Sends a head (a response) or, with `end_stream`, trailers.
    pub fn send_headers(
        &mut self,
        fields: Vec<Header>,
        end_stream: bool,
    ) -> Result<(), StreamError> {
        self.check_open()?;
        let shared = self.shared.clone();
        self.send(Command::Headers { shared, fields, end_stream }, end_stream)
    }

    /// Sends trailers, ending the stream.
    pub fn send_trailers(&mut self, fields: Vec<Header>) -> Result<(), StreamError> {
        self.send_headers(fields, true)
    }

    /// Queues body bytes; waits first while too much is queued already.
    pub async fn send_data(&mut self, data: Bytes, end_stream: bool) -> Result<(), StreamError> {
        poll_fn(|cx| self.poll_capacity(cx)).await?;
        self.send_data_now(data, end_stream)
    }

    /// Queues body bytes without waiting for capacity.
    pub fn send_data_now(&mut self, data: Bytes, end_stream: bool) -> Result<(), StreamError> {
        self.check_open()?;
        self.shared.lock().queued += data.len();
        let shared = self.shared.clone();
        self.send(Command::Data { shared, data, end_stream }, end_stream)
    }

    /// Ready when the stream can take more data without growing its queue past the limit.
    pub fn poll_capacity(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), StreamError>> {
        let mut inner = self.shared.lock();
        if inner.send_closed || self.finished {
            drop(inner);
            return Poll::Ready(Err(self.closed_error()));
        }
        if inner.queued < SEND_HIGH_WATER {
            return Poll::Ready(Ok(()));
        }
        inner.send_waker = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Resets the stream.
    pub fn reset(&mut self, reason: Reason) {
        if !std::mem::replace(&mut self.finished, true) {
            let _ = self.commands.send(Command::Reset { shared: self.shared.clone(), reason });
        }
    }

    /// Waits until the stream is reset or the connection is gone: how a
    /// handler learns that its caller cancelled.
    pub async fn closed(&mut self) -> StreamError {
        poll_fn(|cx| {
            let mut inner = self.shared.lock();
            if inner.send_closed {
                drop(inner);
                return Poll::Ready(self.closed_error());
            }
            inner.send_waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
}

/// Observes a stream's reset from outside its handles.
pub(crate) struct ResetWatch {
    shared: Arc<Shared>,
}

impl ResetWatch {
    /// Resolves once the stream is reset or its connection is gone.
    pub(crate) async fn wait(&self) {
        poll_fn(|cx| {
            let mut inner = self.shared.lock();
            if inner.send_closed {
                return Poll::Ready(());
            }
            inner.reset_waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await;
    }
}

impl SendStream {
    pub(crate) fn watch_reset(&self) -> ResetWatch {
        ResetWatch { shared: self.shared.clone() }
    }
}

impl Drop for SendStream {
    fn drop(&mut self) {
        self.reset(Reason::CANCEL);
    }
}
