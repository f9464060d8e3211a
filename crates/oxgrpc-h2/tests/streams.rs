//! Stream states (RFC 9113 §5.1), legal and illegal transitions.

mod support;

use bytes::Bytes;
use oxgrpc_h2::{Config, Event, Header, Reason, SendError};
use support::{GET, OK, POST, Peer, Sent, fields};

fn request_event(peer: &mut Peer) -> (u32, Vec<Header>, bool) {
    match peer.events().as_slice() {
        [Event::Headers { stream_id, fields, end_stream }] => {
            (*stream_id, fields.clone(), *end_stream)
        }
        other => panic!("expected one request, got {other:?}"),
    }
}

#[test]
fn request_response_with_body_and_trailers() {
    let mut peer = Peer::server(support::fixed());
    peer.send_headers(1, POST, false).unwrap();
    let (id, head, end) = request_event(&mut peer);
    assert_eq!((id, end), (1, false));
    assert_eq!(head[2], Header::new(":path", "/echo"));
    peer.send_data(1, b"hello", true).unwrap();
    assert_eq!(
        peer.events(),
        vec![Event::Data { stream_id: 1, data: Bytes::from_static(b"hello"), end_stream: true }]
    );
    // half-closed (remote): the server still sends.
    peer.conn.send_headers(1, &fields(OK), false).unwrap();
    peer.conn.send_data(1, Bytes::from_static(b"world"), false).unwrap();
    peer.conn.send_headers(1, &fields(&[("grpc-status", "0")]), true).unwrap();
    assert_eq!(
        peer.sent(),
        vec![
            Sent::Headers {
                id: 1,
                fields: vec![(":status".into(), "200".into())],
                end_stream: false
            },
            Sent::Data { id: 1, data: Bytes::from_static(b"world"), end_stream: false },
            Sent::Headers {
                id: 1,
                fields: vec![("grpc-status".into(), "0".into())],
                end_stream: true
            },
        ]
    );
    assert_eq!(peer.conn.active_streams(), 0, "closed after both ends finished");
    assert_eq!(
        peer.conn.send_data(1, Bytes::from_static(b"x"), false),
        Err(SendError::StreamClosed)
    );
}

#[test]
fn client_half_closes_first_then_receives() {
    let mut peer = Peer::client(Config::default());
    let id = peer.conn.open_stream(&fields(POST), false).unwrap();
    assert_eq!(id, 1);
    peer.conn.send_data(id, Bytes::from_static(b"req"), true).unwrap();
    let sent = peer.sent();
    assert!(matches!(sent[0], Sent::Headers { id: 1, end_stream: false, .. }));
    assert_eq!(sent[1], Sent::Data { id: 1, data: Bytes::from_static(b"req"), end_stream: true });
    assert_eq!(peer.conn.send_data(id, Bytes::new(), true), Err(SendError::AlreadyFinished));
    peer.send_headers(1, OK, false).unwrap();
    peer.send_data(1, b"resp", false).unwrap();
    peer.send_headers(1, &[("grpc-status", "0")], true).unwrap();
    let events = peer.events();
    assert!(matches!(events[0], Event::Headers { stream_id: 1, end_stream: false, .. }));
    assert!(matches!(events[1], Event::Data { stream_id: 1, end_stream: false, .. }));
    assert!(matches!(events[2], Event::Trailers { stream_id: 1, .. }));
    assert_eq!(peer.conn.active_streams(), 0);
    assert_eq!(peer.conn.open_stream(&fields(GET), true), Ok(3));
}

#[test]
fn informational_responses_are_skipped() {
    let mut peer = Peer::client(Config::default());
    peer.conn.open_stream(&fields(GET), true).unwrap();
    peer.send_headers(1, &[(":status", "100")], false).unwrap();
    peer.send_headers(1, OK, true).unwrap();
    let events = peer.events();
    assert_eq!(events.len(), 1);
    assert!(
        matches!(&events[0], Event::Headers { fields, end_stream: true, .. } if fields[0].value == "200")
    );
}

