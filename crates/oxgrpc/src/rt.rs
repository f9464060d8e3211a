//! The runtime seam: the crate's one door to the clock, to timers and to
//! spawning. Everything else asks here, so tests can pause and advance time
//! (`#[tokio::test(start_paused = true)]`) and the code that knows it runs on
//! tokio stays in one file.
//!
//! Contract: every function may be called from any task of a tokio runtime;
//! `now` may also be called outside one. Nothing here blocks.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// A boxed future, as interceptors and generated code return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A timer future that can be moved to a new deadline.
pub(crate) type Sleep = Pin<Box<tokio::time::Sleep>>;

/// The current time, from the runtime's clock (which tests may pause).
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// A timer firing at `deadline`.
pub(crate) fn sleep_until(deadline: Instant) -> Sleep {
    Box::pin(tokio::time::sleep_until(deadline.into()))
}

/// A timer firing after `duration`.
pub(crate) fn sleep(duration: Duration) -> Sleep {
    Box::pin(tokio::time::sleep(duration))
}

/// Moves `sleep` to fire at `deadline`.
pub(crate) fn reset(sleep: &mut Sleep, deadline: Instant) {
    sleep.as_mut().reset(deadline.into());
}

/// Waits until `deadline`; never resolves for `None`.
pub(crate) async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Runs `fut` until `deadline`; `None` once the deadline passed first.
pub(crate) async fn timeout_at<F: Future>(deadline: Option<Instant>, fut: F) -> Option<F::Output> {
    match deadline {
        Some(d) => tokio::time::timeout_at(d.into(), fut).await.ok(),
        None => Some(fut.await),
    }
}

/// Runs `fut` as a task of its own.
pub(crate) fn spawn<F>(fut: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(fut);
}

/// Tasks owned by one owner: aborted when the set is dropped.
pub(crate) struct TaskSet(tokio::task::JoinSet<()>);

impl TaskSet {
    pub(crate) fn new() -> TaskSet {
        TaskSet(tokio::task::JoinSet::new())
    }

    /// Runs `fut` as a task of its own, owned by this set.
    pub(crate) fn spawn<F>(&mut self, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.0.spawn(fut);
    }

    /// Tasks not reaped yet.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reaps one finished task (its panic, if it panicked, is dropped).
    pub(crate) fn poll_reap(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<()>> {
        self.0.poll_join_next(cx).map(|done| done.map(|_| ()))
    }

    /// Waits for one task to finish; `None` when the set is empty.
    pub(crate) async fn reap(&mut self) -> Option<()> {
        self.0.join_next().await.map(|_| ())
    }
}

/// Whether the current runtime runs tasks on several threads, so work
/// spawned from one task can run beside it.
pub(crate) fn is_multi_thread() -> bool {
    tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
}
