//! A call's cancellation flag: shared with a server handler's context, and
//! on the client behind the application's [`CancelHandle`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::Notify;

/// Set when a call is cancelled by its client or by its deadline.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cancellation(Arc<(AtomicBool, Notify)>);

impl Cancellation {
    pub(crate) fn cancel(&self) {
        self.0.0.store(true, Ordering::Release);
        self.0.1.notify_waiters();
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.0.0.load(Ordering::Acquire)
    }

    pub(crate) async fn wait(&self) {
        loop {
            let notified = self.0.1.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Cancels a client call from anywhere, like cancelling a context in
/// grpc-go: the stream is reset with `RST_STREAM(CANCEL)`, the server's
/// handler sees its call cancelled, and the call ends with CANCELLED on our
/// side — the call's future returns `Err`, or its response
/// [`Streaming`](crate::Streaming) yields `Err` next.
///
/// Take one from [`Request::cancel_handle`](crate::Request::cancel_handle)
/// before making the call; clones cancel the same call. Cancelling a call
/// that has already ended does nothing.
///
/// ```no_run
/// # async fn run(channel: oxgrpc::Channel) {
/// use oxgrpc::{Code, Request};
///
/// let mut request = Request::new(futures_util::stream::pending::<String>());
/// let cancel = request.cancel_handle();
/// let call = tokio::spawn(async move {
///     channel.client_streaming::<_, String, String>("/test.Echo/Collect", request).await
/// });
/// cancel.cancel();
/// assert_eq!(call.await.unwrap().unwrap_err().code(), Code::Cancelled);
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CancelHandle(pub(crate) Cancellation);

impl CancelHandle {
    /// Cancels the call.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}
