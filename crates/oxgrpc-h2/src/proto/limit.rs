//! Token buckets driven by the caller's clock.

use super::config::RateLimit;
use std::time::Instant;

/// The state of one [`RateLimit`].
#[derive(Debug)]
pub(crate) struct Bucket {
    limit: RateLimit,
    tokens: f64,
    last: Option<Instant>,
}

impl Bucket {
    pub(crate) fn new(limit: RateLimit) -> Bucket {
        Bucket { limit, tokens: f64::from(limit.burst), last: None }
    }

    /// Takes one token; `false` when the budget is spent.
    pub(crate) fn take(&mut self, now: Instant) -> bool {
        if let Some(last) = self.last {
            let elapsed = now.saturating_duration_since(last).as_secs_f64();
            self.tokens = (self.tokens + elapsed * f64::from(self.limit.per_second))
                .min(f64::from(self.limit.burst));
        }
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill() {
        let mut b = Bucket::new(RateLimit { burst: 3, per_second: 2 });
        let t0 = Instant::now();
        assert!(b.take(t0) && b.take(t0) && b.take(t0));
        assert!(!b.take(t0));
        assert!(b.take(t0 + Duration::from_millis(500)));
        assert!(!b.take(t0 + Duration::from_millis(500)));
        assert!(b.take(t0 + Duration::from_secs(10)));
    }
}
