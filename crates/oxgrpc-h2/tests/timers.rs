//! The timer table: SETTINGS ack, keepalive, idle, age and GOAWAY grace,
//! driven by a simulated clock between two real endpoints.

mod support;

use bytes::Bytes;
use oxgrpc_h2::frame::Ping;
use oxgrpc_h2::{Config, ConnectionError, Event, Reason, SendError};
use std::time::Duration;
use support::pair::{Pair, goaways, pings};
use support::{GET, OK, POST, Peer, Sent, fields};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn millis(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn keepalive(interval: Duration, timeout: Duration) -> Config {
    Config { keepalive_interval: Some(interval), keepalive_timeout: timeout, ..Config::default() }
}

fn goaway(debug_data: &'static str) -> Vec<(Reason, Bytes)> {
    vec![(Reason::NO_ERROR, Bytes::from_static(debug_data.as_bytes()))]
}

/// A server's graceful GOAWAY: the first (2^31-1) and the final one.
fn drain(debug_data: &'static str) -> Vec<(Reason, Bytes)> {
    [goaway(debug_data), goaway(debug_data)].concat()
}

#[test]
fn timers_are_off_by_default() {
    let mut pair = Pair::new(Config::default(), Config::default());
    assert_eq!(pair.client.poll_timeout(), None);
    assert_eq!(pair.server.poll_timeout(), None);
    pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.take_frames();
    pair.advance(secs(24 * 3600));
    assert_eq!(pair.take_frames(), (vec![], vec![]));
    assert!(!pair.client.is_closed() && !pair.server.is_closed());
}

#[test]
fn unacknowledged_settings_fail_the_connection() {
    let mut pair = Pair::unstarted(Config::default(), Config::default());
    pair.server_muted = true;
    pair.shuttle();
    pair.advance(secs(10) - millis(1));
    assert_eq!(pair.client.error(), None);
    pair.advance(millis(1));
    assert_eq!(pair.client.error(), Some(&ConnectionError::SettingsTimeout));
    let (client_sent, _) = pair.take_frames();
    assert_eq!(goaways(&client_sent).last().map(|g| g.0), Some(Reason::SETTINGS_TIMEOUT));
    assert!(matches!(
        pair.client_events().last(),
        Some(Event::Error(ConnectionError::SettingsTimeout))
    ));
    assert!(pair.client.is_closed());
    assert_eq!(pair.client.poll_timeout(), None);
}

#[test]
fn keepalive_pings_only_while_a_call_is_open() {
    let mut pair = Pair::new(keepalive(secs(10), secs(5)), Config::default());
    pair.advance(secs(60));
    assert_eq!(pings(&pair.take_frames().0), 0, "no call, no keepalive");

    let id = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.advance(Duration::ZERO);
    assert_eq!(pings(&pair.take_frames().0), 1, "silent for over the interval: ping at once");
    pair.advance(secs(25));
    assert_eq!(pings(&pair.take_frames().0), 2, "one every 10 s while the call lasts");
    assert!(pair.client_events().is_empty(), "keepalive acks are no events");
    assert_eq!(pair.client.error(), None);

    pair.client.reset(id, Reason::CANCEL);
    pair.shuttle();
    pair.advance(secs(60));
    assert_eq!(pings(&pair.take_frames().0), 0, "the call ended");
}

#[test]
fn acked_keepalives_without_calls_keep_the_connection_open() {
    let config = Config { keepalive_without_calls: true, ..keepalive(secs(10), secs(5)) };
    let mut pair = Pair::new(config, Config::default());
    pair.advance(secs(100));
    assert_eq!(pings(&pair.take_frames().0), 10);
    assert!(pair.client_events().is_empty(), "acks of keepalive pings are consumed");
    assert!(pair.server_events().is_empty());
    assert!(!pair.client.is_closed());
    assert_eq!(pair.client.poll_timeout(), Some(pair.now + secs(10)), "only the next keepalive");
}

#[test]
fn an_unanswered_keepalive_fails_the_connection() {
    let mut pair = Pair::new(keepalive(secs(10), secs(5)), Config::default());
    let id = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.server_events();
    pair.server_muted = true;
    pair.advance(secs(10));
    assert_eq!(pings(&pair.take_frames().0), 1);
    pair.advance(secs(5) - millis(1));
    assert_eq!(pair.client.error(), None);
    pair.advance(millis(1));

    assert_eq!(pair.client.error(), Some(&ConnectionError::KeepAliveTimeout));
    assert_eq!(goaways(&pair.take_frames().0), goaway("keepalive timeout"));
    assert_eq!(
        pair.client_events(),
        vec![Event::Error(ConnectionError::KeepAliveTimeout)],
        "open streams end with the connection error, without resets of their own"
    );
    assert!(pair.client.is_closed());
    assert_eq!(pair.client.poll_timeout(), None);
    let result = pair.client.send_data(id, Bytes::from_static(b"x"), false);
    assert_eq!(result, Err(SendError::ConnectionClosed));
    let server_events = pair.server_events();
    assert!(
        server_events.iter().any(|e| matches!(e, Event::GoAway { reason: Reason::NO_ERROR, .. })),
        "{server_events:?}"
    );
}

#[test]
fn received_frames_postpone_the_keepalive() {
    let client = Config { adaptive_window: false, ..keepalive(secs(10), secs(5)) };
    let mut pair = Pair::new(client, Config::default());
    let id = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.server.send_headers(id, &fields(OK), false).unwrap();
    for _ in 0..10 {
        pair.advance(secs(6));
        pair.server.send_data(id, Bytes::from_static(b"tick"), false).unwrap();
        pair.shuttle();
    }
    assert_eq!(pings(&pair.take_frames().0), 0, "a frame every 6 s");
    pair.advance(secs(10) - millis(1));
    assert_eq!(pings(&pair.take_frames().0), 0);
    pair.advance(millis(1));
    assert_eq!(pings(&pair.take_frames().0), 1, "10 s after the last frame");
}

#[test]
fn any_frame_after_a_keepalive_proves_the_peer_alive() {
    let mut peer = Peer::client(keepalive(secs(10), secs(5)));
    peer.conn.open_stream(&fields(POST), false).unwrap();
    peer.sent();
    peer.wait(secs(10));
    let [Sent::Ping { ack: false, payload }] = peer.sent()[..] else { panic!("no keepalive") };
    peer.wait(secs(4));
    peer.send_headers(1, OK, false).unwrap();
    peer.wait(secs(5));
    assert_eq!(peer.conn.error(), None, "the response answered for the peer");
    peer.send_frame(|b| Ping { ack: true, payload }.encode(b)).unwrap();
    let events = peer.events();
    assert!(matches!(events[..], [Event::Headers { stream_id: 1, .. }]), "{events:?}");
}

#[test]
fn max_idle_goes_away_only_once_no_stream_is_open() {
    let server = Config { max_idle: Some(secs(30)), ..Config::default() };
    let mut pair = Pair::new(Config::default(), server);
    let id = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.advance(secs(20));
    pair.client.send_data(id, Bytes::new(), true).unwrap();
    pair.shuttle();
    pair.advance(secs(40));
    assert!(goaways(&pair.take_frames().1).is_empty(), "a stream is open");

    // The server last heard from the client 40 s ago; the idle clock
    // still starts now, when its response ends the stream.
    pair.server.send_headers(id, &fields(OK), true).unwrap();
    pair.shuttle();
    pair.advance(secs(30) - millis(1));
    assert!(goaways(&pair.take_frames().1).is_empty());
    pair.advance(millis(1));
    assert_eq!(goaways(&pair.take_frames().1), drain("max_idle"));
    let events = pair.client_events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::GoAway { debug_data, .. } if debug_data == "max_idle")),
        "{events:?}"
    );
    assert!(pair.server.is_closed() && pair.client.is_closed());
    assert_eq!(pair.server.error(), None, "a graceful close");
}

