//! Every timer of a connection, in one table.
//!
//! The engine reads no clock: it learns the time from the `now` passed to
//! the constructors, [`Connection::handle_input`] (or `recv`) and
//! [`Connection::handle_timeout`]. [`Connection::poll_timeout`] names the
//! earliest armed timer; at that instant the caller calls `handle_timeout`,
//! which fires every timer that has expired, earliest first.
//!
//! | Timer         | Armed at, for                          | Stopped by     | On expiry          |
//! |---------------|----------------------------------------|----------------|--------------------|
//! | `SettingsAck` | our SETTINGS (6), `settings_timeout`   | its ACK        | fail (1)           |
//! | `KeepAlive`   | start, any frame, `keepalive_interval` | PING sent      | keepalive PING (2) |
//! | `PingTimeout` | keepalive PING, `keepalive_timeout`    | any frame      | fail (3)           |
//! | `Idle`        | start, last stream closed, `max_idle`  | stream, GOAWAY | GOAWAY "max_idle"  |
//! | `MaxAge`      | start, `max_age`                       | GOAWAY         | GOAWAY "max_age"   |
//! | `DrainAck`    | first GOAWAY, `go_away_ping_timeout`   | drain PING ack | final GOAWAY (4)   |
//! | `GoAwayGrace` | first GOAWAY, `go_away_grace`          | -              | fail (5)           |
//!
//! (1) `SettingsTimeout`, with GOAWAY(SETTINGS_TIMEOUT).
//! (2) Only while a stream is open, unless `keepalive_without_calls`.
//! (3) `KeepAliveTimeout`, with GOAWAY(NO_ERROR, "keepalive timeout").
//! (4) Server role, graceful GOAWAY only (see `goaway.rs`); at most
//!     `go_away_grace`, and on a tie it fires first, so the peer always
//!     hears the final GOAWAY before the grace cuts its streams off.
//! (5) `GoAwayGraceExpired`, only if streams are still open; nothing more is sent.
//! (6) At start, and again for a later SETTINGS (the BDP estimator's) sent
//!     while none is unacknowledged; while several are, it times the
//!     oldest, restarted at each ACK for the next (acks come in order).
//!
//! `GoAwayGrace` counts from the first GOAWAY of a drain, as grpc-go's
//! age timer does (it restarts for the grace right after `Drain`); gRFC A9
//! would rather count from the second, but the two are at most
//! `go_away_ping_timeout` apart, and usually one round trip.
//!
//! Every timer stops when the connection closes. A keepalive PING that is
//! not needed (no stream open) is skipped and `KeepAlive` sleeps until a
//! stream opens; it then fires at once if the connection was silent for the
//! whole interval, as grpc-go's client does. Any frame received after a
//! keepalive PING counts as proof of life, not only its ack (as in
//! grpc-go): an ack stuck behind a large DATA backlog must not kill a busy
//! connection.
//!
//! Application calls carry no time. A timer they start (`Idle` when the
//! last stream ends in [`Connection::send_headers`] or
//! [`Connection::reset`], `DrainAck` and `GoAwayGrace` from
//! [`Connection::go_away`]) is *unanchored*: it runs from the next `now`
//! the engine is given, and `poll_timeout` returns the last known time
//! until then, so the caller calls `handle_timeout` right away.

use super::{Connection, ConnectionError, Farewell};
use crate::Reason;
use std::time::{Duration, Instant};

/// The timers of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Timer {
    /// The peer must acknowledge our SETTINGS by then.
    SettingsAck = 0,
    /// Send a keepalive PING: nothing was received for a while.
    KeepAlive = 1,
    /// The peer was silent since our keepalive PING for too long.
    PingTimeout = 2,
    /// No stream was open for `max_idle`.
    Idle = 3,
    /// The connection reached `max_age`.
    MaxAge = 4,
    /// The drain PING was not acknowledged in time: send the final GOAWAY.
    /// Before `GoAwayGrace`, which it must beat on a tie.
    DrainAck = 5,
    /// Streams still open this long after our (first) graceful GOAWAY are cut off.
    GoAwayGrace = 6,
}

