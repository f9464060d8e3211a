//! The connection: one HTTP/2 endpoint, client or server, without IO.
//!
//! The guide below is also the documentation of [`Connection`], where
//! users see it.
//!
#![doc = include_str!("connection.md")]
//!
//! # Code map
//!
//! - `mod.rs`: construction, getters and the one failure path (`close`).
//! - `goaway.rs`: our GOAWAY, and the server's graceful drain in two steps.
//! - `recv.rs`: input: frame parsing and the reaction to every frame type.
//! - `send.rs`: mutators that send, and the DATA scheduler behind `transmit`.
//! - `timer.rs`: the table of every timer, `poll_timeout` and `handle_timeout`.
//! - `bdp.rs`: the BDP estimator, which grows the receive windows.
//! - `ping.rs`: our PINGs and the matching of their acks; the policy the
//!   peer's PINGs must follow.
//! - `stream.rs`: stream states (§5.1) and the stream table.
//! - `flow.rs`: flow-control windows; `limit.rs`: token buckets against floods;
//!   `fields.rs`: header validation; `output.rs`: the output queue.

mod bdp;
mod config;
mod error;
mod event;
mod fields;
mod flow;
mod goaway;
mod limit;
mod output;
mod ping;
mod recv;
mod send;
mod stream;
mod timer;

pub use config::{Config, PingPolicy, RateLimit};
pub use error::{ConnectionError, SendError};
pub use event::Event;

use crate::Reason;
use crate::frame::{
    DEFAULT_MAX_FRAME_SIZE, GoAway, MAX_STREAM_ID, Setting, Settings, StreamId, WindowUpdate,
};
use crate::hpack;
use bdp::Bdp;
use bytes::{Bytes, BytesMut};
use flow::{RecvWindow, Window};
use goaway::GoAwaySent;
use limit::Bucket;
use output::Output;
use ping::{PingStrikes, Pings};
use std::collections::VecDeque;
use std::time::Instant;
use stream::{Initiator, Streams};
use timer::TimerTable;

/// The client connection preface (RFC 9113 §3.4).
pub const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Which end of the connection this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Opens streams (odd ids) and sends the preface.
    Client,
    /// Accepts streams.
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Server: waiting for the 24-octet client preface.
    Preface,
    /// The peer's first frame must be SETTINGS.
    FirstSettings,
    Open,
    Closed,
}

/// Settings the peer announced.
#[derive(Debug)]
struct PeerSettings {
    max_concurrent_streams: u32,
    initial_window_size: u32,
    max_frame_size: u32,
}

