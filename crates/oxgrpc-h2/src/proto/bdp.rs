//! The BDP estimator: receive windows grown to the path's
//! bandwidth-delay product, after grpc-go's `bdp_estimator.go`.
//!
//! When DATA arrives on an open stream and no BDP PING is outstanding, the
//! engine sends a PING with [`BDP_PAYLOAD`] and counts the DATA bytes
//! received until its ack. At the ack, those bytes are the sample and the time since the PING
//! a round-trip sample; the RTT is smoothed as in grpc-go (a running mean
//! of the first ten samples, then an exponential average weighted 0.9
//! toward the newest). The bandwidth is the sample over 1.5 RTT. When the
//! sample reaches 2/3 of the current estimate and the bandwidth is the
//! highest seen, the estimate becomes twice the sample, capped at
//! [`Config::max_window_size`](super::Config::max_window_size).
//!
//! One difference from grpc-go: the sample counts only bytes the
//! application also released (consumed) in the same period, so a slow
//! reader, whose window is full because it does not read, does not look
//! like a fast path.
//!
//! A larger estimate raises the connection receive window (WINDOW_UPDATE
//! for the growth) and the stream windows, through a SETTINGS frame with
//! the new SETTINGS_INITIAL_WINDOW_SIZE: the peer grows every open stream
//! by the difference when it applies it (RFC 9113 §6.9.2), so open streams
//! get no WINDOW_UPDATE of their own, and new streams start at the new
//! size. Windows never shrink below the configured ones.
//!
//! BDP PINGs are at least 100 ms apart (see [`MIN_INTERVAL`]). The PING
//! only ever follows received DATA, and at most one is in flight,
//! so a gRFC A8 server never counts it as a strike: DATA that arrives after
//! the ack was sent after the server received the previous PING, and
//! sending DATA clears the server's strikes.

use super::Connection;
use crate::frame::{Setting, Settings, WindowUpdate};
use std::time::{Duration, Instant};

/// The payload of BDP PINGs, grpc-go's `bdpPing`.
pub(super) const BDP_PAYLOAD: [u8; 8] = [2, 4, 16, 16, 9, 14, 7, 7];

/// The sample must reach this share of the estimate to grow it (grpc-go's `beta`).
const BETA: f64 = 0.66;
/// The new estimate is this many times the sample (grpc-go's `gamma`).
const GAMMA: f64 = 2.0;
/// Weight of the newest RTT sample after the first ten (grpc-go's `alpha`).
const ALPHA: f64 = 0.9;
/// BDP PINGs are at least this far apart. grpc-go has no such floor and
/// PINGs once per round trip; on a fast LAN that is thousands per second,
/// past the PING budget of servers that limit floods (ours allows 100 a
/// second by default).
const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// The estimator's state.
#[derive(Debug)]
pub(super) struct Bdp {
    /// The current estimate: the stream window we advertise.
    estimate: u32,
    /// When the outstanding BDP PING was sent; `None` when none is.
    sent_at: Option<Instant>,
    /// When the last BDP PING was sent.
    last_sent: Option<Instant>,
    /// DATA bytes received since that PING.
    received: u64,
    /// Bytes the application released since that PING.
    released: u64,
    /// Smoothed RTT, in seconds.
    rtt: f64,
    samples: u64,
    /// The highest bandwidth seen, in bytes per second.
    bw_max: f64,
}

impl Bdp {
    /// An estimator starting from the configured stream window.
    pub(super) fn new(initial: u32) -> Bdp {
        Bdp {
            estimate: initial,
            sent_at: None,
            last_sent: None,
            received: 0,
            released: 0,
            rtt: 0.0,
            samples: 0,
            bw_max: 0.0,
        }
    }

    /// Takes an ack's sample; returns the new estimate when it grows.
    fn sample(&mut self, now: Instant, limit: u32) -> Option<u32> {
        let sent_at = self.sent_at.take()?;
        let rtt = now.saturating_duration_since(sent_at).as_secs_f64();
        self.samples += 1;
        if self.samples < 10 {
            self.rtt += (rtt - self.rtt) / self.samples as f64;
        } else {
            self.rtt += (rtt - self.rtt) * ALPHA;
        }
        let sample = self.received.min(self.released) as f64;
        let bw = sample / (self.rtt.max(1e-9) * 1.5);
        if bw > self.bw_max {
            self.bw_max = bw;
        }
        if sample < BETA * f64::from(self.estimate) || bw < self.bw_max {
            return None;
        }
        let next = (GAMMA * sample).min(f64::from(limit)) as u32;
        if next <= self.estimate {
            return None;
        }
        self.estimate = next;
        Some(next)
    }
}

impl Connection {
    /// DATA of `len` flow-controlled bytes arrived: counted in the sample,
    /// or, when it is for a stream `open` to receive, the reason to start
    /// one (DATA on a refused or closed stream starts nothing).
    pub(super) fn bdp_on_data(&mut self, len: u32, open: bool) {
        let limit = self.config.max_window_size;
        let Some(bdp) = self.bdp.as_mut() else { return };
        if bdp.sent_at.is_some() {
            bdp.received += u64::from(len);
            return;
        }
        let too_soon = bdp.last_sent.is_some_and(|at| self.now < at + MIN_INTERVAL);
        if !open || len == 0 || bdp.estimate >= limit || too_soon {
            return;
        }
        bdp.sent_at = Some(self.now);
        bdp.last_sent = Some(self.now);
        bdp.received = u64::from(len);
        bdp.released = 0;
        self.send_bdp_ping();
    }

    /// The application released `len` bytes.
    pub(super) fn bdp_on_release(&mut self, len: u32) {
        if let Some(bdp) = self.bdp.as_mut().filter(|b| b.sent_at.is_some()) {
            bdp.released += u64::from(len);
        }
    }

    /// The ack of our BDP PING arrived: the sample is complete.
    pub(super) fn bdp_on_ack(&mut self) {
        let limit = self.config.max_window_size;
        let now = self.now;
        let Some(estimate) = self.bdp.as_mut().and_then(|b| b.sample(now, limit)) else { return };
        if let Some(increment) = self.recv_window.enlarge(estimate) {
            WindowUpdate { stream_id: 0, increment }.encode(self.output.buf());
        }
        if estimate > self.local_initial_window {
            self.local_initial_window = estimate;
            for (_, stream) in self.streams.iter_mut() {
                stream.recv_window.enlarge(estimate);
            }
            Settings { ack: false, values: vec![Setting::InitialWindowSize(estimate)] }
                .encode(self.output.buf());
            self.settings_sent();
        }
    }
}
