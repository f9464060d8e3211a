//! When a run stops, and when each call may start.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The bounds of one run, shared by its workers: a count, an end time, a
/// rate. Each call takes a ticket; tickets past the count, or taken after
/// the end, stop the worker.
#[derive(Debug)]
pub(super) struct Plan {
    start: Instant,
    total: Option<u64>,
    end: Option<Instant>,
    interval: Option<Duration>,
    issued: AtomicU64,
}

impl Plan {
    /// A plan from `start`: at most `total` calls, for at most `duration`,
    /// at most `rps` a second.
    pub(super) fn new(
        start: Instant,
        total: Option<u64>,
        duration: Option<Duration>,
        rps: Option<u32>,
    ) -> Plan {
        Plan {
            start,
            total,
            end: duration.map(|d| start + d),
            interval: rps.filter(|r| *r > 0).map(|r| Duration::from_secs(1) / r),
            issued: AtomicU64::new(0),
        }
    }

    /// The next call: when it may start (`None`: now), or `None` when
    /// the run is over (by count, by time, or because the rate puts the
    /// call past the end).
    pub(super) fn next(&self) -> Option<Option<Instant>> {
        if self.is_over() {
            return None;
        }
        let ticket = self.issued.fetch_add(1, Ordering::Relaxed);
        if self.total.is_some_and(|total| ticket >= total) {
            return None;
        }
        let slot = self.slot(ticket);
        match (slot, self.end) {
            (Some(slot), Some(end)) if slot >= end => None,
            _ => Some(slot),
        }
    }

    /// When the call with `ticket` may start, if the rate limits it.
    fn slot(&self, ticket: u64) -> Option<Instant> {
        let interval = self.interval?;
        let offset = interval.checked_mul(u32::try_from(ticket).ok()?)?;
        Some(self.start + offset)
    }

    /// Whether the time is up.
    pub(super) fn is_over(&self) -> bool {
        self.end.is_some_and(|end| Instant::now() >= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_stops_the_run_exactly() {
        let plan = Plan::new(Instant::now(), Some(3), None, None);
        let calls = std::iter::from_fn(|| plan.next()).count();
        assert_eq!(calls, 3);
        assert_eq!(plan.next(), None);
    }

    #[test]
    fn a_rate_spaces_the_calls() {
        let start = Instant::now();
        let plan = Plan::new(start, None, Some(Duration::from_secs(2)), Some(4));
        let slots: Vec<_> = std::iter::from_fn(|| plan.next()).collect();
        let expected: Vec<_> =
            (0..8).map(|i| Some(start + Duration::from_millis(250 * i))).collect();
        assert_eq!(slots, expected, "4 a second for 2 s, and none past the end");
        assert!(!plan.is_over());
        let over = Plan::new(start, None, Some(Duration::ZERO), None);
        assert_eq!(over.next(), None);
    }
}
