//! Two real endpoints, a client and a server, joined by a simulated link
//! and driven by a simulated clock: time only moves when a test says so,
//! and every timer is serviced at the instant it asks for, as a driver would.

use bytes::{Bytes, BytesMut};
use oxgrpc_h2::frame::{Frame, FrameHead, HEAD_LEN};
use oxgrpc_h2::{Config, Connection, Event, PREFACE};
use std::time::{Duration, Instant};

/// One direction of the link: bytes in flight, decoded into frames for the log.
#[derive(Default)]
struct Wire {
    bytes: BytesMut,
    skip_preface: bool,
    log: Vec<Frame>,
}

impl Wire {
    fn carry(&mut self, chunks: &[Bytes]) {
        for chunk in chunks {
            self.bytes.extend_from_slice(chunk);
        }
        if self.skip_preface && self.bytes.len() >= PREFACE.len() {
            let _ = self.bytes.split_to(PREFACE.len());
            self.skip_preface = false;
        }
        while !self.skip_preface && self.bytes.len() >= HEAD_LEN {
            let head = FrameHead::parse(self.bytes[..HEAD_LEN].try_into().unwrap());
            if self.bytes.len() < HEAD_LEN + head.length as usize {
                break;
            }
            let _ = self.bytes.split_to(HEAD_LEN);
            let payload = self.bytes.split_to(head.length as usize).freeze();
            self.log
                .push(Frame::decode(head, payload).expect("an endpoint sent a malformed frame"));
        }
    }
}

/// A client and a server connected to each other.
pub struct Pair {
    pub client: Connection,
    pub server: Connection,
    pub now: Instant,
    /// While set, what the server sends is lost (the client hears nothing).
    pub server_muted: bool,
    to_server: Wire,
    to_client: Wire,
}

impl Pair {
    /// Both endpoints, handshake done.
    pub fn new(client: Config, server: Config) -> Pair {
        let mut pair = Pair::unstarted(client, server);
        pair.shuttle();
        pair.take_frames();
        pair
    }

    /// Both endpoints, nothing exchanged yet.
    pub fn unstarted(client: Config, server: Config) -> Pair {
        let now = Instant::now();
        Pair {
            client: Connection::client(client, now),
            server: Connection::server(server, now),
            now,
            server_muted: false,
            to_server: Wire { skip_preface: true, ..Wire::default() },
            to_client: Wire::default(),
        }
    }

    /// Moves bytes both ways at the current time until both sides are quiet.
    pub fn shuttle(&mut self) {
        let mut chunks = Vec::new();
        for _ in 0..100 {
            self.client.transmit(&mut chunks);
            let mut moved = !chunks.is_empty();
            self.to_server.carry(&chunks);
            for chunk in chunks.drain(..) {
                let _ = self.server.recv(&chunk, self.now);
            }
            self.server.transmit(&mut chunks);
            moved |= !chunks.is_empty();
            self.to_client.carry(&chunks);
            for chunk in chunks.drain(..) {
                if !self.server_muted {
                    let _ = self.client.recv(&chunk, self.now);
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the endpoints never went quiet");
    }

    /// Lets `by` pass: every timer fires at its own instant, and whatever
    /// it makes the endpoints send is delivered right then.
    pub fn advance(&mut self, by: Duration) {
        let target = self.now + by;
        for _ in 0..10_000 {
            let next = [self.client.poll_timeout(), self.server.poll_timeout()]
                .into_iter()
                .flatten()
                .filter(|&at| at <= target)
                .min();
            let Some(at) = next else {
                self.now = target;
                return;
            };
            self.now = self.now.max(at);
            if self.client.poll_timeout().is_some_and(|at| at <= self.now) {
                self.client.handle_timeout(self.now);
            }
            if self.server.poll_timeout().is_some_and(|at| at <= self.now) {
                self.server.handle_timeout(self.now);
            }
            self.shuttle();
        }
        panic!("timers keep firing without time passing");
    }

    /// The frames each side sent since the last call: (client's, server's).
    pub fn take_frames(&mut self) -> (Vec<Frame>, Vec<Frame>) {
        (std::mem::take(&mut self.to_server.log), std::mem::take(&mut self.to_client.log))
    }

    pub fn client_events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.client.poll_event()).collect()
    }

    pub fn server_events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.server.poll_event()).collect()
    }
}

/// PINGs (not acks) among `frames`.
pub fn pings(frames: &[Frame]) -> usize {
    frames.iter().filter(|f| matches!(f, Frame::Ping(p) if !p.ack)).count()
}

/// The GOAWAYs among `frames`, as (code, debug data).
pub fn goaways(frames: &[Frame]) -> Vec<(oxgrpc_h2::Reason, Bytes)> {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::GoAway(g) => Some((g.reason, g.debug_data.clone())),
            _ => None,
        })
        .collect()
}

/// The last-stream-ids of the GOAWAYs among `frames`.
pub fn goaway_ids(frames: &[Frame]) -> Vec<u32> {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::GoAway(g) => Some(g.last_stream_id),
            _ => None,
        })
        .collect()
}
