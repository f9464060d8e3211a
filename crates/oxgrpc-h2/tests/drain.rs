//! The server's graceful GOAWAY in two steps (RFC 9113 §6.8, gRFC A9, as
//! grpc-go): GOAWAY(2^31-1) and a PING, then the final GOAWAY once the PING
//! is acked or its wait runs out. Two real endpoints on a simulated clock,
//! and a scripted client where the real one would be too well-behaved.

mod support;

use bytes::Bytes;
use oxgrpc_h2::frame::{Frame, MAX_STREAM_ID, Ping};
use oxgrpc_h2::{Config, ConnectionError, Event, Reason};
use std::time::Duration;
use support::pair::{Pair, goaway_ids, goaways};
use support::{GET, OK, POST, Peer, Sent, fields};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn millis(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The GOAWAYs and PINGs among `frames`, in order: 'G' or 'P' (not acks).
fn shape(frames: &[Frame]) -> String {
    frames
        .iter()
        .filter_map(|f| match f {
            Frame::GoAway(_) => Some('G'),
            Frame::Ping(p) if !p.ack => Some('P'),
            _ => None,
        })
        .collect()
}

/// Receives the first step of a drain, and gives the server the time as a
/// driver does at once after `go_away` (its timers wait for it); returns
/// the PING's payload.
fn first_step(peer: &mut Peer) -> [u8; 8] {
    peer.wait(Duration::ZERO);
    let sent = peer.sent();
    let [
        Sent::GoAway { last: MAX_STREAM_ID, reason: Reason::NO_ERROR },
        Sent::Ping { ack: false, payload },
    ] = sent[..]
    else {
        panic!("expected GOAWAY(2^31-1) and a PING: {sent:?}")
    };
    payload
}

fn ack(peer: &mut Peer, payload: [u8; 8]) {
    peer.send_frame(|b| Ping { ack: true, payload }.encode(b)).unwrap();
}

#[test]
fn a_stream_opened_between_the_two_go_aways_is_served() {
    let mut pair = Pair::new(Config::default(), Config::default());
    let first = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.server_events();
    pair.take_frames();

    pair.server.go_away(Reason::NO_ERROR, b"shutdown");
    assert!(pair.server.is_draining());
    assert_eq!(pair.server.go_away_sent(), None);
    // The client has not read the GOAWAY yet: its request races it.
    let raced = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();

    let (client_sent, server_sent) = pair.take_frames();
    assert_eq!(shape(&server_sent), "GPG");
    assert_eq!(goaway_ids(&server_sent), vec![MAX_STREAM_ID, raced]);
    let shutdown = (Reason::NO_ERROR, Bytes::from_static(b"shutdown"));
    assert_eq!(goaways(&server_sent), vec![shutdown.clone(), shutdown], "same debug data");
    assert!(client_sent.iter().any(|f| matches!(f, Frame::Ping(p) if p.ack)), "the client acks");
    assert!(!pair.server.is_draining());
    assert_eq!(pair.server.go_away_sent(), Some(raced));
    let server_events = pair.server_events();
    assert!(
        matches!(server_events[..], [Event::Headers { stream_id, .. }] if stream_id == raced),
        "accepted, and the drain PING's ack is no event: {server_events:?}"
    );
    let client_events = pair.client_events();
    let ids: Vec<u32> = client_events
        .iter()
        .filter_map(|e| match e {
            Event::GoAway { last_stream_id, .. } => Some(*last_stream_id),
            _ => None,
        })
        .collect();
    assert_eq!(ids, vec![MAX_STREAM_ID, raced]);
    assert!(!client_events.iter().any(|e| matches!(e, Event::Reset { .. })), "{client_events:?}");

    for id in [first, raced] {
        pair.client.send_data(id, Bytes::from_static(b"req"), true).unwrap();
        pair.shuttle();
        pair.server.send_headers(id, &fields(OK), true).unwrap();
        pair.shuttle();
    }
    let responses = pair
        .client_events()
        .into_iter()
        .filter(|e| matches!(e, Event::Headers { end_stream: true, .. }))
        .count();
    assert_eq!(responses, 2);
    assert!(pair.server.is_closed() && pair.client.is_closed());
    assert_eq!(pair.server.error(), None);
}

#[test]
fn a_stream_opened_after_the_final_go_away_is_refused() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.conn.go_away(Reason::NO_ERROR, b"bye");
    let payload = first_step(&mut peer);
    peer.send_headers(3, POST, false).unwrap();
    ack(&mut peer, payload);
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 3, reason: Reason::NO_ERROR }]);

    peer.send_headers(5, POST, false).unwrap();
    peer.send_data(5, b"body", true).unwrap();
    assert_eq!(
        peer.sent(),
        vec![Sent::Rst { id: 5, reason: Reason::REFUSED_STREAM }],
        "refused, safe to retry; what follows on it is ignored"
    );
    let events = peer.events();
    assert_eq!(events.len(), 2, "streams 1 and 3 only: {events:?}");
    assert!(!peer.conn.is_closed());

    // A later error GOAWAY never names more than the final one did.
    let result = peer.send_data(0, b"x", false);
    assert!(result.is_err());
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 3, reason: Reason::PROTOCOL_ERROR }]);
}

