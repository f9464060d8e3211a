//! Frame decoding and the whole engine input path: arbitrary bytes must
//! never panic, and a connection must stay within its limits.

use bytes::Bytes;
use oxgrpc_h2::frame::{Frame, FrameHead, HEAD_LEN};
use oxgrpc_h2::{Config, Connection, Event, Header, PREFACE};
use std::time::{Duration, Instant};

/// One fuzz input.
pub fn run(data: &[u8]) {
    // 1. One frame, decoded directly.
    if data.len() >= HEAD_LEN {
        let mut head = FrameHead::parse(data[..HEAD_LEN].try_into().unwrap());
        let payload = Bytes::copy_from_slice(&data[HEAD_LEN..]);
        head.length = payload.len() as u32;
        let _ = Frame::decode(head, payload);
    }

    // 2. The bytes as a peer's input to a server and to a client, fed in
    //    chunks whose size the first byte picks; every request is answered.
    let Some((&split, rest)) = data.split_first() else { return };
    let chunk = usize::from(split % 64) + 1;
    let config = Config { max_concurrent_streams: 8, ..Config::default() };
    let start = Instant::now();
    let mut server = Connection::server(config.clone(), start);
    let _ = server.recv(PREFACE, start);
    let mut client = Connection::client(config, start);
    let _ = client.open_stream(
        &[
            Header::new(":method", "POST"),
            Header::new(":scheme", "http"),
            Header::new(":path", "/"),
        ],
        false,
    );
    let mut out = Vec::new();
    for (i, piece) in rest.chunks(chunk).enumerate() {
        let now = start + Duration::from_millis(i as u64);
        for conn in [&mut server, &mut client] {
            let _ = conn.recv(piece, now);
            while let Some(event) = conn.poll_event() {
                match event {
                    Event::Headers { stream_id, .. } => {
                        let _ =
                            conn.send_headers(stream_id, &[Header::new(":status", "200")], false);
                        let _ = conn.send_data(stream_id, Bytes::from_static(b"reply"), true);
                    }
                    Event::Data { stream_id, data, .. } => {
                        conn.release_capacity(stream_id, data.len())
                    }
                    _ => {}
                }
            }
            conn.transmit(&mut out);
            out.clear();
            assert!(conn.active_streams() <= 9);
        }
    }
}
