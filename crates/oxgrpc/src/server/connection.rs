//! How a server manages its connections without the application's help:
//! keepalive (gRFC A8) and idle and age limits (gRFC A9), turned into each
//! connection's engine settings.
//!
//! The engine runs the timers (`oxgrpc_h2`'s timer table); this file only
//! chooses their values, including the per-connection jitter of the
//! maximum age, so that connections made together do not all go away
//! together.

use oxgrpc_h2::{Config, PingPolicy};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// grpc-go's server default: a PING after two hours without activity.
pub(crate) const DEFAULT_KEEPALIVE_TIME: Duration = Duration::from_secs(2 * 60 * 60);
/// grpc-go's default wait for the PING's answer.
pub(crate) const DEFAULT_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(20);
/// The maximum age is spread by ±10% per connection, as in gRFC A9.
const AGE_JITTER: f64 = 0.1;

/// The connection-management settings of a server; all limits default off.
#[derive(Clone, Debug)]
pub(crate) struct ConnectionManagement {
    pub(crate) keepalive_time: Option<Duration>,
    pub(crate) keepalive_timeout: Duration,
    pub(crate) max_idle: Option<Duration>,
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_age_grace: Option<Duration>,
    /// How often clients may ping (gRFC A8 enforcement); on by default.
    pub(crate) ping_policy: Option<PingPolicy>,
}

impl Default for ConnectionManagement {
    fn default() -> Self {
        ConnectionManagement {
            keepalive_time: Some(DEFAULT_KEEPALIVE_TIME),
            keepalive_timeout: DEFAULT_KEEPALIVE_TIMEOUT,
            max_idle: None,
            max_age: None,
            max_age_grace: None,
            ping_policy: Some(PingPolicy::default()),
        }
    }
}

impl ConnectionManagement {
    /// The engine settings for the next connection: `base` plus these
    /// timers, with the maximum age jittered by `unit` in `[-1, 1]`.
    pub(crate) fn apply(&self, base: &Config, unit: f64) -> Config {
        let mut config = base.clone();
        config.keepalive_interval = self.keepalive_time;
        config.keepalive_timeout = self.keepalive_timeout;
        // A server pings idle connections too: a dead peer must not hold
        // its connection forever (grpc-go does the same).
        config.keepalive_without_calls = true;
        config.max_idle = self.max_idle;
        config.max_age = self.max_age.map(|age| jitter(age, unit));
        config.go_away_grace = self.max_age_grace;
        config.ping_policy = self.ping_policy;
        config
    }
}

/// `age` spread by `unit × 10%`.
fn jitter(age: Duration, unit: f64) -> Duration {
    age.mul_f64(1.0 + AGE_JITTER * unit.clamp(-1.0, 1.0))
}

/// A value in `[-1, 1]`, different for each call: enough randomness for
/// jitter, without a random-number crate.
pub(crate) fn jitter_unit() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<RandomState> = std::sync::OnceLock::new();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let bits = SEED.get_or_init(RandomState::new).hash_one(n);
    (bits >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_default_off_and_keepalive_follows_grpc_go() {
        let config = ConnectionManagement::default().apply(&Config::default(), 0.0);
        assert_eq!(config.keepalive_interval, Some(DEFAULT_KEEPALIVE_TIME));
        assert_eq!(config.keepalive_timeout, DEFAULT_KEEPALIVE_TIMEOUT);
        assert_eq!((config.max_idle, config.max_age, config.go_away_grace), (None, None, None));
        assert_eq!(config.ping_policy, Some(PingPolicy::default()));
    }

    #[test]
    fn max_age_is_jittered_by_ten_percent() {
        let management = ConnectionManagement {
            max_age: Some(Duration::from_secs(100)),
            ..ConnectionManagement::default()
        };
        let ages: Vec<Duration> = (0..1000)
            .map(|_| management.apply(&Config::default(), jitter_unit()).max_age.unwrap())
            .collect();
        let (min, max) = (ages.iter().min().unwrap(), ages.iter().max().unwrap());
        assert!(*min >= Duration::from_secs(90) && *max <= Duration::from_secs(110));
        assert!(
            *min < Duration::from_secs(92) && *max > Duration::from_secs(108),
            "{min:?} {max:?}"
        );
    }
}