#[test]
fn without_an_ack_the_final_go_away_follows_after_the_bound() {
    let mut pair = Pair::new(Config::default(), Config::default());
    pair.server_muted = true;
    pair.server.go_away(Reason::NO_ERROR, b"shutdown");
    pair.shuttle();
    pair.advance(Duration::ZERO);
    assert_eq!(shape(&pair.take_frames().1), "GP");
    assert!(!pair.server.is_closed(), "no stream, but the drain is not done");
    assert_eq!(pair.server.poll_timeout(), Some(pair.now + secs(5)), "grpc-go's 5 s");

    pair.advance(secs(5) - millis(1));
    assert!(goaways(&pair.take_frames().1).is_empty());
    pair.advance(millis(1));
    assert_eq!(goaway_ids(&pair.take_frames().1), vec![0]);
    assert_eq!(pair.server.go_away_sent(), Some(0));
    assert!(pair.server.is_closed());
    assert_eq!(pair.server.error(), None);
}

#[test]
fn the_wait_for_the_ack_is_configurable() {
    let server = Config { go_away_ping_timeout: millis(250), ..Config::default() };
    let mut peer = Peer::server(server);
    peer.conn.go_away(Reason::NO_ERROR, b"");
    first_step(&mut peer);
    peer.wait(millis(249));
    assert!(peer.sent().is_empty());
    peer.wait(millis(1));
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 0, reason: Reason::NO_ERROR }]);
    assert!(peer.conn.is_closed());
}

#[test]
fn is_closed_waits_for_the_final_go_away() {
    let mut peer = Peer::server(Config::default());
    peer.conn.go_away(Reason::NO_ERROR, b"");
    let payload = first_step(&mut peer);
    assert!(!peer.conn.is_closed());
    peer.send_goaway(0, Reason::NO_ERROR).unwrap();
    assert!(!peer.conn.is_closed(), "even once the peer went away too");
    ack(&mut peer, payload);
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 0, reason: Reason::NO_ERROR }]);
    assert!(peer.conn.is_closed());
    assert_eq!(peer.conn.poll_timeout(), None);
}

#[test]
fn max_idle_drains_in_two_steps() {
    let server = Config { max_idle: Some(secs(30)), ..Config::default() };
    let mut pair = Pair::new(Config::default(), server);
    pair.advance(secs(30));
    let server_sent = pair.take_frames().1;
    assert_eq!(shape(&server_sent), "GPG");
    assert_eq!(goaway_ids(&server_sent), vec![MAX_STREAM_ID, 0]);
    assert!(pair.server.is_closed() && pair.client.is_closed());
}

#[test]
fn max_age_drains_in_two_steps() {
    let server = Config { max_age: Some(secs(60)), ..Config::default() };
    let mut pair = Pair::new(Config::default(), server);
    let id = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.advance(secs(60));
    let server_sent = pair.take_frames().1;
    assert_eq!(shape(&server_sent), "GPG");
    assert_eq!(goaway_ids(&server_sent), vec![MAX_STREAM_ID, id]);
    assert!(!pair.server.is_closed(), "the call may finish");
}

#[test]
fn the_grace_counts_from_the_first_go_away() {
    let server = Config { go_away_grace: Some(secs(10)), ..Config::default() };
    let mut peer = Peer::server(server);
    peer.send_headers(1, POST, false).unwrap();
    peer.conn.go_away(Reason::NO_ERROR, b"");
    first_step(&mut peer);
    peer.wait(secs(5));
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 1, reason: Reason::NO_ERROR }]);
    peer.wait(secs(5) - millis(1));
    assert_eq!(peer.conn.error(), None);
    peer.wait(millis(1));
    assert_eq!(peer.conn.error(), Some(&ConnectionError::GoAwayGraceExpired));
}

#[test]
fn a_grace_shorter_than_the_wait_still_sends_the_final_go_away() {
    let server = Config { go_away_grace: Some(secs(1)), ..Config::default() };
    let mut peer = Peer::server(server);
    peer.send_headers(1, POST, false).unwrap();
    peer.conn.go_away(Reason::NO_ERROR, b"");
    first_step(&mut peer);
    peer.wait(secs(1));
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 1, reason: Reason::NO_ERROR }]);
    assert_eq!(peer.conn.error(), Some(&ConnectionError::GoAwayGraceExpired));
}

#[test]
fn error_go_aways_stay_single() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, GET, true).unwrap();
    let result = peer.send_raw_frame(0x6, 0, 0, &[0; 4]);
    assert!(result.is_err());
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 1, reason: Reason::FRAME_SIZE_ERROR }]);

    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.conn.go_away(Reason::ENHANCE_YOUR_CALM, b"overloaded");
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 1, reason: Reason::ENHANCE_YOUR_CALM }]);
    assert_eq!(peer.conn.go_away_sent(), Some(1));
    peer.send_headers(3, GET, true).unwrap();
    assert_eq!(peer.sent(), vec![Sent::Rst { id: 3, reason: Reason::REFUSED_STREAM }]);

    // An error during a drain goes out at once, on its own.
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.conn.go_away(Reason::NO_ERROR, b"");
    first_step(&mut peer);
    peer.send_headers(3, POST, false).unwrap();
    let result = peer.send_window_update(0, 0);
    assert!(result.is_err());
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 3, reason: Reason::PROTOCOL_ERROR }]);
    assert!(peer.conn.is_closed());
}

#[test]
fn a_client_goes_away_with_a_single_go_away() {
    let mut pair = Pair::new(Config::default(), Config::default());
    pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.take_frames();
    pair.client.go_away(Reason::NO_ERROR, b"");
    assert!(!pair.client.is_draining());
    assert_eq!(pair.client.go_away_sent(), Some(0));
    pair.shuttle();
    let client_sent = pair.take_frames().0;
    assert_eq!(shape(&client_sent), "G");
    assert_eq!(goaway_ids(&client_sent), vec![0]);
}
