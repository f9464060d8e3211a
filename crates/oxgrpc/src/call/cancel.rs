//! A call's cancellation flag, shared with the handler's context.

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
