//! Protection limits: each triggers its RFC error code.

mod support;

use oxgrpc_h2::{Config, Event, RateLimit, Reason};
use std::time::Duration;
use support::{GET, POST, Peer, Sent};

#[test]
fn frames_over_max_frame_size() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    let result = peer.send_data(1, &vec![0u8; 16_385], false);
    peer.expect_goaway(result, Reason::FRAME_SIZE_ERROR);

    let mut peer = Peer::server(Config::default());
    let result = peer.send_raw_frame(6, 0, 0, &[0; 7]);
    peer.expect_goaway(result, Reason::FRAME_SIZE_ERROR);
}

#[test]
fn max_concurrent_streams_refuses_excess_streams() {
    let config = Config { max_concurrent_streams: 3, ..Config::default() };
    let mut peer = Peer::server(config);
    for id in [1, 3, 5] {
        peer.send_headers(id, POST, false).unwrap();
    }
    peer.send_headers(7, POST, false).unwrap();
    peer.expect_rst_and_alive(7, Reason::REFUSED_STREAM);
    assert_eq!(peer.events().len(), 3);
    // Closing one makes room again.
    peer.send_rst(1, Reason::CANCEL).unwrap();
    peer.send_headers(9, POST, false).unwrap();
    let events = peer.events();
    assert!(matches!(events.last(), Some(Event::Headers { stream_id: 9, .. })));
}

#[test]
fn frames_still_in_flight_on_a_refused_stream_are_ignored() {
    let config = Config { max_concurrent_streams: 1, ..Config::default() };
    let mut peer = Peer::server(config);
    peer.send_headers(1, POST, false).unwrap();
    peer.send_headers(3, POST, false).unwrap();
    peer.send_data(3, b"body", false).unwrap();
    peer.send_data(3, b"", true).unwrap();
    assert_eq!(peer.sent(), vec![Sent::Rst { id: 3, reason: Reason::REFUSED_STREAM }]);
    assert!(matches!(peer.events()[..], [Event::Headers { stream_id: 1, .. }]));
    assert!(!peer.conn.is_closed());
}

#[test]
fn oversized_header_list_gets_431_and_keeps_hpack_in_sync() {
    let mut peer = Peer::server(Config::default());
    let big = "v".repeat(20_000);
    let mut head = GET.to_vec();
    head.push(("x-big", &big));
    let block = peer.encode_block(&head);
    // Sent as HEADERS + CONTINUATION: the block is bigger than a frame.
    peer.send_frame(|b| oxgrpc_h2::frame::Headers::encode(1, &block, true, 16_384, b)).unwrap();
    let sent = peer.sent();
    assert_eq!(
        sent[0],
        Sent::Headers { id: 1, fields: vec![(":status".into(), "431".into())], end_stream: true }
    );
    assert!(peer.events().is_empty());
    // The dynamic table stayed in step: a request using indexed fields decodes.
    peer.send_headers(3, GET, true).unwrap();
    assert!(matches!(peer.events()[..], [Event::Headers { stream_id: 3, .. }]));
}

#[test]
fn continuation_flood_is_stopped() {
    let mut peer = Peer::server(Config::default());
    let block = peer.encode_block(GET);
    peer.send_raw_frame(1, 0, 1, &block[..1]).unwrap();
    let mut result = Ok(());
    for _ in 0..100 {
        result = peer.send_raw_frame(9, 0, 1, b"");
        if result.is_err() {
            break;
        }
    }
    peer.expect_goaway(result, Reason::ENHANCE_YOUR_CALM);
}

#[test]
fn huge_header_block_is_stopped() {
    let mut peer = Peer::server(Config::default());
    peer.send_raw_frame(1, 0, 1, &[0x40]).unwrap();
    let mut result = Ok(());
    for _ in 0..10 {
        result = peer.send_raw_frame(9, 0, 1, &vec![b'a'; 16_000]);
        if result.is_err() {
            break;
        }
    }
    peer.expect_goaway(result, Reason::ENHANCE_YOUR_CALM);
}

#[test]
fn rapid_reset_is_stopped() {
    let config =
        Config { reset_limit: RateLimit { burst: 100, per_second: 10 }, ..Config::default() };
    let mut peer = Peer::server(config);
    let mut result = Ok(());
    let mut id = 1;
    while result.is_ok() && id < 1000 {
        peer.send_headers(id, GET, false).unwrap();
        result = peer.send_rst(id, Reason::CANCEL);
        id += 2;
    }
    assert_eq!(id, 203, "the 101st reset trips the limit");
    peer.expect_goaway(result, Reason::ENHANCE_YOUR_CALM);
}

#[test]
fn resets_within_the_rate_are_fine() {
    let config =
        Config { reset_limit: RateLimit { burst: 10, per_second: 10 }, ..Config::default() };
    let mut peer = Peer::server(config);
    for i in 0..100u32 {
        peer.advance(Duration::from_millis(150));
        peer.send_headers(1 + 2 * i, GET, false).unwrap();
        peer.send_rst(1 + 2 * i, Reason::CANCEL).unwrap();
    }
    assert!(!peer.conn.is_closed());
}

#[test]
fn refused_streams_count_towards_the_reset_budget() {
    let config = Config {
        max_concurrent_streams: 1,
        reset_limit: RateLimit { burst: 5, per_second: 1 },
        ..Config::default()
    };
    let mut peer = Peer::server(config);
    peer.send_headers(1, POST, false).unwrap();
    let mut result = Ok(());
    for i in 1..10 {
        result = peer.send_headers(1 + 2 * i, POST, false);
        if result.is_err() {
            break;
        }
    }
    peer.expect_goaway(result, Reason::ENHANCE_YOUR_CALM);
}

#[test]
fn ping_flood_is_stopped() {
    let mut peer = Peer::server(Config::default());
    let mut result = Ok(());
    for _ in 0..10_000 {
        result = peer.send_ping([0; 8]);
        if result.is_err() {
            break;
        }
    }
    let acks = peer.sent().iter().filter(|s| matches!(s, Sent::Ping { ack: true, .. })).count();
    assert_eq!(acks, 500);
    assert_eq!(result.unwrap_err().reason(), Reason::ENHANCE_YOUR_CALM);
}

#[test]
fn settings_flood_is_stopped() {
    let mut peer = Peer::server(Config::default());
    let mut result = Ok(());
    for _ in 0..10_000 {
        result = peer.send_settings(&[]);
        if result.is_err() {
            break;
        }
    }
    peer.expect_goaway(result, Reason::ENHANCE_YOUR_CALM);
}

#[test]
fn input_after_a_connection_error_is_discarded() {
    let mut peer = Peer::server(Config::default());
    let _ = peer.send_data(0, b"bad", false);
    assert!(peer.conn.is_closed());
    assert!(peer.send_headers(1, GET, true).is_err());
    assert!(peer.events().iter().all(|e| matches!(e, Event::Error(_))));
}
