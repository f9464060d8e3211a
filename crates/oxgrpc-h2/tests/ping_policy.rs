//! The server's PING policy (gRFC A8 "Server Enforcement", as grpc-go's
//! `handlePing`), between two real endpoints on a simulated clock: the
//! client's application PINGs stand for an over-eager keepalive.

mod support;

use bytes::Bytes;
use oxgrpc_h2::frame::Frame;
use oxgrpc_h2::{Config, ConnectionError, Event, PingPolicy, Reason};
use std::time::Duration;
use support::pair::{Pair, goaways};
use support::{OK, POST, fields};

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn policy(min_interval: Duration, permit_without_calls: bool) -> Config {
    Config {
        ping_policy: Some(PingPolicy { min_interval, permit_without_calls }),
        ..Config::default()
    }
}

fn too_many_pings() -> Vec<(Reason, Bytes)> {
    vec![(Reason::ENHANCE_YOUR_CALM, Bytes::from_static(b"too_many_pings"))]
}

/// The client PINGs, then `wait` passes; returns what the server sent.
fn ping_then_wait(pair: &mut Pair, wait: Duration) -> Vec<Frame> {
    pair.client.ping(*b"are-you?");
    pair.shuttle();
    let server_sent = pair.take_frames().1;
    pair.advance(wait);
    server_sent
}

/// A pair whose client has a call open that the server has not answered.
fn pair_with_a_call(server: Config) -> (Pair, u32) {
    // Fixed windows: the client sends only the PINGs a test asks for.
    let mut pair = Pair::new(support::fixed(), server);
    let id = pair.client.open_stream(&fields(POST), false).unwrap();
    pair.shuttle();
    pair.server_events();
    (pair, id)
}

#[test]
fn the_policy_defaults_to_grpc_go_enforcement_and_is_off_by_default() {
    assert_eq!(
        PingPolicy::default(),
        PingPolicy { min_interval: secs(300), permit_without_calls: false }
    );
    assert_eq!(Config::default().ping_policy, None);
}

#[test]
fn early_pings_during_a_call_strike_out_on_the_third_strike() {
    let (mut pair, _) = pair_with_a_call(policy(secs(300), false));
    // The first PING is free; the next three come a minute apart.
    for i in 0..3 {
        let sent = ping_then_wait(&mut pair, secs(60));
        assert!(goaways(&sent).is_empty(), "ping {i}: {sent:?}");
        assert_eq!(pair.server.error(), None);
    }
    let sent = ping_then_wait(&mut pair, Duration::ZERO);

    assert!(
        matches!(&sent[..], [Frame::Ping(p), Frame::GoAway(_)] if p.ack),
        "the PING is acked before the GOAWAY, as grpc-go: {sent:?}"
    );
    assert_eq!(goaways(&sent), too_many_pings());
    let Some(Frame::GoAway(goaway)) = sent.last() else { unreachable!() };
    assert_eq!(goaway.last_stream_id, 1);
    assert_eq!(pair.server.error(), Some(&ConnectionError::TooManyPings));
    assert_eq!(pair.server.error().map(ConnectionError::reason), Some(Reason::ENHANCE_YOUR_CALM));
    assert!(pair.server.is_closed());
    assert_eq!(pair.server_events(), vec![Event::Error(ConnectionError::TooManyPings)]);

    let events = pair.client_events();
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::GoAway { reason: Reason::ENHANCE_YOUR_CALM, debug_data, .. }
                if debug_data == "too_many_pings"
        )),
        "gRFC A8 clients look for this: {events:?}"
    );
}

#[test]
fn pings_at_or_above_the_interval_never_strike() {
    let (mut pair, _) = pair_with_a_call(policy(secs(300), false));
    for _ in 0..20 {
        let sent = ping_then_wait(&mut pair, secs(300));
        assert!(goaways(&sent).is_empty(), "{sent:?}");
    }
    assert_eq!(pair.server.error(), None);
    assert!(!pair.server.is_closed());
}

#[test]
fn without_calls_pings_must_be_two_hours_apart() {
    let mut pair = Pair::new(Config::default(), policy(secs(300), false));
    for _ in 0..5 {
        assert!(goaways(&ping_then_wait(&mut pair, secs(2 * 3600))).is_empty());
    }
    for _ in 0..3 {
        assert!(goaways(&ping_then_wait(&mut pair, secs(300))).is_empty());
    }
    assert_eq!(pair.server.error(), None, "two strikes so far");
    assert_eq!(goaways(&ping_then_wait(&mut pair, secs(300))), too_many_pings());
    assert_eq!(pair.server.error(), Some(&ConnectionError::TooManyPings));
}

#[test]
fn permit_without_calls_applies_the_interval_to_idle_connections() {
    let mut pair = Pair::new(Config::default(), policy(secs(300), true));
    for _ in 0..20 {
        assert!(goaways(&ping_then_wait(&mut pair, secs(300))).is_empty());
    }
    assert_eq!(pair.server.error(), None);
    for _ in 0..3 {
        ping_then_wait(&mut pair, secs(299));
    }
    assert_eq!(goaways(&ping_then_wait(&mut pair, secs(1))), too_many_pings());
}

#[test]
fn sending_headers_or_data_forgives_the_strikes() {
    let (mut pair, id) = pair_with_a_call(policy(secs(300), false));
    // Free, then two strikes.
    for _ in 0..3 {
        ping_then_wait(&mut pair, secs(1));
    }
    pair.server.send_headers(id, &fields(OK), false).unwrap();
    pair.shuttle();
    // Free again after HEADERS, then two strikes.
    for _ in 0..3 {
        ping_then_wait(&mut pair, secs(1));
    }
    pair.server.send_data(id, Bytes::from_static(b"pong"), false).unwrap();
    pair.shuttle();
    // Free again after DATA, then two strikes.
    for _ in 0..3 {
        assert!(goaways(&ping_then_wait(&mut pair, secs(1))).is_empty());
    }
    assert_eq!(pair.server.error(), None, "each response reset the count");
    assert_eq!(goaways(&ping_then_wait(&mut pair, secs(1))), too_many_pings());
}

#[test]
fn receiving_data_does_not_forgive() {
    let (mut pair, id) = pair_with_a_call(policy(secs(300), false));
    for _ in 0..3 {
        pair.client.send_data(id, Bytes::from_static(b"more"), false).unwrap();
        ping_then_wait(&mut pair, secs(1));
    }
    pair.client.send_data(id, Bytes::from_static(b"more"), false).unwrap();
    assert_eq!(goaways(&ping_then_wait(&mut pair, secs(1))), too_many_pings());
}

#[test]
fn without_a_policy_no_ping_strikes() {
    let (mut pair, _) = pair_with_a_call(Config::default());
    for _ in 0..50 {
        assert!(goaways(&ping_then_wait(&mut pair, secs(1))).is_empty());
    }
    let mut idle = Pair::new(Config::default(), Config::default());
    for _ in 0..50 {
        assert!(goaways(&ping_then_wait(&mut idle, secs(1))).is_empty());
    }
    assert_eq!(pair.server.error(), None);
    assert_eq!(idle.server.error(), None);
}

#[test]
fn a_client_ignores_the_policy() {
    let mut pair = Pair::new(policy(secs(300), false), Config::default());
    for _ in 0..10 {
        pair.server.ping(*b"server!!");
        pair.shuttle();
        pair.advance(secs(1));
    }
    assert_eq!(pair.client.error(), None);
    assert!(goaways(&pair.take_frames().0).is_empty());
}
