//! Deadline propagation from a handler to the calls it makes.
//!
//! While a server handler runs, its deadline is kept in a task-local. Any
//! call made through a [`Channel`](crate::Channel) from inside that handler
//! (polled by it, not spawned) uses the earlier of its own timeout and the
//! handler's remaining time, so no user code is needed to pass deadlines
//! along. Work moved to a spawned task can carry it explicitly with
//! [`scope`].

use std::future::Future;
use std::time::Instant;

tokio::task_local! {
    static DEADLINE: Option<Instant>;
}

/// Runs `fut` with `deadline` as the inherited deadline of outgoing calls.
///
/// ```
/// # async fn demo(deadline: std::time::Instant) {
/// let work = async { /* calls made here inherit `deadline` */ };
/// tokio::spawn(oxgrpc::deadline::scope(Some(deadline), work));
/// # }
/// ```
pub fn scope<F: Future>(deadline: Option<Instant>, fut: F) -> impl Future<Output = F::Output> {
    DEADLINE.scope(deadline, fut)
}

/// The deadline inherited from the handler being run, if any.
pub fn current() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok().flatten()
}