#[test]
fn a_new_stream_restarts_the_idle_clock() {
    let server = Config { max_idle: Some(secs(30)), ..Config::default() };
    let mut pair = Pair::new(Config::default(), server);
    pair.advance(secs(20));
    let id = pair.client.open_stream(&fields(GET), true).unwrap();
    pair.shuttle();
    pair.server.send_headers(id, &fields(OK), true).unwrap();
    pair.shuttle();
    pair.advance(secs(30) - millis(1));
    assert!(goaways(&pair.take_frames().1).is_empty(), "30 s after the call, not the start");
    pair.advance(millis(1));
    assert_eq!(goaways(&pair.take_frames().1), drain("max_idle"));
}

#[test]
fn max_age_goes_away_and_lets_calls_finish_within_the_grace() {
    let server =
        Config { max_age: Some(secs(60)), go_away_grace: Some(secs(10)), ..Config::default() };
    let mut pair = Pair::new(Config::default(), server);
    let id = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.advance(secs(60) - millis(1));
    assert!(goaways(&pair.take_frames().1).is_empty());
    pair.advance(millis(1));
    assert_eq!(goaways(&pair.take_frames().1), drain("max_age"));
    assert_eq!(pair.client.open_stream(&fields(GET), true), Err(SendError::GoingAway));
    assert!(!pair.server.is_closed(), "the call may finish");

    pair.advance(secs(5));
    pair.client.send_data(id, Bytes::from_static(b"last"), true).unwrap();
    pair.shuttle();
    pair.server.send_headers(id, &fields(OK), true).unwrap();
    pair.shuttle();
    assert!(pair.server.is_closed() && pair.client.is_closed());
    assert_eq!(pair.server.error(), None);
    assert_eq!(pair.server.poll_timeout(), None);
}

