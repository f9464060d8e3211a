//! Per-stream state (RFC 9113 §5.1).
//!
//! ```text
//!                          +--------+
//!                  send H  |        |  recv H
//!                 ,--------+  idle  +--------.
//!                /         |        |         \
//!               v          +--------+          v
//!        +----------+          |           +----------+
//!        |  half-   |          | send H /  |  half-   |
//!        |  closed  |          | recv H    |  closed  |
//!        | (remote) |          v           | (local)  |
//!        +----------+      +--------+      +----------+
//!          |    ^ recv ES  |        | send ES  ^    |
//!          |     `---------+  open  +---------'     |
//!  send ES |               |        |               | recv ES
//!  send R /|               +--------+               |\ send R /
//!  recv R  |                                        |  recv R
//!          v                   +--------+           v
//!          `------------------>| closed |<----------'
//!                              +--------+
//! ```
//!
//! Idle streams are not stored: a stream is idle when its id is above the
//! highest one its initiator used. Closed streams are removed; a short ring
//! of recently closed ids lets late frames be told apart from misuse.
//! Push is disabled, so the reserved states never occur.
//!
//! [`State`] is the diagram's state, and each variant holds the sides that
//! are still open: a [`SendSide`] (still streaming, or finished by the
//! application with END_STREAM or trailers waiting behind queued DATA) and
//! a [`RecvSide`] (waiting for the response head, or receiving the body).
//! "send ES" and "recv ES" are [`State::close_send`] and
//! [`State::close_recv`]; a reset removes the stream whatever its state.
//! Queues, windows and counters are bookkeeping and live in [`Stream`].

use super::Role;
use super::flow::{RecvWindow, Window};
use crate::Header;
use crate::frame::StreamId;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// The state of a stream (§5.1), holding what each still-open side needs.
///
/// `idle` and the reserved states are never stored (see the module docs);
/// `Closed` only exists for the moment between the last transition and the
/// stream's removal from the table.
#[derive(Debug)]
pub(crate) enum State {
    /// Both sides send.
    Open {
        /// Our side.
        send: SendSide,
        /// The peer's side.
        recv: RecvSide,
    },
    /// We sent END_STREAM; the peer still sends.
    HalfClosedLocal {
        /// The peer's side.
        recv: RecvSide,
    },
    /// The peer sent END_STREAM; we still send.
    HalfClosedRemote {
        /// Our side.
        send: SendSide,
    },
    /// Both sides are done.
    Closed,
}

/// Our side of a stream until END_STREAM is on the wire.
#[derive(Debug)]
pub(crate) enum SendSide {
    /// The application may send more.
    Streaming,
    /// The application finished; this goes out after the queued data.
    Finishing(SendEnd),
}

/// How the application ended its side, to be sent after the queued data.
#[derive(Debug)]
pub(crate) enum SendEnd {
    /// END_STREAM on the last DATA frame (an empty one if needed).
    EndStream,
    /// Trailers, which carry END_STREAM.
    Trailers(Vec<Header>),
}

/// The peer's side of a stream until its END_STREAM arrives.
#[derive(Debug)]
pub(crate) enum RecvSide {
    /// A stream we opened, waiting for the final response head
    /// (informational 1xx heads are skipped).
    AwaitingHead,
    /// The head arrived; DATA and trailers may follow.
    Body {
        /// The head's `content-length`, which the DATA must match (§8.1.1).
        content_length: Option<u64>,
        /// DATA bytes received so far.
        received: u64,
    },
}

impl RecvSide {
    /// A body that must match `content_length`.
    pub(crate) fn body(content_length: Option<u64>) -> RecvSide {
        RecvSide::Body { content_length, received: 0 }
    }

    /// Counts `len` more body bytes; `false` when they contradict the
    /// content-length, which makes the message malformed.
    pub(crate) fn count_body(&mut self, len: usize, end_stream: bool) -> bool {
        let RecvSide::Body { content_length, received } = self else { return false };
        *received += len as u64;
        match *content_length {
            Some(expected) if end_stream => *received == expected,
            Some(expected) => *received <= expected,
            None => true,
        }
    }

