//! Our GOAWAY (RFC 9113 §6.8): the graceful drain in two steps.
//!
//! A client has no streams opened by its peer to race with, so its GOAWAY
//! is one frame. A server's graceful GOAWAY (NO_ERROR, from
//! [`Connection::go_away`] or the `Idle` and `MaxAge` timers) is two, as
//! §6.8 suggests and grpc-go's `outgoingGoAwayHandler` does:
//!
//! 1. GOAWAY with last-stream-id 2^31-1, then a PING of our own (the drain
//!    PING). The client learns it must open no more streams, but streams it
//!    opened before it read this one are still accepted and served.
//! 2. When the drain PING's ack arrives, every stream the client opened
//!    before reading the first GOAWAY has reached us (the ack comes after
//!    them), and the final GOAWAY names the real last stream. If the ack
//!    does not come within [`Config::go_away_ping_timeout`] (`DrainAck`
//!    timer), the final GOAWAY goes anyway, as grpc-go's 5 s timer does.
//!
//! Both carry the same code and debug data. Streams the client opens after
//! the final GOAWAY, above its last-stream-id, get RST_STREAM(REFUSED_STREAM):
//! never processed, safe to retry. Error GOAWAYs (`close`) are always one
//! frame, sent at once, and never name a stream above the final GOAWAY's.
//!
//! [`Config::go_away_ping_timeout`]: super::Config::go_away_ping_timeout

use super::timer::Timer;
use super::{Connection, Phase, Role};
use crate::Reason;
use crate::frame::{GoAway, MAX_STREAM_ID, StreamId};
use bytes::Bytes;

/// How far our GOAWAY has gone.
#[derive(Clone, Copy, Debug)]
pub(super) enum GoAwaySent {
    /// The first GOAWAY (2^31-1) and the drain PING are out; the final
    /// GOAWAY, with this code and debug data, waits for the PING's ack.
    Draining { reason: Reason, debug_data: &'static [u8] },
    /// The final GOAWAY is out, naming this last stream.
    Final(StreamId),
}

impl Connection {
    /// Starts a graceful shutdown: tells the peer to open no more streams;
    /// the streams it opened may finish. Later calls do nothing.
    ///
    /// A client sends one GOAWAY. A server going away with `NO_ERROR` sends
    /// two: the first with last-stream-id 2^31-1 and a PING, the final one
    /// with the last stream the peer opened once that PING is acknowledged
    /// (or after [`Config::go_away_ping_timeout`]); streams the peer opens
    /// in between are served, later ones refused with REFUSED_STREAM. Any
    /// other code sends the final GOAWAY at once. Every GOAWAY of the
    /// shutdown carries `reason` and `debug_data`.
    /// With [`Config::go_away_grace`], streams still open when it runs out,
    /// counted from the first GOAWAY, are cut off.
    ///
    /// [`Config::go_away_ping_timeout`]: super::Config::go_away_ping_timeout
    /// [`Config::go_away_grace`]: super::Config::go_away_grace
    pub fn go_away(&mut self, reason: Reason, debug_data: &'static [u8]) {
        if self.phase == Phase::Closed || self.goaway_sent.is_some() {
            return;
        }
        let drain = self.role == Role::Server && reason == Reason::NO_ERROR;
        if drain {
            self.goaway_sent = Some(GoAwaySent::Draining { reason, debug_data });
            let debug_data = Bytes::from_static(debug_data);
            GoAway { last_stream_id: MAX_STREAM_ID, reason, debug_data }.encode(self.output.buf());
            self.send_drain_ping();
        } else {
            self.send_final_go_away(reason, debug_data);
        }
        self.on_goaway_sent(drain);
    }

    /// Whether our graceful GOAWAY is between its two steps: the first
    /// GOAWAY is sent and the final one waits for the PING's ack. Streams
    /// the peer opens meanwhile are served, and
    /// [`is_closed`](Self::is_closed) stays false.
    pub fn is_draining(&self) -> bool {
        matches!(self.goaway_sent, Some(GoAwaySent::Draining { .. }))
    }

    /// The last-stream-id of our final GOAWAY, once it is sent: streams the
    /// peer opened up to it are served, newer ones are refused. `None`
    /// before [`go_away`](Self::go_away) and while
    /// [draining](Self::is_draining).
    pub fn go_away_sent(&self) -> Option<StreamId> {
        match self.goaway_sent {
            Some(GoAwaySent::Final(last)) => Some(last),
            _ => None,
        }
    }

    /// The drain PING was acknowledged, or its wait ran out: the final
    /// GOAWAY goes out.
    pub(super) fn finish_drain(&mut self) {
        let Some(GoAwaySent::Draining { reason, debug_data }) = self.goaway_sent else { return };
        self.timers.stop(Timer::DrainAck);
        self.send_final_go_away(reason, debug_data);
    }

    fn send_final_go_away(&mut self, reason: Reason, debug_data: &'static [u8]) {
        self.goaway_sent = Some(GoAwaySent::Final(self.last_remote_id));
        let debug_data = Bytes::from_static(debug_data);
        GoAway { last_stream_id: self.last_remote_id, reason, debug_data }
            .encode(self.output.buf());
    }

    /// The last stream a GOAWAY of ours may name: the last the peer opened,
    /// but never above what our final GOAWAY said (§6.8: the value must not
    /// increase), though the peer may have opened refused streams since.
    pub(super) fn last_processed_id(&self) -> StreamId {
        match self.goaway_sent {
            Some(GoAwaySent::Final(last)) => last.min(self.last_remote_id),
            _ => self.last_remote_id,
        }
    }

    /// Whether the peer's new streams are refused: our final GOAWAY is out.
    pub(super) fn refuses_new_streams(&self) -> bool {
        matches!(self.goaway_sent, Some(GoAwaySent::Final(_)))
    }
}