impl Timer {
    const COUNT: usize = 7;
    /// In the order ties are broken.
    const VALUES: [Timer; Timer::COUNT] = [
        Timer::SettingsAck,
        Timer::KeepAlive,
        Timer::PingTimeout,
        Timer::Idle,
        Timer::MaxAge,
        Timer::DrainAck,
        Timer::GoAwayGrace,
    ];
}

/// When each timer fires.
#[derive(Debug, Default)]
pub(super) struct TimerTable {
    deadlines: [Option<Instant>; Timer::COUNT],
    /// Started without a time: each runs this long from the next `now`.
    unanchored: [Option<Duration>; Timer::COUNT],
}

impl TimerTable {
    /// Arms `timer` to fire at `at`.
    pub(super) fn set(&mut self, timer: Timer, at: Instant) {
        self.deadlines[timer as usize] = Some(at);
        self.unanchored[timer as usize] = None;
    }

    /// Arms `timer` to fire `after` the next `now` given to [`anchor`](Self::anchor).
    pub(super) fn start_unanchored(&mut self, timer: Timer, after: Duration) {
        self.deadlines[timer as usize] = None;
        self.unanchored[timer as usize] = Some(after);
    }

    pub(super) fn stop(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
        self.unanchored[timer as usize] = None;
    }

    pub(super) fn stop_all(&mut self) {
        *self = TimerTable::default();
    }

    pub(super) fn is_armed(&self, timer: Timer) -> bool {
        self.deadlines[timer as usize].is_some() || self.unanchored[timer as usize].is_some()
    }

    /// Gives the unanchored timers their deadline, counted from `now`.
    pub(super) fn anchor(&mut self, now: Instant) {
        for (deadline, after) in self.deadlines.iter_mut().zip(&mut self.unanchored) {
            if let Some(after) = after.take() {
                *deadline = Some(now + after);
            }
        }
    }

    /// The earliest deadline; `last_now` if an unanchored timer waits for the time.
    pub(super) fn next_timeout(&self, last_now: Instant) -> Option<Instant> {
        let earliest = self.deadlines.iter().flatten().min().copied();
        if self.unanchored.iter().any(Option::is_some) {
            return Some(earliest.map_or(last_now, |at| at.min(last_now)));
        }
        earliest
    }

    /// Stops and returns the earliest timer due at `now`; on a tie, the
    /// first in [`Timer::VALUES`].
    pub(super) fn next_expired(&mut self, now: Instant) -> Option<Timer> {
        let timer = Timer::VALUES
            .into_iter()
            .filter(|&t| self.deadlines[t as usize].is_some_and(|at| at <= now))
            .min_by_key(|&t| self.deadlines[t as usize])?;
        self.stop(timer);
        Some(timer)
    }
}