    /// Whether the body received so far matches the content-length, as it
    /// must when trailers end the stream.
    pub(crate) fn body_complete(&self) -> bool {
        match self {
            RecvSide::AwaitingHead => false,
            RecvSide::Body { content_length, received } => {
                content_length.is_none_or(|n| n == *received)
            }
        }
    }
}

impl State {
    /// A stream as its opener creates it, after sending or receiving the
    /// head: `send` and `recv` are `None` for a side that the head ended.
    pub(crate) fn new(send: Option<SendSide>, recv: Option<RecvSide>) -> State {
        match (send, recv) {
            (Some(send), Some(recv)) => State::Open { send, recv },
            (None, Some(recv)) => State::HalfClosedLocal { recv },
            (Some(send), None) => State::HalfClosedRemote { send },
            (None, None) => State::Closed,
        }
    }

    /// Our side, while open.
    pub(crate) fn send(&self) -> Option<&SendSide> {
        match self {
            State::Open { send, .. } | State::HalfClosedRemote { send } => Some(send),
            State::HalfClosedLocal { .. } | State::Closed => None,
        }
    }

    /// Our side, while open.
    pub(crate) fn send_mut(&mut self) -> Option<&mut SendSide> {
        match self {
            State::Open { send, .. } | State::HalfClosedRemote { send } => Some(send),
            State::HalfClosedLocal { .. } | State::Closed => None,
        }
    }

    /// The peer's side, while open.
    pub(crate) fn recv(&self) -> Option<&RecvSide> {
        match self {
            State::Open { recv, .. } | State::HalfClosedLocal { recv } => Some(recv),
            State::HalfClosedRemote { .. } | State::Closed => None,
        }
    }

    /// The peer's side, while open.
    pub(crate) fn recv_mut(&mut self) -> Option<&mut RecvSide> {
        match self {
            State::Open { recv, .. } | State::HalfClosedLocal { recv } => Some(recv),
            State::HalfClosedRemote { .. } | State::Closed => None,
        }
    }

    /// Our END_STREAM went out ("send ES"): returns our side as it was.
    pub(crate) fn close_send(&mut self) -> Option<SendSide> {
        let (next, send) = match std::mem::replace(self, State::Closed) {
            State::Open { send, recv } => (State::HalfClosedLocal { recv }, Some(send)),
            State::HalfClosedRemote { send } => (State::Closed, Some(send)),
            other => (other, None),
        };
        *self = next;
        send
    }

    /// The peer's END_STREAM arrived ("recv ES").
    pub(crate) fn close_recv(&mut self) {
        *self = match std::mem::replace(self, State::Closed) {
            State::Open { send, .. } => State::HalfClosedRemote { send },
            State::HalfClosedLocal { .. } => State::Closed,
            other => other,
        };
    }

    pub(crate) fn is_closed(&self) -> bool {
        matches!(self, State::Closed)
    }
}

/// A stored stream: its state plus the bookkeeping of both directions.
#[derive(Debug)]
pub(crate) struct Stream {
    pub(crate) state: State,
    pub(crate) send_window: Window,
    pub(crate) recv_window: RecvWindow,
    /// DATA the application queued, framed by the scheduler.
    pub(crate) send_queue: VecDeque<Bytes>,
    /// The bytes in `send_queue`.
    pub(crate) queued: usize,
    /// Whether the stream's id is in the connection's ready queue.
    pub(crate) in_ready_queue: bool,
}

impl Stream {
    pub(crate) fn new(state: State, send_window: u32, recv_window: u32) -> Stream {
        Stream {
            state,
            send_window: Window::new(send_window),
            recv_window: RecvWindow::new(recv_window, recv_window),
            send_queue: VecDeque::new(),
            queued: 0,
            in_ready_queue: false,
        }
    }

    /// Whether the scheduler has something to do for this stream.
    pub(crate) fn has_pending_send(&self) -> bool {
        !self.send_queue.is_empty() || matches!(self.state.send(), Some(SendSide::Finishing(_)))
    }

    /// The application ended its side: `end` goes out after the queued data.
    pub(crate) fn finish_sending(&mut self, end: SendEnd) {
        if let Some(send) = self.state.send_mut() {
            *send = SendSide::Finishing(end);
        }
    }
}