#[test]
fn data_on_idle_stream_is_a_connection_error() {
    let mut peer = Peer::server(Config::default());
    let result = peer.send_data(5, b"x", false);
    peer.expect_goaway(result, Reason::PROTOCOL_ERROR);
}

#[test]
fn data_after_end_stream_is_stream_closed() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, GET, true).unwrap();
    peer.send_data(1, b"late", false).unwrap();
    peer.expect_rst_and_alive(1, Reason::STREAM_CLOSED);
    let events = peer.events();
    assert!(matches!(
        events.last(),
        Some(Event::Reset { stream_id: 1, reason: Reason::STREAM_CLOSED, remote: false })
    ));
}

#[test]
fn data_on_a_stream_closed_both_ways_is_stream_closed() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, GET, true).unwrap();
    peer.conn.send_headers(1, &fields(OK), true).unwrap();
    peer.sent();
    peer.send_data(1, b"late", true).unwrap();
    peer.expect_rst_and_alive(1, Reason::STREAM_CLOSED);
    // The reset is not repeated for what was in flight behind that DATA.
    peer.send_data(1, b"more", false).unwrap();
    assert_eq!(peer.sent(), vec![]);
    assert!(peer.events().iter().all(|e| matches!(e, Event::Headers { stream_id: 1, .. })));
}

#[test]
fn data_after_a_peer_reset_is_stream_closed() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.send_rst(1, Reason::CANCEL).unwrap();
    peer.events();
    peer.send_data(1, b"after its own reset", false).unwrap();
    peer.expect_rst_and_alive(1, Reason::STREAM_CLOSED);
}

#[test]
fn frames_in_flight_on_a_stream_we_reset_are_ignored() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.send_headers(1, &[("x-trailer", "1")], false).unwrap();
    peer.expect_rst_and_alive(1, Reason::PROTOCOL_ERROR);
    peer.send_data(1, b"sent before the reset arrived", false).unwrap();
    peer.send_headers(1, &[("x-trailer", "2")], true).unwrap();
    assert_eq!(peer.sent(), vec![]);
    assert!(!peer.conn.is_closed());
}

#[test]
fn client_may_not_use_even_ids() {
    let mut peer = Peer::server(Config::default());
    let result = peer.send_headers(2, GET, true);
    peer.expect_goaway(result, Reason::PROTOCOL_ERROR);
}

#[test]
fn stream_ids_must_increase() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(5, GET, false).unwrap();
    let result = peer.send_headers(3, GET, true);
    peer.expect_goaway(result, Reason::PROTOCOL_ERROR);
}

#[test]
fn headers_on_a_recently_closed_stream_are_stream_closed() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, GET, true).unwrap();
    peer.conn.send_headers(1, &fields(OK), true).unwrap();
    peer.sent();
    peer.send_headers(1, GET, true).unwrap();
    peer.expect_rst_and_alive(1, Reason::STREAM_CLOSED);
}

#[test]
fn trailers_must_end_the_stream() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.send_headers(1, &[("x-trailer", "1")], false).unwrap();
    peer.expect_rst_and_alive(1, Reason::PROTOCOL_ERROR);
}

#[test]
fn request_trailers_are_delivered() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.send_data(1, b"abc", false).unwrap();
    peer.send_headers(1, &[("x-checksum", "1")], true).unwrap();
    let events = peer.events();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2], Event::Trailers { stream_id: 1, fields: fields(&[("x-checksum", "1")]) });
}

#[test]
fn malformed_requests_are_reset_and_the_connection_survives() {
    let bad: &[&[(&str, &str)]] = &[
        &[(":method", "GET"), (":scheme", "http")],
        &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("Upper", "x")],
        &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("connection", "keep-alive")],
        &[(":method", "GET"), (":scheme", "http"), (":path", "/"), (":status", "200")],
    ];
    let mut peer = Peer::server(Config::default());
    for (i, request) in bad.iter().enumerate() {
        let id = 1 + 2 * i as u32;
        peer.send_headers(id, request, true).unwrap();
        peer.expect_rst_and_alive(id, Reason::PROTOCOL_ERROR);
    }
    assert!(peer.events().is_empty());
}

