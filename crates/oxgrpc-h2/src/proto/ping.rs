//! Our PINGs and the matching of their acks (RFC 9113 §6.7).
//!
//! Two kinds of PING leave this endpoint: keepalive PINGs, sent by the
//! engine when the `KeepAlive` timer fires, and application PINGs from
//! [`Connection::ping`]. Each payload is remembered until its ack arrives.
//! An ack of a keepalive PING is consumed silently, an ack of an
//! application PING becomes [`Event::PingAck`], and an ack that matches no
//! PING we sent is ignored, as grpc-go does.

use super::{Connection, Event, Phase};
use crate::frame::Ping;
use std::collections::VecDeque;

/// At most this many PINGs are remembered; when more are in flight the
/// oldest is forgotten and its ack, if it comes, is ignored.
const MAX_OUTSTANDING: usize = 32;

/// Who sent a PING.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PingOrigin {
    /// The engine, to keep the connection alive.
    KeepAlive,
    /// The application, through [`Connection::ping`].
    Application,
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
    /// payload. Up to 32 PINGs (keepalives included) are tracked at once;
    /// beyond that the oldest one's ack is not reported.
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

    /// An ack of one of our PINGs arrived.
    pub(super) fn recv_ping_ack(&mut self, payload: [u8; 8]) {
        if self.pings.acked(payload) == Some(PingOrigin::Application) {
            self.events.push_back(Event::PingAck { payload });
        }
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
    fn only_the_newest_pings_are_remembered() {
        let mut pings = Pings::default();
        for i in 0..=MAX_OUTSTANDING as u64 {
            pings.sent(i.to_be_bytes(), PingOrigin::Application);
        }
        assert_eq!(pings.acked(0u64.to_be_bytes()), None);
        assert_eq!(pings.acked(1u64.to_be_bytes()), Some(PingOrigin::Application));
    }
}
