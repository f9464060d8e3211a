//! PINGs (RFC 9113 §6.7): ours and the matching of their acks, and the
//! policy the peer's PINGs must follow.
//!
//! Four kinds of PING leave this endpoint: keepalive PINGs, sent by the
//! engine when the `KeepAlive` timer fires, the drain PING that follows the
//! first GOAWAY of a graceful shutdown (see `goaway.rs`), the BDP
//! estimator's PINGs (see `bdp.rs`), and application PINGs from
//! [`Connection::ping`]. Each payload is remembered until its ack
//! arrives. An ack of a keepalive PING is consumed silently, the drain
//! PING's ack sends the final GOAWAY, a BDP PING's ack completes a
//! bandwidth sample, an ack of an application PING becomes
//! [`Event::PingAck`], and an ack that matches no PING we sent is ignored,
//! as grpc-go does.
//!
//! A server with a [`PingPolicy`](super::PingPolicy) counts the peer's
//! PINGs that come too soon as strikes, as grpc-go's `handlePing` does
//! (gRFC A8, "Server Enforcement"); see [`PingStrikes`].

use super::bdp::BDP_PAYLOAD;
use super::{Connection, ConnectionError, Event, Farewell, Phase, Role};
use crate::frame::Ping;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// At most this many PINGs are remembered; when more are in flight the
/// oldest is forgotten and its ack, if it comes, is ignored.
const MAX_OUTSTANDING: usize = 32;

/// Who sent a PING.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PingOrigin {
    /// The engine, to keep the connection alive.
    KeepAlive,
    /// The engine, after the first GOAWAY of a graceful shutdown.
    Drain,
    /// The application, through [`Connection::ping`].
    Application,
    /// The BDP estimator, after DATA arrived (see `bdp.rs`).
    Bdp,
}

/// The payload of the drain PING. Keepalive payloads are a counter from 1,
/// which never gets this far; an application PING with the same payload
/// does no harm, as acks are matched oldest first.
const DRAIN_PAYLOAD: [u8; 8] = *b"h2-drain";

/// More strikes than this fail the connection: the third one does, as
/// grpc-go's `maxPingStrikes` (2) and `pingStrikes > maxPingStrikes`.
const MAX_PING_STRIKES: u32 = 2;

/// While no stream is open (and the policy does not permit PINGs without
/// calls), PINGs must be this far apart: grpc-go's `defaultPingTimeout`,
/// after TCP keepalive's minimum interval.
const WITHOUT_CALLS_INTERVAL: Duration = Duration::from_secs(2 * 3600);

/// The peer's PING history, for the [`PingPolicy`](super::PingPolicy).
///
/// As grpc-go (and unlike gRFC A8's sketch, which only remembers valid
/// PINGs), every PING, struck or not, becomes the previous one.
#[derive(Debug, Default)]
pub(super) struct PingStrikes {
    /// When the last PING arrived; `None` at the start and after a reset:
    /// the next PING is then free.
    last_ping_at: Option<Instant>,
    strikes: u32,
}

impl PingStrikes {
    /// We sent HEADERS or DATA: the peer may PING again at once.
    ///
    /// grpc-go resets when such a frame is written (`setResetPingStrikes`
    /// as the `onWrite` of headers and `onEachWrite` of data): the next
    /// PING is then not checked and the strikes drop to 0. Forgetting the
    /// last PING here has the same effect. gRFC A8 asks the same: "When a
    /// HEADERS or DATA frame is sent, set last_valid_ping_time = epoch;
    /// ping_strikes = 0". We count a frame as sent once it is framed into
    /// the output.
    pub(super) fn reset(&mut self) {
        *self = PingStrikes::default();
    }

    /// A PING arrived at `now`, which had to come `min_interval` after the
    /// previous one; returns whether the peer is now over the limit.
    fn record(&mut self, now: Instant, min_interval: Duration) -> bool {
        let previous = self.last_ping_at.replace(now);
        if previous.is_some_and(|at| now < at + min_interval) {
            self.strikes += 1;
        }
        self.strikes > MAX_PING_STRIKES
    }
}

/// The PINGs in flight, oldest first.
#[derive(Debug, Default)]
pub(super) struct Pings {
    outstanding: VecDeque<([u8; 8], PingOrigin)>,
    keepalives_sent: u64,
}

impl Pings {
    /// Remembers a PING we are sending.
    fn sent(&mut self, payload: [u8; 8], origin: PingOrigin) {
        if self.outstanding.len() == MAX_OUTSTANDING {
            self.outstanding.pop_front();
        }
        self.outstanding.push_back((payload, origin));
    }

    /// A payload for the next keepalive PING: a counter, so successive
    /// PINGs are told apart.
    fn next_keepalive(&mut self) -> [u8; 8] {
        self.keepalives_sent += 1;
        self.keepalives_sent.to_be_bytes()
    }

    /// Matches an ack with the oldest PING of that payload.
    pub(super) fn acked(&mut self, payload: [u8; 8]) -> Option<PingOrigin> {
        let i = self.outstanding.iter().position(|(p, _)| *p == payload)?;
        self.outstanding.remove(i).map(|(_, origin)| origin)
    }
}