/// What the peer is told when the connection closes on an error.
#[derive(Clone, Copy, Debug)]
enum Farewell {
    /// GOAWAY with the error's code and this debug data (§5.4.1).
    GoAway(&'static str),
    /// Nothing: the peer closed with an error itself (answering its GOAWAY
    /// with ours would report its error as ours, §6.8), or we already sent
    /// our final GOAWAY.
    Nothing,
}

/// A field block being assembled from HEADERS + CONTINUATION.
#[derive(Debug)]
struct PartialBlock {
    stream_id: StreamId,
    block: BytesMut,
    end_stream: bool,
    frames: u32,
}

#[doc = include_str!("connection.md")]
///
/// # Example
///
/// ```
/// use oxgrpc_h2::{Config, Connection, Event, Header};
/// use std::time::Instant;
///
/// let now = Instant::now();
/// let mut client = Connection::client(Config::default(), now);
/// let mut server = Connection::server(Config::default(), now);
/// let request = [
///     Header::new(":method", "GET"),
///     Header::new(":scheme", "http"),
///     Header::new(":path", "/"),
/// ];
/// let id = client.open_stream(&request, true).unwrap();
///
/// // Shuttle bytes both ways until both sides are quiet.
/// let mut chunks = Vec::new();
/// for _ in 0..2 {
///     client.transmit(&mut chunks);
///     for c in chunks.drain(..) { server.recv(&c, now).unwrap(); }
///     server.transmit(&mut chunks);
///     for c in chunks.drain(..) { client.recv(&c, now).unwrap(); }
/// }
/// let Some(Event::Headers { stream_id, end_stream: true, .. }) = server.poll_event() else {
///     panic!("no request")
/// };
/// assert_eq!(stream_id, id);
/// ```
pub struct Connection {
    role: Role,
    config: Config,
    phase: Phase,
    input: BytesMut,
    output: Output,
    events: VecDeque<Event>,
    encoder: hpack::Encoder,
    decoder: hpack::Decoder,
    scratch: BytesMut,
    peer: PeerSettings,
    streams: Streams,
    ready: VecDeque<StreamId>,
    next_local_id: StreamId,
    last_remote_id: StreamId,
    send_window: Window,
    recv_window: RecvWindow,
    /// SETTINGS_INITIAL_WINDOW_SIZE we advertise, the latest one sent: new
    /// streams' receive windows. The peer applies it on receipt, before
    /// any later frame, so it counts from the moment it is queued.
    local_initial_window: u32,
    /// Our SETTINGS frames not yet acknowledged (§6.5.3).
    settings_unacked: u32,
    /// The BDP estimator; `None` with fixed windows.
    bdp: Option<Bdp>,
    partial: Option<PartialBlock>,
    goaway_sent: Option<GoAwaySent>,
    goaway_received: Option<StreamId>,
    reset_budget: Bucket,
    ping_budget: Bucket,
    settings_budget: Bucket,
    timers: TimerTable,
    pings: Pings,
    ping_strikes: PingStrikes,
    /// The latest time the caller told us.
    now: Instant,
    /// When the last frame arrived (the start, before any).
    last_frame_at: Instant,
    error: Option<ConnectionError>,
}

impl Connection {
    /// A client endpoint; the preface and our SETTINGS are queued at once.
    pub fn client(config: Config, now: Instant) -> Connection {
        Connection::new(Role::Client, config, now)
    }

    /// A server endpoint; our SETTINGS are queued at once.
    pub fn server(config: Config, now: Instant) -> Connection {
        Connection::new(Role::Server, config, now)
    }

    fn new(role: Role, config: Config, now: Instant) -> Connection {
        let mut conn = Connection {
            role,
            phase: if role == Role::Server { Phase::Preface } else { Phase::FirstSettings },
            input: BytesMut::new(),
            output: Output::default(),
            events: VecDeque::new(),
            encoder: hpack::Encoder::new(),
            decoder: hpack::Decoder::new(config.header_table_size as usize),
            scratch: BytesMut::new(),
            peer: PeerSettings {
                max_concurrent_streams: u32::MAX,
                initial_window_size: 65_535,
                max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            },
            streams: Streams::new(role),
            ready: VecDeque::new(),
            next_local_id: if role == Role::Client { 1 } else { 2 },
            last_remote_id: 0,
            send_window: Window::new(65_535),
            recv_window: RecvWindow::new(65_535, 65_535),
            local_initial_window: config.initial_window_size,
            settings_unacked: 1,
            bdp: config.adaptive_window.then(|| Bdp::new(config.initial_window_size)),
            partial: None,
            goaway_sent: None,
            goaway_received: None,
            reset_budget: Bucket::new(config.reset_limit),
            ping_budget: Bucket::new(config.ping_limit),
            settings_budget: Bucket::new(config.settings_limit),
            timers: TimerTable::default(),
            pings: Pings::default(),
            ping_strikes: PingStrikes::default(),
            now,
            last_frame_at: now,
            error: None,
            config,
        };
        conn.start_timers();
        conn.encoder.set_max_table_size(conn.config.max_encoder_table_size.min(4096) as usize);
        if role == Role::Client {
            conn.output.buf().extend_from_slice(PREFACE);
        }
        let settings = Settings {
            ack: false,
            values: vec![
                Setting::HeaderTableSize(conn.config.header_table_size),
                Setting::EnablePush(false),
                Setting::MaxConcurrentStreams(conn.config.max_concurrent_streams),
                Setting::InitialWindowSize(conn.config.initial_window_size),
                Setting::MaxFrameSize(conn.config.max_frame_size),
                Setting::MaxHeaderListSize(conn.config.max_header_list_size),
            ],
        };
        settings.encode(conn.output.buf());
        if let Some(increment) = conn.recv_window.grow_to(conn.config.connection_window_size) {
            WindowUpdate { stream_id: 0, increment }.encode(conn.output.buf());
        }
        conn
    }

