//! The BDP estimator between two real endpoints over a simulated path:
//! a one-way delay and a bottleneck rate in each direction, on a simulated
//! clock. The server sends a long response; the client's receive windows
//! follow the path's bandwidth-delay product.

mod support;

use bytes::{Bytes, BytesMut};
use oxgrpc_h2::frame::{Frame, FrameHead, HEAD_LEN, Ping, Setting, Settings};
use oxgrpc_h2::{Config, Connection, Event, PREFACE, PingPolicy, Reason};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use support::{OK, POST, Sent, fields};

/// grpc-go's `bdpPing` payload, which the engine uses too.
const BDP_PING: [u8; 8] = [2, 4, 16, 16, 9, 14, 7, 7];
/// The bottleneck rate of each direction, bytes per second.
const RATE: f64 = 4_000_000.0;
/// The one-way delay: a 50 ms round trip.
const ONE_WAY: Duration = Duration::from_millis(25);
/// The path's bandwidth-delay product: 200 kB.
const BDP: u32 = 200_000;
const TICK: Duration = Duration::from_millis(1);
/// An endpoint writes only while fewer bytes than this wait at the
/// bottleneck, as a driver writes only while its socket is writable.
const SOCKET_BUFFER: f64 = 16_384.0;

/// One direction of the path: bytes leave at the bottleneck rate and
/// arrive `ONE_WAY` later; what was sent is decoded into frames for the log.
struct Link {
    in_flight: VecDeque<(Instant, Bytes)>,
    free_at: Instant,
    wire: BytesMut,
    skip_preface: bool,
    log: Vec<Frame>,
}

impl Link {
    fn new(now: Instant, skip_preface: bool) -> Link {
        Link {
            in_flight: VecDeque::new(),
            free_at: now,
            wire: BytesMut::new(),
            skip_preface,
            log: Vec::new(),
        }
    }

    fn send(&mut self, now: Instant, chunks: Vec<Bytes>) {
        for chunk in chunks {
            self.log(&chunk);
            let mut rest = chunk;
            while !rest.is_empty() {
                let piece = rest.split_to(rest.len().min(4096));
                let start = self.free_at.max(now);
                self.free_at = start + Duration::from_secs_f64(piece.len() as f64 / RATE);
                self.in_flight.push_back((self.free_at + ONE_WAY, piece));
            }
        }
    }

    /// Whether the sender may write: its bytes still waiting to leave fit the socket buffer.
    fn writable(&self, now: Instant) -> bool {
        self.free_at.saturating_duration_since(now).as_secs_f64() * RATE < SOCKET_BUFFER
    }

    fn arrived(&mut self, now: Instant) -> Vec<Bytes> {
        let mut out = Vec::new();
        while self.in_flight.front().is_some_and(|(at, _)| *at <= now) {
            out.push(self.in_flight.pop_front().unwrap().1);
        }
        out
    }

    fn log(&mut self, chunk: &[u8]) {
        self.wire.extend_from_slice(chunk);
        if self.skip_preface && self.wire.len() >= PREFACE.len() {
            let _ = self.wire.split_to(PREFACE.len());
            self.skip_preface = false;
        }
        while !self.skip_preface && self.wire.len() >= HEAD_LEN {
            let head = FrameHead::parse(self.wire[..HEAD_LEN].try_into().unwrap());
            if self.wire.len() < HEAD_LEN + head.length as usize {
                break;
            }
            let _ = self.wire.split_to(HEAD_LEN);
            let payload = self.wire.split_to(head.length as usize).freeze();
            self.log.push(Frame::decode(head, payload).unwrap());
        }
    }
}

/// How fast the client application consumes the response.
#[derive(Clone, Copy)]
enum Reader {
    /// Releases everything at once.
    Fast,
    /// Releases at most this many bytes per millisecond.
    Slow(usize),
}

