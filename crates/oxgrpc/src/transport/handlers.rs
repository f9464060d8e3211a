//! Where a connection's handlers run.
//!
//! - **Current-thread runtime:** there is one core to use, so every handler
//!   is polled inside the connection task: no spawn, no wake-up hop.
//! - **Multi-thread runtime:** a new handler gets its first poll inside the
//!   connection task, after the turn delivered its request (so a unary call
//!   whose message arrived with its head can finish right there). One that
//!   returns `Pending` moves to a task of its own. And while first polls
//!   are expensive (CPU-heavy handlers, which finish on their first poll
//!   and would hold every other stream of the connection back), new handlers
//!   skip the inline poll and are spawned at once, so one connection's
//!   streams use every worker. Every [`SAMPLE_EVERY`]th handler is still
//!   polled inline, to notice when the work turns cheap again.
//!
//! Spawned handlers live in a task set, which aborts them when the
//! connection task ends, as dropping the inline ones does. Panics are caught
//! per handler either way.
//!
//! Measured (`BENCH=1 scripts/grpc-h2load.sh`, small unary calls, one
//! worker): spawning every handler costs about 1.7x the server CPU per call
//! of polling inline; a 1 ms CPU handler over one connection on two workers
//! runs at 1.0x the one-core rate when polled inline and about 1.9x when
//! spawned (`examples/tests/connections.rs`).

use crate::rt;
use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt, StreamExt};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A handler future, as a service returns it.
pub(crate) type Handler = Pin<Box<dyn Future<Output = ()> + Send>>;

/// First polls that cost more than this (on average) make new handlers
/// spawn without one: past it, holding the connection task back costs more
/// than a spawn and a wake-up hop.
const HEAVY_POLL: Duration = Duration::from_micros(25);

/// While first polls are heavy, one handler in this many is still polled
/// inline to measure again.
const SAMPLE_EVERY: u32 = 32;

/// The handlers of one connection.
pub(crate) enum Handlers {
    /// Current-thread runtime: all polled by the connection task.
    Inline(FuturesUnordered<Handler>),
    /// Multi-thread runtime: first poll inline while cheap, then spawned.
    Adaptive(Adaptive),
}

pub(crate) struct Adaptive {
    tasks: rt::TaskSet,
    /// Started this turn, not polled yet.
    fresh: Vec<Handler>,
    /// Moving average of first-poll time, in nanoseconds.
    first_poll_ns: u64,
    /// Handlers started while heavy, for sampling.
    skipped: u32,
}

fn catch_panics(handler: Handler) -> Handler {
    Box::pin(AssertUnwindSafe(handler).catch_unwind().map(|_| ()))
}

impl Handlers {
    /// The strategy for the runtime this is called on.
    pub(crate) fn for_runtime() -> Handlers {
        if rt::is_multi_thread() {
            Handlers::Adaptive(Adaptive {
                tasks: rt::TaskSet::new(),
                fresh: Vec::new(),
                first_poll_ns: 0,
                skipped: 0,
            })
        } else {
            Handlers::Inline(FuturesUnordered::new())
        }
    }

    /// Takes a new handler; it runs from the next [`poll`](Self::poll) on.
    pub(crate) fn start(&mut self, handler: Handler) {
        match self {
            Handlers::Inline(handlers) => handlers.push(catch_panics(handler)),
            Handlers::Adaptive(adaptive) => adaptive.fresh.push(catch_panics(handler)),
        }
    }

    /// Polls inline handlers, gives new ones their first poll or a task,
    /// and reaps finished tasks.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) {
        match self {
            Handlers::Inline(handlers) => {
                while let Poll::Ready(Some(())) = handlers.poll_next_unpin(cx) {}
            }
            Handlers::Adaptive(adaptive) => adaptive.poll(cx),
        }
    }

    /// Handlers running as tasks of their own.
    #[cfg(test)]
    pub(crate) fn spawned(&self) -> usize {
        match self {
            Handlers::Inline(_) => 0,
            Handlers::Adaptive(adaptive) => adaptive.tasks.len(),
        }
    }
}

impl Adaptive {
    fn is_heavy(&self) -> bool {
        self.first_poll_ns > HEAVY_POLL.as_nanos() as u64
    }

    fn poll(&mut self, cx: &mut Context<'_>) {
        let mut fresh = std::mem::take(&mut self.fresh);
        for mut handler in fresh.drain(..) {
            if self.is_heavy() {
                self.skipped += 1;
                if self.skipped % SAMPLE_EVERY != 0 {
                    self.tasks.spawn(handler);
                    continue;
                }
            }
            let start = rt::now();
            let pending = handler.as_mut().poll(cx).is_pending();
            let took = u64::try_from((rt::now() - start).as_nanos()).unwrap_or(u64::MAX);
            self.first_poll_ns = self.first_poll_ns - self.first_poll_ns / 4 + took / 4;
            if pending {
                self.tasks.spawn(handler);
            }
        }
        self.fresh = fresh;
        while let Poll::Ready(Some(())) = self.tasks.poll_reap(cx) {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spin(time: Duration) {
        let start = std::time::Instant::now();
        while start.elapsed() < time {
            std::hint::spin_loop();
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cheap_handlers_finish_inline_and_heavy_ones_spawn() {
        let mut handlers = Handlers::for_runtime();
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        for _ in 0..10 {
            handlers.start(Box::pin(async {}));
        }
        handlers.poll(&mut cx);
        assert_eq!(handlers.spawned(), 0, "cheap handlers that finish are done in place");

        handlers.start(Box::pin(std::future::pending()));
        handlers.poll(&mut cx);
        assert_eq!(handlers.spawned(), 1, "a pending handler moves to a task");

        handlers.start(Box::pin(async { spin(Duration::from_millis(50)) }));
        handlers.poll(&mut cx);
        for _ in 0..4 {
            handlers.start(Box::pin(std::future::pending()));
        }
        handlers.start(Box::pin(async { spin(Duration::from_millis(50)) }));
        let start = std::time::Instant::now();
        handlers.poll(&mut cx);
        assert!(
            start.elapsed() < Duration::from_millis(25),
            "heavy handlers are not polled inline"
        );
        assert_eq!(handlers.spawned(), 6);
    }

    #[tokio::test]
    async fn a_panicking_handler_is_caught() {
        let mut handlers = Handlers::for_runtime();
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        handlers.start(Box::pin(async { panic!("handler bug") }));
        handlers.poll(&mut cx);
    }
}