    /// This endpoint's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The buffer received bytes are read into, for zero-copy reads; call
    /// [`handle_input`](Self::handle_input) afterwards.
    pub fn input_buffer(&mut self) -> &mut BytesMut {
        &mut self.input
    }

    /// Feeds received bytes (a copy) and processes them.
    pub fn recv(&mut self, data: &[u8], now: Instant) -> Result<(), ConnectionError> {
        self.input.extend_from_slice(data);
        self.handle_input(now)
    }

    /// Moves all bytes ready for the socket into `dst`, in order, scheduling
    /// as much queued DATA as the flow-control windows allow.
    pub fn transmit(&mut self, dst: &mut Vec<Bytes>) {
        self.schedule_data();
        self.output.take(dst);
    }

    /// Whether [`transmit`](Self::transmit) would produce bytes.
    pub fn wants_transmit(&self) -> bool {
        self.output.len() > 0 || (!self.ready.is_empty() && self.send_window.is_open())
    }

    /// Bytes queued for the socket but not yet taken by `transmit`.
    pub fn pending_output(&self) -> usize {
        self.output.len()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether the connection is finished: failed, or gone away with no
    /// stream left. Write out the remaining output, then close the socket.
    /// Never while our graceful GOAWAY is [draining](Self::is_draining):
    /// the peer may still open streams until the final GOAWAY is out.
    pub fn is_closed(&self) -> bool {
        let gone_away =
            self.refuses_new_streams() || (self.goaway_received.is_some() && !self.is_draining());
        self.phase == Phase::Closed || (gone_away && self.streams.is_empty())
    }

    /// The error the connection failed with, if it did.
    pub fn error(&self) -> Option<&ConnectionError> {
        self.error.as_ref()
    }

    /// Whether a new stream could be opened now (client role).
    pub fn can_open_stream(&self) -> bool {
        self.role == Role::Client
            && self.phase != Phase::Closed
            && self.goaway_sent.is_none()
            && self.goaway_received.is_none()
            && self.next_local_id <= MAX_STREAM_ID
            && self.streams.active(Initiator::Local) < self.peer.max_concurrent_streams
    }

    /// How many streams are open (both directions).
    pub fn active_streams(&self) -> usize {
        (self.streams.active(Initiator::Local) + self.streams.active(Initiator::Remote)) as usize
    }

    /// Fails the connection on an error we detected: GOAWAY with `reason`
    /// and `detail` as debug data, then closed.
    fn fail(&mut self, reason: Reason, detail: &'static str) -> ConnectionError {
        self.close(ConnectionError::Local { reason, detail }, Farewell::GoAway(detail))
    }

    /// Closes the connection with `error`, the one way every failure goes:
    /// the error is recorded and reported as [`Event::Error`], queued DATA
    /// is dropped and every timer stops. Streams get no events of their own.
    fn close(&mut self, error: ConnectionError, farewell: Farewell) -> ConnectionError {
        if self.phase == Phase::Closed {
            return error;
        }
        if let Farewell::GoAway(detail) = farewell {
            GoAway {
                last_stream_id: self.last_processed_id(),
                reason: error.reason(),
                debug_data: Bytes::from_static(detail.as_bytes()),
            }
            .encode(self.output.buf());
        }
        self.phase = Phase::Closed;
        self.error = Some(error.clone());
        self.ready.clear();
        self.timers.stop_all();
        self.events.push_back(Event::Error(error.clone()));
        error
    }

    /// Who opens `id` on this connection.
    fn initiator(&self, id: StreamId) -> Initiator {
        self.streams.initiator(id)
    }
}