/// What one transfer showed.
struct Run {
    client: Connection,
    server: Connection,
    /// Frames the client sent, and the server.
    client_frames: Vec<Frame>,
    server_frames: Vec<Frame>,
    client_events: Vec<Event>,
    received: usize,
}

/// The client requests; the server answers with `body` bytes; the path
/// runs for `time` (or until the response ended and `time` passed).
fn transfer(client: Config, server: Config, reader: Reader, body: usize, time: Duration) -> Run {
    let t0 = Instant::now();
    let mut now = t0;
    let mut client = Connection::client(client, now);
    let mut server = Connection::server(server, now);
    let mut up = Link::new(now, true);
    let mut down = Link::new(now, false);
    let id = client.open_stream(&fields(POST), true).unwrap();
    let mut client_events = Vec::new();
    let (mut received, mut unreleased) = (0, 0);
    let mut chunks = Vec::new();
    while now < t0 + time {
        now += TICK;
        for conn in [&mut client, &mut server] {
            if conn.poll_timeout().is_some_and(|at| at <= now) {
                conn.handle_timeout(now);
            }
        }
        for chunk in up.arrived(now) {
            server.recv(&chunk, now).unwrap();
        }
        for chunk in down.arrived(now) {
            client.recv(&chunk, now).unwrap();
        }
        while let Some(event) = server.poll_event() {
            if let Event::Headers { stream_id, .. } = event {
                server.send_headers(stream_id, &fields(OK), false).unwrap();
                server.send_data(stream_id, Bytes::from(vec![7u8; body]), true).unwrap();
            }
        }
        while let Some(event) = client.poll_event() {
            if let Event::Data { data, .. } = &event {
                received += data.len();
                unreleased += data.len();
            }
            client_events.push(event);
        }
        let release = match reader {
            Reader::Fast => unreleased,
            Reader::Slow(per_tick) => unreleased.min(per_tick),
        };
        client.release_capacity(id, release);
        unreleased -= release;
        if up.writable(now) {
            client.transmit(&mut chunks);
            up.send(now, std::mem::take(&mut chunks));
        }
        if down.writable(now) {
            server.transmit(&mut chunks);
            down.send(now, std::mem::take(&mut chunks));
        }
    }
    Run { client, server, client_frames: up.log, server_frames: down.log, client_events, received }
}

/// Stream and connection windows of 64 KiB, well under the path's BDP.
fn small_windows() -> Config {
    Config { initial_window_size: 65_535, connection_window_size: 65_535, ..Config::default() }
}

/// The SETTINGS_INITIAL_WINDOW_SIZE values the client sent after its first SETTINGS.
fn window_settings(frames: &[Frame]) -> Vec<u32> {
    let settings = frames.iter().filter_map(|f| match f {
        Frame::Settings(s) if !s.ack => Some(&s.values),
        _ => None,
    });
    settings
        .skip(1)
        .flatten()
        .filter_map(|v| match v {
            Setting::InitialWindowSize(size) => Some(*size),
            _ => None,
        })
        .collect()
}

/// Sum of the client's WINDOW_UPDATE increments on the connection, plus the
/// 65,535 the connection starts with: the most it ever allowed in total.
fn connection_credit(frames: &[Frame]) -> u64 {
    65_535
        + frames
            .iter()
            .filter_map(|f| match f {
                Frame::WindowUpdate(w) if w.stream_id == 0 => Some(u64::from(w.increment)),
                _ => None,
            })
            .sum::<u64>()
}

fn bdp_pings(frames: &[Frame]) -> usize {
    frames.iter().filter(|f| matches!(f, Frame::Ping(p) if !p.ack && p.payload == BDP_PING)).count()
}

fn settings_acks(frames: &[Frame]) -> usize {
    frames.iter().filter(|f| matches!(f, Frame::Settings(s) if s.ack)).count()
}