/// Who opened a stream: odd ids are the client's, even ids the server's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Initiator {
    /// This endpoint.
    Local,
    /// The peer.
    Remote,
}

impl Initiator {
    /// Who opens `id` on a connection where we play `role`.
    pub(crate) fn of(id: StreamId, role: Role) -> Initiator {
        if (id % 2 == 1) == (role == Role::Client) { Initiator::Local } else { Initiator::Remote }
    }
}

/// Stream ids are small distinct integers: hash them as themselves.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

const RECENTLY_CLOSED: usize = 128;

/// How a recently closed stream ended, which decides what a late frame on
/// it means (RFC 9113 §5.1, "closed").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Closed {
    /// Both sides finished, or the peer reset it: the peer has no reason to
    /// send more, and DATA or HEADERS on it is STREAM_CLOSED (§6.1).
    Ended,
    /// We reset it (or the peer's GOAWAY dropped it): what the peer sent
    /// before it saw that is still in flight and is ignored.
    Reset,
}

/// All stored streams plus the bookkeeping of ids.
pub(crate) struct Streams {
    role: Role,
    map: HashMap<StreamId, Stream, BuildHasherDefault<IdHasher>>,
    recently_closed: VecDeque<(StreamId, Closed)>,
    active_local: u32,
    active_remote: u32,
}

impl Streams {
    /// The streams of a connection where we play `role`.
    pub(crate) fn new(role: Role) -> Streams {
        Streams {
            role,
            map: HashMap::default(),
            recently_closed: VecDeque::new(),
            active_local: 0,
            active_remote: 0,
        }
    }

    /// Who opens `id`.
    pub(crate) fn initiator(&self, id: StreamId) -> Initiator {
        Initiator::of(id, self.role)
    }

    /// How many streams opened by `initiator` are stored.
    pub(crate) fn active(&self, initiator: Initiator) -> u32 {
        match initiator {
            Initiator::Local => self.active_local,
            Initiator::Remote => self.active_remote,
        }
    }

    fn count_mut(&mut self, id: StreamId) -> &mut u32 {
        match self.initiator(id) {
            Initiator::Local => &mut self.active_local,
            Initiator::Remote => &mut self.active_remote,
        }
    }

    pub(crate) fn get(&self, id: StreamId) -> Option<&Stream> {
        self.map.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: StreamId) -> Option<&mut Stream> {
        self.map.get_mut(&id)
    }

    pub(crate) fn insert(&mut self, id: StreamId, stream: Stream) {
        *self.count_mut(id) += 1;
        self.map.insert(id, stream);
    }

    /// Removes a stream that closed `how`; remembers its id as recently closed.
    pub(crate) fn remove(&mut self, id: StreamId, how: Closed) -> Option<Stream> {
        let stream = self.map.remove(&id)?;
        *self.count_mut(id) -= 1;
        self.remember_closed(id, how);
        Some(stream)
    }

    /// Remembers `id` as recently closed `how`, also when it was never
    /// stored (a stream we reset as it opened). A later reset of a
    /// remembered id turns it into [`Closed::Reset`]: frames still in
    /// flight are then ignored rather than answered with more resets.
    pub(crate) fn remember_closed(&mut self, id: StreamId, how: Closed) {
        if let Some(entry) = self.recently_closed.iter_mut().find(|(known, _)| *known == id) {
            if how == Closed::Reset {
                entry.1 = Closed::Reset;
            }
            return;
        }
        if self.recently_closed.len() == RECENTLY_CLOSED {
            self.recently_closed.pop_front();
        }
        self.recently_closed.push_back((id, how));
    }

    /// How `id` closed, if it is among the recently closed streams.
    pub(crate) fn recently_closed(&self, id: StreamId) -> Option<Closed> {
        self.recently_closed.iter().find(|(known, _)| *known == id).map(|&(_, how)| how)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub(crate) fn ids(&self) -> Vec<StreamId> {
        self.map.keys().copied().collect()
    }

    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&StreamId, &mut Stream)> {
        self.map.iter_mut()
    }
}
