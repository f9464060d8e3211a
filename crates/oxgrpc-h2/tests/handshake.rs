//! Connection start-up: preface, SETTINGS exchange, PING, timeouts.

mod support;

use oxgrpc_h2::frame::Setting;
use oxgrpc_h2::{Config, Connection, ConnectionError, Event, Reason};
use std::time::{Duration, Instant};
use support::{Peer, Sent};

#[test]
fn server_announces_settings_and_a_large_connection_window() {
    let now = Instant::now();
    let mut server = Connection::server(Config::default(), now);
    let mut out = Vec::new();
    server.transmit(&mut out);
    let bytes: Vec<u8> = out.concat();
    // SETTINGS with 6 values (36 bytes) then WINDOW_UPDATE on stream 0.
    assert_eq!(&bytes[..9], &[0, 0, 36, 4, 0, 0, 0, 0, 0]);
    assert_eq!(&bytes[45..54], &[0, 0, 4, 8, 0, 0, 0, 0, 0]);
    let increment = u32::from_be_bytes(bytes[54..58].try_into().unwrap());
    assert_eq!(increment, (4 << 20) - 65_535);
}

#[test]
fn settings_are_acknowledged() {
    let mut peer = Peer::server(Config::default());
    peer.send_settings(&[Setting::MaxConcurrentStreams(5)]).unwrap();
    assert_eq!(peer.sent(), vec![Sent::Settings { ack: true, values: vec![] }]);
}

#[test]
fn invalid_preface_is_a_protocol_error() {
    let mut server = Connection::server(Config::default(), Instant::now());
    let err = server.recv(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", Instant::now()).unwrap_err();
    assert_eq!(err.reason(), Reason::PROTOCOL_ERROR);
    assert!(server.is_closed());
}

#[test]
fn preface_may_arrive_byte_by_byte() {
    let now = Instant::now();
    let mut server = Connection::server(Config::default(), now);
    for b in oxgrpc_h2::PREFACE {
        server.recv(&[*b], now).unwrap();
    }
    server.recv(&[0, 0, 0, 4, 0, 0, 0, 0, 0], now).unwrap();
    assert!(!server.is_closed());
}

#[test]
fn first_frame_must_be_settings() {
    let now = Instant::now();
    let mut server = Connection::server(Config::default(), now);
    server.recv(oxgrpc_h2::PREFACE, now).unwrap();
    let err = server.recv(&[0, 0, 8, 6, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8], now).unwrap_err();
    assert_eq!(err.reason(), Reason::PROTOCOL_ERROR);
}

#[test]
fn ping_is_answered_with_the_same_payload() {
    let mut peer = Peer::server(Config::default());
    peer.send_ping(*b"12345678").unwrap();
    assert_eq!(peer.sent(), vec![Sent::Ping { ack: true, payload: *b"12345678" }]);
}

#[test]
fn ping_ack_is_reported() {
    let mut peer = Peer::client(Config::default());
    peer.conn.ping(*b"abcdefgh");
    assert_eq!(peer.sent(), vec![Sent::Ping { ack: false, payload: *b"abcdefgh" }]);
    peer.send_frame(|b| oxgrpc_h2::frame::Ping { ack: true, payload: *b"abcdefgh" }.encode(b))
        .unwrap();
    assert_eq!(peer.events(), vec![Event::PingAck { payload: *b"abcdefgh" }]);
}

#[test]
fn unacknowledged_settings_time_out() {
    let now = Instant::now();
    let mut client = Connection::client(Config::default(), now);
    let deadline = client.poll_timeout().expect("settings timer");
    assert_eq!(deadline, now + Duration::from_secs(10));
    client.handle_timeout(deadline);
    assert_eq!(client.error(), Some(&ConnectionError::SettingsTimeout));
    assert!(client.is_closed());
}

#[test]
fn settings_ack_stops_the_timer() {
    let peer = Peer::client(Config::default());
    assert_eq!(peer.conn.poll_timeout(), None);
}

#[test]
fn invalid_settings_values_end_the_connection() {
    let cases = [
        (vec![0u8, 2, 0, 0, 0, 2], Reason::PROTOCOL_ERROR),
        (vec![0, 4, 0x80, 0, 0, 0], Reason::FLOW_CONTROL_ERROR),
        (vec![0, 5, 0, 0, 0x3f, 0xff], Reason::PROTOCOL_ERROR),
        (vec![0, 1, 0, 0, 0], Reason::FRAME_SIZE_ERROR),
    ];
    for (payload, reason) in cases {
        let mut peer = Peer::server(Config::default());
        let result = peer.send_raw_frame(4, 0, 0, &payload);
        peer.expect_goaway(result, reason);
    }
}

#[test]
fn client_rejects_server_enabling_push() {
    let now = Instant::now();
    let mut client = Connection::client(Config::default(), now);
    let err = client.recv(&[0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1], now).unwrap_err();
    assert_eq!(err.reason(), Reason::PROTOCOL_ERROR);
}

#[test]
fn settings_ack_with_payload_is_a_frame_size_error() {
    let mut peer = Peer::server(Config::default());
    let result = peer.send_raw_frame(4, 1, 0, &[0, 3, 0, 0, 0, 1]);
    peer.expect_goaway(result, Reason::FRAME_SIZE_ERROR);
}

#[test]
fn unknown_frame_types_and_priority_are_ignored() {
    let mut peer = Peer::server(Config::default());
    peer.send_raw_frame(0xee, 0xff, 1, b"whatever").unwrap();
    peer.send_raw_frame(2, 0, 9, &[0, 0, 0, 1, 16]).unwrap();
    peer.send_headers(1, support::GET, true).unwrap();
    assert!(peer.sent().is_empty());
    assert_eq!(peer.events().len(), 1);
}
