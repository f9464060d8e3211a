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

use super::flow::{RecvWindow, Window};
use crate::Header;
use crate::frame::StreamId;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// The states a stored stream can be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Open,
    HalfClosedLocal,
    HalfClosedRemote,
}

impl State {
    pub(crate) fn can_recv(self) -> bool {
        matches!(self, State::Open | State::HalfClosedLocal)
    }

    pub(crate) fn can_send(self) -> bool {
        matches!(self, State::Open | State::HalfClosedRemote)
    }
}

/// What happens once the queued data has been sent.
#[derive(Debug, Default)]
pub(crate) enum SendEnd {
    #[default]
    Open,
    EndStream,
    Trailers(Vec<Header>),
}

#[derive(Debug)]
pub(crate) struct Stream {
    pub(crate) state: State,
    pub(crate) send_window: Window,
    pub(crate) recv_window: RecvWindow,
    pub(crate) send_queue: VecDeque<Bytes>,
    pub(crate) queued: usize,
    pub(crate) send_end: SendEnd,
    /// The application has finished the send side (END_STREAM may still be queued).
    pub(crate) send_finished: bool,
    pub(crate) in_ready_queue: bool,
    /// The initial (non-informational) HEADERS have arrived.
    pub(crate) head_received: bool,
    pub(crate) content_length: Option<u64>,
    pub(crate) received_len: u64,
}

impl Stream {
    pub(crate) fn new(state: State, send_window: u32, recv_window: u32) -> Stream {
        Stream {
            state,
            send_window: Window::new(send_window),
            recv_window: RecvWindow::new(recv_window, recv_window),
            send_queue: VecDeque::new(),
            queued: 0,
            send_end: SendEnd::Open,
            send_finished: false,
            in_ready_queue: false,
            head_received: false,
            content_length: None,
            received_len: 0,
        }
    }

    /// Whether the scheduler has something to do for this stream.
    pub(crate) fn has_pending_send(&self) -> bool {
        !self.send_queue.is_empty() || !matches!(self.send_end, SendEnd::Open)
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

/// All stored streams plus the bookkeeping of ids.
#[derive(Default)]
pub(crate) struct Streams {
    map: HashMap<StreamId, Stream, BuildHasherDefault<IdHasher>>,
    recently_closed: VecDeque<StreamId>,
    pub(crate) active_local: u32,
    pub(crate) active_remote: u32,
}

impl Streams {
    pub(crate) fn get(&self, id: StreamId) -> Option<&Stream> {
        self.map.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: StreamId) -> Option<&mut Stream> {
        self.map.get_mut(&id)
    }

    pub(crate) fn insert(&mut self, id: StreamId, stream: Stream, local: bool) {
        if local {
            self.active_local += 1;
        } else {
            self.active_remote += 1;
        }
        self.map.insert(id, stream);
    }

    /// Removes a closed stream; `local` says who initiated it.
    pub(crate) fn remove(&mut self, id: StreamId, local: bool) -> Option<Stream> {
        let stream = self.map.remove(&id)?;
        if local {
            self.active_local -= 1;
        } else {
            self.active_remote -= 1;
        }
        if self.recently_closed.len() == RECENTLY_CLOSED {
            self.recently_closed.pop_front();
        }
        self.recently_closed.push_back(id);
        Some(stream)
    }

    pub(crate) fn recently_closed(&self, id: StreamId) -> bool {
        self.recently_closed.contains(&id)
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