#[test]
fn the_window_grows_to_about_twice_the_bdp() {
    let secs = Duration::from_secs(4);
    let run = transfer(small_windows(), Config::default(), Reader::Fast, 12_000_000, secs);
    let grown = window_settings(&run.client_frames);
    assert!(grown.windows(2).all(|w| w[0] < w[1]), "only ever grows: {grown:?}");
    let last = *grown.last().expect("the window grew");
    // Twice the bytes in flight per measured round trip. Once the window
    // exceeds the BDP, the excess waits at the bottleneck and the measured
    // RTT grows with it (here 50 ms to about 70 ms), as on a real path, so
    // the estimate settles somewhat above 2 x BDP, then stops growing.
    assert!((2 * BDP..=3 * BDP).contains(&last), "about 2 x BDP ({BDP}): {grown:?}");
    assert!(bdp_pings(&run.client_frames) > 5);
    assert_eq!(run.received, 12_000_000, "the transfer finished");
    assert!(run.client.error().is_none() && run.server.error().is_none());
}

#[test]
fn the_window_stops_at_the_cap() {
    let client = Config { max_window_size: 128 * 1024, ..small_windows() };
    let secs = Duration::from_secs(2);
    let run = transfer(client.clone(), Config::default(), Reader::Fast, 4_000_000, secs);
    let grown = window_settings(&run.client_frames);
    assert_eq!(grown.last(), Some(&(128 * 1024)), "{grown:?}");
    let pings = bdp_pings(&run.client_frames);
    assert!(pings > 0);
    // At the cap the estimator stops sampling.
    let more = transfer(client, Config::default(), Reader::Fast, 4_000_000, secs * 2);
    assert_eq!(bdp_pings(&more.client_frames), pings);
}

#[test]
fn a_slow_reader_does_not_grow_the_window() {
    let secs = Duration::from_secs(3);
    let run = transfer(small_windows(), Config::default(), Reader::Slow(200), 2_000_000, secs);
    assert!(bdp_pings(&run.client_frames) > 5, "the estimator sampled");
    assert_eq!(window_settings(&run.client_frames), Vec::<u32>::new());
    // Connection credit only came back for released bytes: no growth.
    assert!(connection_credit(&run.client_frames) <= 65_535 + run.received as u64);
}

#[test]
fn the_bdp_ping_ack_is_no_event_and_the_new_settings_are_acked() {
    let secs = Duration::from_secs(3);
    let run = transfer(small_windows(), Config::default(), Reader::Fast, 8_000_000, secs);
    assert!(bdp_pings(&run.client_frames) > 0);
    let acks = run.server_frames.iter().filter(|f| matches!(f, Frame::Ping(p) if p.ack)).count();
    assert_eq!(acks, bdp_pings(&run.client_frames), "every BDP PING was acked");
    let events = &run.client_events;
    assert!(!events.iter().any(|e| matches!(e, Event::PingAck { .. })), "{events:?}");
    // The first SETTINGS and each window change: all acked, and the
    // client's SETTINGS timer (10 s) never fires.
    let sent = 1 + window_settings(&run.client_frames).len();
    assert!(sent > 1);
    assert_eq!(settings_acks(&run.server_frames), sent);
    assert!(run.client.error().is_none());
}

#[test]
fn fixed_windows_never_ping() {
    let client = Config { adaptive_window: false, ..small_windows() };
    let secs = Duration::from_secs(2);
    let run = transfer(client, Config::default(), Reader::Fast, 2_000_000, secs);
    assert!(run.received > 0);
    assert!(!run.client_frames.iter().any(|f| matches!(f, Frame::Ping(_))));
    assert_eq!(window_settings(&run.client_frames), Vec::<u32>::new());
}

#[test]
fn bdp_pings_never_strike_at_a_strict_server() {
    let policy = PingPolicy { min_interval: Duration::from_secs(300), permit_without_calls: false };
    let server = Config { ping_policy: Some(policy), ..Config::default() };
    let secs = Duration::from_secs(3);
    let run = transfer(small_windows(), server, Reader::Fast, 8_000_000, secs);
    assert!(bdp_pings(&run.client_frames) > 5);
    assert!(!run.server_frames.iter().any(|f| matches!(f, Frame::GoAway(_))));
    assert!(run.server.error().is_none() && run.client.error().is_none());
}

