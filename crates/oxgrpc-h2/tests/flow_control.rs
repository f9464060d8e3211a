//! Flow control (RFC 9113 §5.2, §6.9) in both directions.

mod support;

use bytes::Bytes;
use oxgrpc_h2::frame::Setting;
use oxgrpc_h2::{Config, Event, Reason};
use support::{OK, POST, Peer, Sent, fields};

/// Sums DATA sent on `id`; returns (bytes, saw END_STREAM).
fn data_sent(sent: &[Sent], id: u32) -> (usize, bool) {
    sent.iter().fold((0, false), |(n, end), s| match s {
        Sent::Data { id: i, data, end_stream } if *i == id => (n + data.len(), end || *end_stream),
        _ => (n, end),
    })
}

#[test]
fn one_mib_body_crosses_small_windows_and_resumes_on_window_update() {
    // The peer (a client) allows only 16 KiB per stream; the connection
    // window starts at the RFC's 65,535.
    let mut peer = Peer::server_with(Config::default(), &[Setting::InitialWindowSize(16_384)]);
    peer.send_headers(1, POST, true).unwrap();
    peer.events();
    let body: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
    peer.conn.send_headers(1, &fields(OK), false).unwrap();
    peer.conn.send_data(1, Bytes::from(body.clone()), true).unwrap();

    let mut received = Vec::new();
    let mut rounds = 0;
    loop {
        let sent = peer.sent();
        for s in &sent {
            if let Sent::Data { data, .. } = s {
                received.extend_from_slice(data);
            }
        }
        let (n, end) = data_sent(&sent, 1);
        if end {
            break;
        }
        rounds += 1;
        assert!(rounds < 1000, "stalled");
        // Stalled exactly at the stream window until the peer opens it.
        assert_eq!(n, 16_384, "round {rounds}");
        assert_eq!(peer.conn.queued_data(1), body.len() - received.len());
        assert!(peer.sent().is_empty(), "nothing more without WINDOW_UPDATE");
        peer.send_window_update(1, 16_384).unwrap();
        peer.send_window_update(0, 16_384).unwrap();
    }
    assert_eq!(received, body);
    assert_eq!(rounds, 63);
}

#[test]
fn connection_window_blocks_all_streams() {
    let mut peer = Peer::server(Config::default());
    for id in [1, 3] {
        peer.send_headers(id, POST, true).unwrap();
        peer.conn.send_headers(id, &fields(OK), false).unwrap();
        peer.conn.send_data(id, Bytes::from(vec![7u8; 50_000]), true).unwrap();
    }
    let sent = peer.sent();
    let total = data_sent(&sent, 1).0 + data_sent(&sent, 3).0;
    assert_eq!(total, 65_535);
    assert!(data_sent(&sent, 1).0 > 0 && data_sent(&sent, 3).0 > 0, "both streams progress");
    assert!(!data_sent(&sent, 3).1, "stream 3 waits for the connection window");
    peer.send_window_update(0, 100_000).unwrap();
    let more = peer.sent();
    assert_eq!(data_sent(&more, 1).0 + data_sent(&more, 3).0, 100_000 - 65_535);
    assert!(data_sent(&sent, 1).1 && data_sent(&more, 3).1);
}

#[test]
fn receiver_releases_window_as_the_application_consumes() {
    let mut peer = Peer::server(support::fixed());
    peer.send_headers(1, POST, false).unwrap();
    peer.events();
    let chunk = vec![1u8; 16_384];
    // 1 MiB stream window: send half of it.
    for _ in 0..32 {
        peer.send_data(1, &chunk, false).unwrap();
    }
    assert!(peer.sent().is_empty(), "no update before the application consumes");
    let consumed: usize = peer
        .events()
        .iter()
        .map(|e| match e {
            Event::Data { data, .. } => data.len(),
            _ => 0,
        })
        .sum();
    assert_eq!(consumed, 512 * 1024);
    peer.conn.release_capacity(1, consumed);
    assert_eq!(peer.sent(), vec![Sent::WindowUpdate { id: 1, increment: 512 * 1024 }]);
}

#[test]
fn a_slow_reader_back_pressures_the_sender() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    let chunk = vec![1u8; 16_384];
    for _ in 0..64 {
        peer.send_data(1, &chunk, false).unwrap();
    }
    // The 1 MiB stream window is used up and nothing was released.
    let result = peer.send_data(1, b"x", false);
    assert!(result.is_ok(), "a stream window overrun is a stream error");
    peer.expect_rst_and_alive(1, Reason::FLOW_CONTROL_ERROR);
}

#[test]
fn connection_window_overrun_is_a_connection_error() {
    let config = Config { initial_window_size: 8 << 20, ..Config::default() };
    let mut peer = Peer::server(config);
    peer.send_headers(1, POST, false).unwrap();
    let chunk = vec![0u8; 16_384];
    for _ in 0..256 {
        peer.send_data(1, &chunk, false).unwrap();
    }
    let result = peer.send_data(1, b"x", false);
    peer.expect_goaway(result, Reason::FLOW_CONTROL_ERROR);
}

#[test]
fn window_update_overflow() {
    let mut peer = Peer::server(Config::default());
    let result = peer.send_window_update(0, (1 << 31) - 1);
    peer.expect_goaway(result, Reason::FLOW_CONTROL_ERROR);

    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.send_window_update(1, (1 << 31) - 1).unwrap();
    peer.expect_rst_and_alive(1, Reason::FLOW_CONTROL_ERROR);
}

#[test]
fn zero_window_increment() {
    let mut peer = Peer::server(Config::default());
    let result = peer.send_window_update(0, 0);
    peer.expect_goaway(result, Reason::PROTOCOL_ERROR);

    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.send_window_update(1, 0).unwrap();
    peer.expect_rst_and_alive(1, Reason::PROTOCOL_ERROR);
}

#[test]
fn initial_window_change_applies_to_open_streams() {
    let mut peer = Peer::server_with(Config::default(), &[Setting::InitialWindowSize(0)]);
    peer.send_headers(1, POST, true).unwrap();
    peer.conn.send_headers(1, &fields(OK), false).unwrap();
    peer.conn.send_data(1, Bytes::from_static(b"blocked"), true).unwrap();
    assert_eq!(data_sent(&peer.sent(), 1), (0, false));
    peer.send_settings(&[Setting::InitialWindowSize(100)]).unwrap();
    let sent = peer.sent();
    assert_eq!(data_sent(&sent, 1), (7, true));
}

#[test]
fn initial_window_change_overflowing_a_stream_is_an_error() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.send_window_update(1, (1 << 31) - 1 - 65_535).unwrap();
    let result = peer.send_settings(&[Setting::InitialWindowSize(65_536)]);
    peer.expect_goaway(result, Reason::FLOW_CONTROL_ERROR);
}

#[test]
fn padding_is_released_immediately() {
    let config =
        Config { initial_window_size: 1000, connection_window_size: 1 << 20, ..Config::default() };
    let mut peer = Peer::server(config);
    peer.send_headers(1, POST, false).unwrap();
    let mut payload = vec![255u8];
    payload.extend_from_slice(&[0u8; 255]);
    peer.send_raw_frame(0, 0x8, 1, &payload).unwrap();
    peer.send_raw_frame(0, 0x8, 1, &payload).unwrap();
    let sent = peer.sent();
    assert!(sent.contains(&Sent::WindowUpdate { id: 1, increment: 512 }), "{sent:?}");
}
