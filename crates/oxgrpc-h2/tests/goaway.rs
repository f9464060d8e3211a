//! GOAWAY in both directions with streams in flight (RFC 9113 §6.8).

mod support;

use bytes::Bytes;
use oxgrpc_h2::frame::{MAX_STREAM_ID, Ping};
use oxgrpc_h2::{Config, ConnectionError, Event, Reason, SendError};
use support::{GET, OK, POST, Peer, Sent, fields};

#[test]
fn received_goaway_refuses_newer_streams_and_lets_older_finish() {
    let mut peer = Peer::client(Config::default());
    let ids: Vec<u32> =
        (0..3).map(|_| peer.conn.open_stream(&fields(POST), false).unwrap()).collect();
    assert_eq!(ids, vec![1, 3, 5]);
    peer.sent();
    peer.send_goaway(3, Reason::NO_ERROR).unwrap();
    let events = peer.events();
    assert!(events.contains(&Event::Reset {
        stream_id: 5,
        reason: Reason::REFUSED_STREAM,
        remote: true
    }));
    assert!(events.iter().any(|e| matches!(e, Event::GoAway { last_stream_id: 3, .. })));
    assert_eq!(peer.conn.open_stream(&fields(GET), true), Err(SendError::GoingAway));
    assert!(!peer.conn.is_closed(), "streams 1 and 3 are still in flight");

    for id in [1, 3] {
        peer.conn.send_data(id, Bytes::from_static(b"x"), true).unwrap();
        peer.send_headers(id, OK, true).unwrap();
    }
    assert!(!peer.conn.is_closed(), "our END_STREAMs are still queued");
    peer.sent();
    assert!(peer.conn.is_closed(), "drained");
}

#[test]
fn sent_goaway_drains_in_flight_and_refuses_new_streams() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, POST, false).unwrap();
    peer.events();
    peer.conn.go_away(Reason::NO_ERROR, b"shutdown");
    let [Sent::GoAway { last: MAX_STREAM_ID, .. }, Sent::Ping { ack: false, payload }] =
        peer.sent()[..]
    else {
        panic!("a server drains in two steps")
    };
    peer.send_frame(|b| Ping { ack: true, payload }.encode(b)).unwrap();
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 1, reason: Reason::NO_ERROR }]);
    peer.send_headers(3, GET, true).unwrap();
    assert_eq!(peer.sent(), vec![Sent::Rst { id: 3, reason: Reason::REFUSED_STREAM }]);
    assert!(peer.events().is_empty(), "stream 3 is above last-stream-id");
    assert!(!peer.conn.is_closed());
    peer.send_data(1, b"body", true).unwrap();
    peer.conn.send_headers(1, &fields(OK), true).unwrap();
    assert!(peer.conn.is_closed());
}

#[test]
fn goaway_with_an_error_and_no_streams_closes() {
    let mut peer = Peer::client(Config::default());
    peer.send_goaway(0, Reason::ENHANCE_YOUR_CALM).unwrap();
    assert!(peer.conn.is_closed());
    let events = peer.events();
    assert!(
        matches!(events.last(), Some(Event::Error(e)) if e.reason() == Reason::ENHANCE_YOUR_CALM)
    );
}

#[test]
fn an_error_goaway_is_not_answered_with_one() {
    let mut peer = Peer::client(Config::default());
    peer.send_frame(|b| {
        oxgrpc_h2::frame::GoAway {
            last_stream_id: 0,
            reason: Reason::PROTOCOL_ERROR,
            debug_data: Bytes::from_static(b"bad"),
        }
        .encode(b)
    })
    .unwrap();
    assert!(peer.conn.is_closed());
    assert_eq!(
        peer.conn.error(),
        Some(&ConnectionError::Remote {
            reason: Reason::PROTOCOL_ERROR,
            debug_data: Bytes::from_static(b"bad")
        })
    );
    assert_eq!(peer.sent(), vec![], "the error is the peer's: no GOAWAY of ours reports it");
    assert_eq!(peer.conn.poll_timeout(), None);
}

#[test]
fn connection_error_goaway_names_the_last_processed_stream() {
    let mut peer = Peer::server(Config::default());
    peer.send_headers(1, GET, true).unwrap();
    peer.send_headers(3, GET, true).unwrap();
    peer.sent();
    let _ = peer.send_data(0, b"x", false);
    assert_eq!(peer.sent(), vec![Sent::GoAway { last: 3, reason: Reason::PROTOCOL_ERROR }]);
}