impl Connection {
    /// When [`handle_timeout`](Self::handle_timeout) must be called next:
    /// the earliest armed timer (see "Timers" in the [`Connection`] docs);
    /// `None` once the connection is closed. The instant may be in the
    /// past: then call `handle_timeout` at once.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed() { None } else { self.timers.next_timeout(self.now) }
    }

    /// Fires every timer that expired at `now`, earliest first. Afterwards,
    /// take the new output, events and timeout.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        loop {
            if self.is_closed() {
                return;
            }
            self.timers.anchor(now);
            let Some(timer) = self.timers.next_expired(now) else { return };
            self.on_timeout(timer);
        }
    }

    fn on_timeout(&mut self, timer: Timer) {
        match timer {
            Timer::SettingsAck => {
                self.close(ConnectionError::SettingsTimeout, Farewell::GoAway("settings timeout"));
            }
            Timer::KeepAlive => {
                let wanted = !self.streams.is_empty() || self.config.keepalive_without_calls;
                if wanted {
                    self.send_keepalive_ping();
                    let timeout = self.now + self.config.keepalive_timeout;
                    self.timers.set(Timer::PingTimeout, timeout);
                }
            }
            Timer::PingTimeout => {
                self.close(
                    ConnectionError::KeepAliveTimeout,
                    Farewell::GoAway("keepalive timeout"),
                );
            }
            Timer::Idle => {
                if self.streams.is_empty() {
                    self.go_away(Reason::NO_ERROR, b"max_idle");
                }
            }
            Timer::MaxAge => self.go_away(Reason::NO_ERROR, b"max_age"),
            Timer::DrainAck => self.finish_drain(),
            Timer::GoAwayGrace => {
                if !self.streams.is_empty() {
                    self.close(ConnectionError::GoAwayGraceExpired, Farewell::Nothing);
                }
            }
        }
    }

    /// Arms the timers that run from the start.
    pub(super) fn start_timers(&mut self) {
        let now = self.now;
        self.timers.set(Timer::SettingsAck, now + self.config.settings_timeout);
        if let Some(interval) = self.config.keepalive_interval {
            self.timers.set(Timer::KeepAlive, now + interval);
        }
        if let Some(max_idle) = self.config.max_idle {
            self.timers.set(Timer::Idle, now + max_idle);
        }
        if let Some(max_age) = self.config.max_age {
            self.timers.set(Timer::MaxAge, now + max_age);
        }
    }

    /// A frame arrived: the peer is alive.
    pub(super) fn on_frame_received(&mut self) {
        self.last_frame_at = self.now;
        if let Some(interval) = self.config.keepalive_interval {
            self.timers.stop(Timer::PingTimeout);
            self.timers.set(Timer::KeepAlive, self.now + interval);
        }
    }

    /// A stream opened: the connection is not idle, and a sleeping
    /// keepalive wakes up.
    pub(super) fn on_stream_opened(&mut self) {
        self.timers.stop(Timer::Idle);
        let Some(interval) = self.config.keepalive_interval else { return };
        if !self.timers.is_armed(Timer::KeepAlive) && !self.timers.is_armed(Timer::PingTimeout) {
            self.timers.set(Timer::KeepAlive, self.last_frame_at + interval);
        }
    }

    /// A stream closed; the idle clock starts when it was the last one.
    pub(super) fn on_stream_closed(&mut self) {
        if let Some(max_idle) = self.config.max_idle {
            if self.streams.is_empty() && self.goaway_sent.is_none() {
                self.timers.start_unanchored(Timer::Idle, max_idle);
            }
        }
    }

    /// We sent a graceful GOAWAY, the first of two when we `drain`: no
    /// idle or age limit applies any more, the grace period starts, and
    /// the wait for the drain PING's ack too.
    pub(super) fn on_goaway_sent(&mut self, drain: bool) {
        self.timers.stop(Timer::Idle);
        self.timers.stop(Timer::MaxAge);
        if let Some(grace) = self.config.go_away_grace {
            self.timers.start_unanchored(Timer::GoAwayGrace, grace);
        }
        if drain {
            let mut wait = self.config.go_away_ping_timeout;
            if let Some(grace) = self.config.go_away_grace {
                wait = wait.min(grace);
            }
            self.timers.start_unanchored(Timer::DrainAck, wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_expired_first() {
        let t0 = Instant::now();
        let mut table = TimerTable::default();
        table.set(Timer::MaxAge, t0 + Duration::from_secs(5));
        table.set(Timer::SettingsAck, t0 + Duration::from_secs(7));
        table.set(Timer::Idle, t0 + Duration::from_secs(9));
        assert_eq!(table.next_timeout(t0), Some(t0 + Duration::from_secs(5)));
        let now = t0 + Duration::from_secs(8);
        assert_eq!(table.next_expired(now), Some(Timer::MaxAge));
        assert_eq!(table.next_expired(now), Some(Timer::SettingsAck));
        assert_eq!(table.next_expired(now), None);
        assert!(table.is_armed(Timer::Idle));
        table.stop_all();
        assert_eq!(table.next_timeout(t0), None);
    }

    #[test]
    fn unanchored_timers_ask_for_the_time_then_count_from_it() {
        let t0 = Instant::now();
        let mut table = TimerTable::default();
        table.set(Timer::MaxAge, t0 + Duration::from_secs(60));
        table.start_unanchored(Timer::GoAwayGrace, Duration::from_secs(10));
        assert!(table.is_armed(Timer::GoAwayGrace));
        assert_eq!(table.next_timeout(t0), Some(t0));
        let later = t0 + Duration::from_secs(3);
        assert_eq!(table.next_expired(later), None);
        table.anchor(later);
        assert_eq!(table.next_timeout(t0), Some(later + Duration::from_secs(10)));
    }
}
