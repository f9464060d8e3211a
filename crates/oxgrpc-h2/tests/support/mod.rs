//! A scripted peer for engine tests: it writes frames by hand, feeds them to
//! a `Connection`, and decodes what the connection transmits.

#![allow(dead_code, unreachable_pub)]

pub mod pair;

use bytes::{BufMut, Bytes, BytesMut};
use oxgrpc_h2::frame::{
    Data, Frame, FrameHead, GoAway, HEAD_LEN, Headers, Kind, Ping, RstStream, Setting, Settings,
    WindowUpdate,
};
use oxgrpc_h2::hpack::{Decoder, Encoder};
use oxgrpc_h2::{Config, Connection, ConnectionError, Event, Header, PREFACE, Reason};
use std::time::{Duration, Instant};

/// The default config with fixed windows: no BDP PINGs, for tests that
/// assert on every frame sent.
pub fn fixed() -> Config {
    Config { adaptive_window: false, ..Config::default() }
}

/// A frame the connection sent, with header blocks decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Headers { id: u32, fields: Vec<(String, String)>, end_stream: bool },
    Data { id: u32, data: Bytes, end_stream: bool },
    Rst { id: u32, reason: Reason },
    GoAway { last: u32, reason: Reason },
    Settings { ack: bool, values: Vec<Setting> },
    Ping { ack: bool, payload: [u8; 8] },
    WindowUpdate { id: u32, increment: u32 },
}

pub struct Peer {
    pub conn: Connection,
    pub now: Instant,
    enc: Encoder,
    dec: Decoder,
    inbox: BytesMut,
    pending_block: Option<(u32, BytesMut, bool)>,
}

pub fn fields(pairs: &[(&str, &str)]) -> Vec<Header> {
    pairs.iter().map(|(n, v)| Header::new(n.to_string(), v.to_string())).collect()
}

pub const GET: &[(&str, &str)] =
    &[(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "test")];
pub const POST: &[(&str, &str)] =
    &[(":method", "POST"), (":scheme", "http"), (":path", "/echo"), (":authority", "test")];
pub const OK: &[(&str, &str)] = &[(":status", "200")];

impl Peer {
    /// A server connection, with this peer playing the client. The preface
    /// and an empty SETTINGS are sent; the server's start-up frames are read.
    pub fn server(config: Config) -> Peer {
        Peer::server_with(config, &[])
    }

    pub fn server_with(config: Config, settings: &[Setting]) -> Peer {
        let now = Instant::now();
        let mut peer = Peer::wrap(Connection::server(config, now), now);
        peer.send_raw(PREFACE).unwrap();
        peer.send_settings(settings).unwrap();
        peer.drain_startup();
        peer
    }

    /// A client connection, with this peer playing the server.
    pub fn client(config: Config) -> Peer {
        Peer::client_with(config, &[])
    }

    pub fn client_with(config: Config, settings: &[Setting]) -> Peer {
        let now = Instant::now();
        let mut peer = Peer::wrap(Connection::client(config, now), now);
        let mut out = Vec::new();
        peer.conn.transmit(&mut out);
        let mut bytes: BytesMut = out.iter().flat_map(|b| b.iter().copied()).collect();
        assert_eq!(&bytes[..24], PREFACE);
        let _ = bytes.split_to(24);
        peer.inbox = bytes;
        peer.send_settings(settings).unwrap();
        peer.drain_startup();
        peer
    }

    fn wrap(conn: Connection, now: Instant) -> Peer {
        Peer {
            conn,
            now,
            enc: Encoder::new(),
            dec: Decoder::new(4096),
            inbox: BytesMut::new(),
            pending_block: None,
        }
    }