impl Connection {
    /// Sends a PING; its ack arrives as [`Event::PingAck`] with the same
    /// payload. Up to 32 PINGs (the engine's own included) are tracked at
    /// once; beyond that the oldest one's ack is not reported.
    pub fn ping(&mut self, payload: [u8; 8]) {
        if self.phase != Phase::Closed {
            self.pings.sent(payload, PingOrigin::Application);
            Ping { ack: false, payload }.encode(self.output.buf());
        }
    }

    pub(super) fn send_keepalive_ping(&mut self) {
        let payload = self.pings.next_keepalive();
        self.pings.sent(payload, PingOrigin::KeepAlive);
        Ping { ack: false, payload }.encode(self.output.buf());
    }

    /// The PING that follows the first GOAWAY of a graceful shutdown.
    pub(super) fn send_drain_ping(&mut self) {
        self.pings.sent(DRAIN_PAYLOAD, PingOrigin::Drain);
        Ping { ack: false, payload: DRAIN_PAYLOAD }.encode(self.output.buf());
    }

    /// The BDP estimator's PING, after DATA arrived.
    pub(super) fn send_bdp_ping(&mut self) {
        self.pings.sent(BDP_PAYLOAD, PingOrigin::Bdp);
        Ping { ack: false, payload: BDP_PAYLOAD }.encode(self.output.buf());
    }

    /// An ack of one of our PINGs arrived.
    pub(super) fn recv_ping_ack(&mut self, payload: [u8; 8]) {
        match self.pings.acked(payload) {
            Some(PingOrigin::Application) => self.events.push_back(Event::PingAck { payload }),
            Some(PingOrigin::Drain) => self.finish_drain(),
            Some(PingOrigin::Bdp) => self.bdp_on_ack(),
            Some(PingOrigin::KeepAlive) | None => {}
        }
    }

    /// Applies the [`PingPolicy`](super::PingPolicy) to a PING the peer
    /// sent, after its ack was queued: grpc-go acks every PING before it
    /// judges it, so the ack precedes the GOAWAY.
    pub(super) fn enforce_ping_policy(&mut self) -> Result<(), ConnectionError> {
        let Some(policy) = self.config.ping_policy else { return Ok(()) };
        if self.role != Role::Server {
            return Ok(());
        }
        let min_interval = if self.streams.is_empty() && !policy.permit_without_calls {
            WITHOUT_CALLS_INTERVAL
        } else {
            policy.min_interval
        };
        if self.ping_strikes.record(self.now, min_interval) {
            let farewell = Farewell::GoAway("too_many_pings");
            return Err(self.close(ConnectionError::TooManyPings, farewell));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_match_the_oldest_ping_with_their_payload() {
        let mut pings = Pings::default();
        let keepalive = pings.next_keepalive();
        pings.sent(*b"app-ping", PingOrigin::Application);
        pings.sent(keepalive, PingOrigin::KeepAlive);
        pings.sent(*b"app-ping", PingOrigin::Application);
        assert_eq!(pings.acked(keepalive), Some(PingOrigin::KeepAlive));
        assert_eq!(pings.acked(*b"app-ping"), Some(PingOrigin::Application));
        assert_eq!(pings.acked(*b"app-ping"), Some(PingOrigin::Application));
        assert_eq!(pings.acked(*b"app-ping"), None);
        assert_ne!(pings.next_keepalive(), keepalive);
    }

    #[test]
    fn the_third_early_ping_is_one_too_many() {
        let t0 = Instant::now();
        let min = Duration::from_secs(60);
        let mut strikes = PingStrikes::default();
        assert!(!strikes.record(t0, min), "the first PING is free");
        for i in 1..=2 {
            assert!(!strikes.record(t0 + Duration::from_secs(i), min));
        }
        assert_eq!(strikes.strikes, 2);
        assert!(strikes.record(t0 + Duration::from_secs(3), min));
    }

    #[test]
    fn pings_at_the_interval_are_fine_and_a_reset_forgives() {
        let t0 = Instant::now();
        let min = Duration::from_secs(60);
        let mut strikes = PingStrikes::default();
        for i in 0..10 {
            assert!(!strikes.record(t0 + min * i, min));
        }
        assert_eq!(strikes.strikes, 0);
        let t1 = t0 + min * 9;
        assert!(!strikes.record(t1, min));
        assert!(!strikes.record(t1, min));
        strikes.reset();
        assert!(!strikes.record(t1, min), "the PING after a reset is free");
        assert_eq!(strikes.strikes, 0);
    }

    #[test]
    fn only_the_newest_pings_are_remembered() {
        let mut pings = Pings::default();
        for i in 0..=MAX_OUTSTANDING as u64 {
            pings.sent(i.to_be_bytes(), PingOrigin::Application);
        }
        assert_eq!(pings.acked(0u64.to_be_bytes()), None);
        assert_eq!(pings.acked(1u64.to_be_bytes()), Some(PingOrigin::Application));
    }
}