#[test]
fn grace_expiry_closes_a_connection_that_still_has_streams() {
    let server =
        Config { max_age: Some(secs(60)), go_away_grace: Some(secs(10)), ..Config::default() };
    let mut pair = Pair::new(Config::default(), server);
    pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.server_events();
    pair.advance(secs(60));
    assert_eq!(goaways(&pair.take_frames().1), drain("max_age"));
    pair.advance(secs(10) - millis(1));
    assert!(!pair.server.is_closed());
    pair.advance(millis(1));

    assert_eq!(pair.server.error(), Some(&ConnectionError::GoAwayGraceExpired));
    assert!(pair.server.is_closed());
    assert_eq!(pair.server_events(), vec![Event::Error(ConnectionError::GoAwayGraceExpired)]);
    assert_eq!(pair.take_frames().1, vec![], "nothing more is sent: the socket just closes");
    assert_eq!(pair.server.poll_timeout(), None);
}

#[test]
fn grace_counts_from_the_go_away_call() {
    let server = Config { go_away_grace: Some(secs(10)), ..Config::default() };
    let mut pair = Pair::new(Config::default(), server);
    pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.advance(secs(100));
    pair.server.go_away(Reason::NO_ERROR, b"shutdown");
    pair.shuttle();
    pair.advance(secs(10) - millis(1));
    assert_eq!(pair.server.error(), None, "not 10 s after the server last heard the time");
    pair.advance(millis(1));
    assert_eq!(pair.server.error(), Some(&ConnectionError::GoAwayGraceExpired));
}

#[test]
fn application_ping_ack_is_an_event() {
    let mut pair = Pair::new(Config::default(), Config::default());
    pair.client.ping(*b"app-ping");
    pair.shuttle();
    assert_eq!(pair.client_events(), vec![Event::PingAck { payload: *b"app-ping" }]);
    assert!(pair.server_events().is_empty());
}

#[test]
fn unmatched_ping_acks_are_ignored() {
    let mut peer = Peer::client(Config::default());
    peer.send_frame(|b| Ping { ack: true, payload: *b"stranger" }.encode(b)).unwrap();
    assert!(peer.events().is_empty());
    assert!(peer.sent().is_empty());

    peer.conn.ping(*b"only one");
    peer.sent();
    for _ in 0..2 {
        peer.send_frame(|b| Ping { ack: true, payload: *b"only one" }.encode(b)).unwrap();
    }
    assert_eq!(peer.events(), vec![Event::PingAck { payload: *b"only one" }], "one ack per ping");
    assert!(!peer.conn.is_closed());
}