/// A server with 64 KiB windows, and a scripted client that sends one full
/// window of DATA; the application consumes it. Returns the peer and the
/// frames the server sent meanwhile (among them its BDP PING).
fn server_sampling_a_window() -> (support::Peer, Vec<Sent>) {
    let mut peer = support::Peer::server(small_windows());
    peer.send_headers(1, POST, false).unwrap();
    peer.events();
    for len in [16_384, 16_384, 16_384, 16_383] {
        peer.send_data(1, &vec![1u8; len], false).unwrap();
    }
    assert_eq!(peer.events().len(), 4);
    peer.conn.release_capacity(1, 65_535);
    let sent = peer.sent();
    (peer, sent)
}

#[test]
fn one_bdp_ping_after_data_and_a_second_settings_acked_in_time() {
    let (mut peer, sent) = server_sampling_a_window();
    let pings: Vec<_> = sent.iter().filter(|s| matches!(s, Sent::Ping { .. })).collect();
    assert_eq!(pings, vec![&Sent::Ping { ack: false, payload: BDP_PING }], "one, at most");
    peer.advance(Duration::from_millis(50));
    peer.send_frame(|b| Ping { ack: true, payload: BDP_PING }.encode(b)).unwrap();
    assert_eq!(
        peer.sent(),
        vec![
            Sent::WindowUpdate { id: 0, increment: 65_535 },
            Sent::Settings { ack: false, values: vec![Setting::InitialWindowSize(131_070)] },
        ],
        "the connection window by WINDOW_UPDATE, open streams by the SETTINGS delta"
    );
    assert!(peer.events().is_empty(), "the ack is no event");
    // Stream 1 now takes 131,070 bytes; the connection as much.
    peer.send_frame(|b| Settings { ack: true, values: vec![] }.encode(b)).unwrap();
    peer.wait(Duration::from_secs(11));
    for _ in 0..8 {
        peer.send_data(1, &[2u8; 16_383], false).unwrap();
    }
    peer.send_data(1, &[2u8; 6], false).unwrap();
    assert!(peer.goaway().is_none() && !peer.conn.is_closed());
    assert_eq!(peer.events().len(), 9, "a full grown window, no error");
}

#[test]
fn a_second_settings_left_unacked_times_out() {
    let (mut peer, _) = server_sampling_a_window();
    peer.advance(Duration::from_millis(50));
    peer.send_frame(|b| Ping { ack: true, payload: BDP_PING }.encode(b)).unwrap();
    peer.sent();
    peer.wait(Duration::from_secs(10) - Duration::from_millis(1));
    assert!(!peer.conn.is_closed());
    peer.wait(Duration::from_millis(1));
    assert_eq!(peer.goaway(), Some(Reason::SETTINGS_TIMEOUT));
}

#[test]
fn bdp_pings_are_spaced_on_a_path_without_delay() {
    let mut pair = support::pair::Pair::new(small_windows(), Config::default());
    let id = pair.client.open_stream(&fields(POST), true).unwrap();
    pair.shuttle();
    pair.server_events();
    pair.server.send_headers(id, &fields(OK), false).unwrap();
    pair.server.send_data(id, Bytes::from(vec![7u8; 20_000_000]), true).unwrap();
    let mut pings = 0;
    for _ in 0..1000 {
        pair.advance(TICK);
        pair.shuttle();
        let received: usize = pair
            .client_events()
            .iter()
            .map(|e| match e {
                Event::Data { data, .. } => data.len(),
                _ => 0,
            })
            .sum();
        pair.client.release_capacity(id, received);
        pings += bdp_pings(&pair.take_frames().0);
    }
    assert!((2..=10).contains(&pings), "one per 100 ms at most: {pings}");
    assert!(pair.server.error().is_none() && pair.client.error().is_none());
}