#[test]
fn content_length_mismatch_is_malformed() {
    let mut peer = Peer::server(Config::default());
    let mut head = POST.to_vec();
    head.push(("content-length", "3"));
    peer.send_headers(1, &head, false).unwrap();
    peer.send_data(1, b"four", true).unwrap();
    peer.expect_rst_and_alive(1, Reason::PROTOCOL_ERROR);
}

#[test]
fn peer_reset_is_reported_and_late_window_updates_and_resets_ignored() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.events();
    peer.send_rst(1, Reason::CANCEL).unwrap();
    assert_eq!(
        peer.events(),
        vec![Event::Reset { stream_id: 1, reason: Reason::CANCEL, remote: true }]
    );
    assert_eq!(peer.conn.send_headers(1, &fields(OK), true), Err(SendError::StreamClosed));
    peer.sent();
    peer.send_window_update(1, 10).unwrap();
    peer.send_rst(1, Reason::CANCEL).unwrap();
    assert!(peer.events().is_empty());
    assert_eq!(peer.sent(), vec![]);
    assert!(!peer.conn.is_closed());
}

#[test]
fn rst_stream_on_idle_stream_is_a_protocol_error() {
    let mut peer = Peer::server(Config::default());
    let result = peer.send_rst(7, Reason::CANCEL);
    peer.expect_goaway(result, Reason::PROTOCOL_ERROR);
}

#[test]
fn local_reset_sends_rst_stream() {
    let mut peer = Peer::client(Config::default());
    let id = peer.conn.open_stream(&fields(POST), false).unwrap();
    peer.sent();
    peer.conn.reset(id, Reason::CANCEL);
    assert_eq!(peer.sent(), vec![Sent::Rst { id, reason: Reason::CANCEL }]);
    // The server's response that crossed the reset is ignored, not
    // answered with another reset.
    peer.send_headers(id, OK, false).unwrap();
    peer.send_data(id, b"x", true).unwrap();
    assert!(peer.events().is_empty());
    assert_eq!(peer.sent(), vec![]);
}

#[test]
fn continuation_must_follow_headers_directly() {
    let mut peer = Peer::server(Config::default());
    let block = peer.encode_block(GET);
    peer.send_raw_frame(1, 0x1, 1, &block[..2]).unwrap();
    let result = peer.send_ping(*b"interrup");
    peer.expect_goaway(result, Reason::PROTOCOL_ERROR);

    let mut peer = Peer::server(Config::default());
    let result = peer.send_raw_frame(9, 0x4, 1, b"");
    peer.expect_goaway(result, Reason::PROTOCOL_ERROR);
}

#[test]
fn headers_split_over_continuations_are_assembled() {
    let mut peer = Peer::server(Config::default());
    let block = peer.encode_block(GET);
    peer.send_raw_frame(1, 0x1, 1, &block[..1]).unwrap();
    peer.send_raw_frame(9, 0, 1, &block[1..3]).unwrap();
    peer.send_raw_frame(9, 0x4, 1, &block[3..]).unwrap();
    let (id, head, end) = request_event(&mut peer);
    assert_eq!((id, end), (1, true));
    assert_eq!(head, fields(GET));
}

#[test]
fn push_promise_is_rejected() {
    let mut peer = Peer::client(Config::default());
    peer.conn.open_stream(&fields(GET), true).unwrap();
    let result = peer.send_raw_frame(5, 4, 1, &[0, 0, 0, 2]);
    peer.expect_goaway(result, Reason::PROTOCOL_ERROR);
}

#[test]
fn padded_data_is_delivered_without_padding() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.events();
    peer.send_raw_frame(0, 0x8 | 0x1, 1, &[4, b'o', b'k', 0, 0, 0, 0]).unwrap();
    assert_eq!(
        peer.events(),
        vec![Event::Data { stream_id: 1, data: Bytes::from_static(b"ok"), end_stream: true }]
    );
}

#[test]
fn server_cannot_open_streams() {
    let mut peer = Peer::server(Config::default());
    assert_eq!(peer.conn.open_stream(&fields(GET), true), Err(SendError::NotAClient));
}