    /// Reads the connection's SETTINGS (+ WINDOW_UPDATE) and ACK, and acks its SETTINGS.
    fn drain_startup(&mut self) {
        let sent = self.sent();
        assert!(
            matches!(sent.first(), Some(Sent::Settings { ack: false, .. })),
            "first frame must be SETTINGS: {sent:?}"
        );
        self.send_frame(|b| Settings { ack: true, values: vec![] }.encode(b)).unwrap();
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// Advances the clock and fires the connection's timers that are due.
    pub fn wait(&mut self, by: Duration) {
        self.now += by;
        while self.conn.poll_timeout().is_some_and(|at| at <= self.now) {
            self.conn.handle_timeout(self.now);
        }
    }

    pub fn send_raw(&mut self, bytes: &[u8]) -> Result<(), ConnectionError> {
        self.conn.recv(bytes, self.now)
    }

    pub fn send_frame(
        &mut self,
        encode: impl FnOnce(&mut BytesMut),
    ) -> Result<(), ConnectionError> {
        let mut buf = BytesMut::new();
        encode(&mut buf);
        self.send_raw(&buf)
    }

    /// A frame with any type, flags and payload.
    pub fn send_raw_frame(
        &mut self,
        kind: u8,
        flags: u8,
        id: u32,
        payload: &[u8],
    ) -> Result<(), ConnectionError> {
        self.send_frame(|b| {
            FrameHead { length: payload.len() as u32, kind: Kind(kind), flags, stream_id: id }
                .encode(b);
            b.put_slice(payload);
        })
    }

    pub fn send_settings(&mut self, values: &[Setting]) -> Result<(), ConnectionError> {
        self.send_frame(|b| Settings { ack: false, values: values.to_vec() }.encode(b))
    }

    pub fn encode_block(&mut self, pairs: &[(&str, &str)]) -> BytesMut {
        let mut block = BytesMut::new();
        self.enc.encode(&fields(pairs), &mut block);
        block
    }

    pub fn send_headers(
        &mut self,
        id: u32,
        pairs: &[(&str, &str)],
        end_stream: bool,
    ) -> Result<(), ConnectionError> {
        let block = self.encode_block(pairs);
        self.send_frame(|b| Headers::encode(id, &block, end_stream, 16_384, b))
    }

    pub fn send_data(
        &mut self,
        id: u32,
        data: &[u8],
        end_stream: bool,
    ) -> Result<(), ConnectionError> {
        self.send_frame(|b| {
            Data::encode_head(id, data.len(), end_stream, b);
            b.put_slice(data);
        })
    }

    pub fn send_rst(&mut self, id: u32, reason: Reason) -> Result<(), ConnectionError> {
        self.send_frame(|b| RstStream { stream_id: id, reason }.encode(b))
    }

    pub fn send_window_update(&mut self, id: u32, increment: u32) -> Result<(), ConnectionError> {
        self.send_frame(|b| WindowUpdate { stream_id: id, increment }.encode(b))
    }

    pub fn send_ping(&mut self, payload: [u8; 8]) -> Result<(), ConnectionError> {
        self.send_frame(|b| Ping { ack: false, payload }.encode(b))
    }

    pub fn send_goaway(&mut self, last: u32, reason: Reason) -> Result<(), ConnectionError> {
        self.send_frame(|b| {
            GoAway { last_stream_id: last, reason, debug_data: Bytes::new() }.encode(b)
        })
    }

    /// Everything the connection transmitted since the last call, decoded.
    pub fn sent(&mut self) -> Vec<Sent> {
        let mut out = Vec::new();
        self.conn.transmit(&mut out);
        for chunk in out {
            self.inbox.extend_from_slice(&chunk);
        }
        let mut frames = Vec::new();
        while self.inbox.len() >= HEAD_LEN {
            let head = FrameHead::parse(self.inbox[..HEAD_LEN].try_into().unwrap());
            if self.inbox.len() < HEAD_LEN + head.length as usize {
                break;
            }
            let _ = self.inbox.split_to(HEAD_LEN);
            let payload = self.inbox.split_to(head.length as usize).freeze();
            let frame = Frame::decode(head, payload).expect("connection sent a malformed frame");
            if let Some(sent) = self.decode(frame) {
                frames.push(sent);
            }
        }
        frames
    }

    fn decode(&mut self, frame: Frame) -> Option<Sent> {
        Some(match frame {
            Frame::Headers(h) => {
                let block = BytesMut::from(&h.fragment[..]);
                if !h.end_headers {
                    self.pending_block = Some((h.stream_id, block, h.end_stream));
                    return None;
                }
                self.decode_block(h.stream_id, block.freeze(), h.end_stream)
            }
            Frame::Continuation(c) => {
                let (id, mut block, end_stream) = self.pending_block.take().expect("CONTINUATION");
                assert_eq!(id, c.stream_id);
                block.extend_from_slice(&c.fragment);
                if !c.end_headers {
                    self.pending_block = Some((id, block, end_stream));
                    return None;
                }
                self.decode_block(id, block.freeze(), end_stream)
            }
            Frame::Data(d) => {
                Sent::Data { id: d.stream_id, data: d.data, end_stream: d.end_stream }
            }
            Frame::RstStream(r) => Sent::Rst { id: r.stream_id, reason: r.reason },
            Frame::GoAway(g) => Sent::GoAway { last: g.last_stream_id, reason: g.reason },
            Frame::Settings(s) => Sent::Settings { ack: s.ack, values: s.values },
            Frame::Ping(p) => Sent::Ping { ack: p.ack, payload: p.payload },
            Frame::WindowUpdate(w) => {
                Sent::WindowUpdate { id: w.stream_id, increment: w.increment }
            }
            other => panic!("unexpected frame from connection: {other:?}"),
        })
    }

    fn decode_block(&mut self, id: u32, block: Bytes, end_stream: bool) -> Sent {
        let mut fields = Vec::new();
        self.dec
            .decode(&block, usize::MAX, |h| {
                fields.push((
                    String::from_utf8(h.name.to_vec()).unwrap(),
                    String::from_utf8(h.value.to_vec()).unwrap(),
                ))
            })
            .expect("connection sent an undecodable header block");
        Sent::Headers { id, fields, end_stream }
    }

    pub fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.conn.poll_event()).collect()
    }

    /// The GOAWAY the connection sent, if any.
    pub fn goaway(&mut self) -> Option<Reason> {
        self.sent().into_iter().find_map(|s| match s {
            Sent::GoAway { reason, .. } => Some(reason),
            _ => None,
        })
    }

    /// Asserts the connection failed with GOAWAY(reason).
    pub fn expect_goaway(&mut self, result: Result<(), ConnectionError>, reason: Reason) {
        let err = result.expect_err("expected a connection error");
        assert_eq!(err.reason(), reason, "{err}");
        assert_eq!(self.goaway(), Some(reason));
        assert!(self.conn.is_closed());
    }

    /// Asserts the connection reset `id` with `reason` and still answers a PING.
    pub fn expect_rst_and_alive(&mut self, id: u32, reason: Reason) {
        let sent = self.sent();
        assert!(sent.contains(&Sent::Rst { id, reason }), "expected RST {id} {reason}: {sent:?}");
        self.send_ping(*b"stillok?").unwrap();
        assert!(self.sent().contains(&Sent::Ping { ack: true, payload: *b"stillok?" }));
    }
}
