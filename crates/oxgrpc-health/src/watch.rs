//! The queue between the reporter and one `Watch` call.
//!
//! The reporter pushes from any thread (under its own lock); the call's
//! handler pops from its task. Every change is kept, in order, so a watcher
//! sees SERVING, NOT_SERVING, SERVING even when they come faster than it
//! sends. A status equal to the last one queued is dropped (a watcher is
//! told about changes, not about repeated calls). A watcher that falls
//! [`MAX_PENDING`] changes behind loses the oldest ones; the newest is
//! always kept, so it always ends on the current status.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::ServingStatus;

/// How many undelivered changes one watcher may have.
pub(crate) const MAX_PENDING: usize = 32;

/// One `Watch` call's pending statuses.
#[derive(Debug, Default)]
pub(crate) struct Watcher {
    pending: Mutex<Pending>,
    wake: Notify,
}

#[derive(Debug, Default)]
struct Pending {
    queue: VecDeque<ServingStatus>,
    /// The last status queued, delivered or not.
    last: Option<ServingStatus>,
    /// No more statuses will come: the server is shutting down.
    closed: bool,
}

impl Watcher {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `status` unless it repeats the last one queued.
    pub(crate) fn push(&self, status: ServingStatus) {
        let mut pending = self.lock();
        if pending.closed || pending.last == Some(status) {
            return;
        }
        if pending.queue.len() == MAX_PENDING {
            pending.queue.pop_front();
        }
        pending.queue.push_back(status);
        pending.last = Some(status);
        drop(pending);
        self.wake.notify_one();
    }

    /// Ends the watch once what is queued has been delivered.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.wake.notify_one();
    }

    /// The next status to send; `None` once closed and drained.
    pub(crate) async fn next(&self) -> Option<ServingStatus> {
        loop {
            {
                let mut pending = self.lock();
                if let Some(status) = pending.queue.pop_front() {
                    return Some(status);
                }
                if pending.closed {
                    return None;
                }
            }
            // `notify_one` stores a permit when nobody waits, so a push
            // between the unlock above and this await is not lost.
            self.wake.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(watcher: &Watcher) -> Vec<ServingStatus> {
        let mut pending = watcher.lock();
        pending.queue.drain(..).collect()
    }

    #[test]
    fn keeps_every_change_in_order_and_drops_repeats() {
        let watcher = Watcher::default();
        for status in [
            ServingStatus::Serving,
            ServingStatus::Serving,
            ServingStatus::NotServing,
            ServingStatus::Serving,
        ] {
            watcher.push(status);
        }
        assert_eq!(
            drain(&watcher),
            [ServingStatus::Serving, ServingStatus::NotServing, ServingStatus::Serving]
        );
        watcher.push(ServingStatus::Serving);
        assert_eq!(drain(&watcher), [], "a repeat of the last delivered status is dropped");
    }

    #[test]
    fn a_watcher_far_behind_loses_the_oldest_and_keeps_the_newest() {
        let watcher = Watcher::default();
        for i in 0..MAX_PENDING + 3 {
            watcher.push(if i % 2 == 0 {
                ServingStatus::Serving
            } else {
                ServingStatus::NotServing
            });
        }
        let queued = drain(&watcher);
        assert_eq!(queued.len(), MAX_PENDING);
        assert_eq!(queued.last(), Some(&ServingStatus::Serving));
    }

    #[tokio::test]
    async fn close_delivers_what_is_queued_then_ends() {
        let watcher = Watcher::default();
        watcher.push(ServingStatus::NotServing);
        watcher.close();
        watcher.push(ServingStatus::Serving);
        assert_eq!(watcher.next().await, Some(ServingStatus::NotServing));
        assert_eq!(watcher.next().await, None);
    }
}
