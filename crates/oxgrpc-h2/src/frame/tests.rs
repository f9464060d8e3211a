use super::*;
use bytes::BytesMut;

fn raw(kind: u8, flags: u8, stream_id: u32, payload: &[u8]) -> Result<Frame, FrameError> {
    let head = FrameHead { length: payload.len() as u32, kind: Kind(kind), flags, stream_id };
    Frame::decode(head, Bytes::copy_from_slice(payload))
}

fn roundtrip(encode: impl FnOnce(&mut BytesMut)) -> Frame {
    let mut buf = BytesMut::new();
    encode(&mut buf);
    let head = FrameHead::parse(buf[..HEAD_LEN].try_into().unwrap());
    let payload = buf.split_off(HEAD_LEN).freeze();
    assert_eq!(head.length as usize, payload.len());
    Frame::decode(head, payload).unwrap()
}

const CONN_PROTOCOL: FrameError = FrameError::Connection(Reason::PROTOCOL_ERROR);
const CONN_SIZE: FrameError = FrameError::Connection(Reason::FRAME_SIZE_ERROR);

#[test]
fn head_ignores_reserved_bit() {
    let head = FrameHead::parse(&[0, 0, 4, 8, 0, 0x80, 0, 0, 1]);
    assert_eq!(head, FrameHead { length: 4, kind: Kind::WINDOW_UPDATE, flags: 0, stream_id: 1 });
}

#[test]
fn data_padding_is_stripped_and_counted() {
    let frame = raw(0, flags::PADDED | flags::END_STREAM, 1, &[3, b'h', b'i', 0, 0, 0]).unwrap();
    let Frame::Data(data) = frame else { panic!("not data") };
    assert_eq!(&data.data[..], b"hi");
    assert!(data.end_stream);
    assert_eq!(data.flow_len, 6);
}

#[test]
fn padding_longer_than_payload_is_protocol_error() {
    assert_eq!(raw(0, flags::PADDED, 1, &[5, 1, 2]), Err(CONN_PROTOCOL));
    assert_eq!(raw(0, flags::PADDED, 1, &[]), Err(CONN_SIZE));
    assert_eq!(raw(1, flags::PADDED, 1, &[1]), Err(CONN_PROTOCOL));
}

#[test]
fn stream_zero_is_rejected_where_required() {
    for kind in [0u8, 1, 2, 3, 9] {
        assert_eq!(raw(kind, 0, 0, &[0, 0, 0, 0, 0]), Err(CONN_PROTOCOL), "kind {kind}");
    }
}

#[test]
fn connection_frames_on_a_stream_are_rejected() {
    assert_eq!(raw(4, 0, 1, &[]), Err(CONN_PROTOCOL));
    assert_eq!(raw(6, 0, 1, &[0; 8]), Err(CONN_PROTOCOL));
    assert_eq!(raw(7, 0, 1, &[0; 8]), Err(CONN_PROTOCOL));
}

#[test]
fn fixed_size_frames_check_their_length() {
    assert_eq!(raw(6, 0, 0, &[0; 7]), Err(CONN_SIZE));
    assert_eq!(raw(3, 0, 1, &[0; 5]), Err(CONN_SIZE));
    assert_eq!(raw(8, 0, 1, &[0; 3]), Err(CONN_SIZE));
    assert_eq!(raw(7, 0, 0, &[0; 7]), Err(CONN_SIZE));
    assert_eq!(raw(2, 0, 1, &[0; 4]), Err(FrameError::Stream(1, Reason::FRAME_SIZE_ERROR)));
    assert_eq!(raw(4, flags::ACK, 0, &[0; 6]), Err(CONN_SIZE));
    assert_eq!(raw(4, 0, 0, &[0; 5]), Err(CONN_SIZE));
}

#[test]
fn settings_values_are_validated() {
    let setting = |id: u16, v: u32| {
        let mut p = id.to_be_bytes().to_vec();
        p.extend_from_slice(&v.to_be_bytes());
        raw(4, 0, 0, &p)
    };
    assert_eq!(setting(2, 2), Err(CONN_PROTOCOL));
    assert_eq!(setting(4, 1 << 31), Err(FrameError::Connection(Reason::FLOW_CONTROL_ERROR)));
    assert_eq!(setting(5, 16383), Err(CONN_PROTOCOL));
    assert_eq!(setting(5, 1 << 24), Err(CONN_PROTOCOL));
    assert_eq!(setting(0x99, 7), Ok(Frame::Settings(Settings::default())));
    let ok = setting(4, (1 << 31) - 1).unwrap();
    assert_eq!(
        ok,
        Frame::Settings(Settings {
            ack: false,
            values: vec![Setting::InitialWindowSize((1 << 31) - 1)]
        })
    );
}

#[test]
fn headers_with_priority_and_padding() {
    let payload = [2, 0x80, 0, 0, 3, 15, b'a', b'b', 0, 0];
    let frame = raw(1, flags::PADDED | flags::PRIORITY | flags::END_HEADERS, 1, &payload).unwrap();
    let Frame::Headers(h) = frame else { panic!("not headers") };
    assert_eq!(&h.fragment[..], b"ab");
    assert!(h.end_headers && !h.end_stream);
    assert_eq!(raw(1, flags::PRIORITY, 1, &[0, 0, 0]), Err(CONN_SIZE));
    assert_eq!(
        raw(1, flags::PRIORITY, 3, &[0, 0, 0, 3, 0]),
        Err(FrameError::Stream(3, Reason::PROTOCOL_ERROR))
    );
}

#[test]
fn headers_split_into_continuations() {
    let block: Vec<u8> = (0..40u8).collect();
    let mut buf = BytesMut::new();
    Headers::encode(5, &block, true, 16, &mut buf);
    let mut collected = Vec::new();
    let mut kinds = Vec::new();
    while !buf.is_empty() {
        let head = FrameHead::parse(buf[..HEAD_LEN].try_into().unwrap());
        let _ = buf.split_to(HEAD_LEN);
        let payload = buf.split_to(head.length as usize).freeze();
        kinds.push((head.kind, head.flags));
        match Frame::decode(head, payload).unwrap() {
            Frame::Headers(h) => collected.extend_from_slice(&h.fragment),
            Frame::Continuation(c) => collected.extend_from_slice(&c.fragment),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(collected, block);
    assert_eq!(
        kinds,
        vec![
            (Kind::HEADERS, flags::END_STREAM),
            (Kind::CONTINUATION, 0),
            (Kind::CONTINUATION, flags::END_HEADERS)
        ]
    );
}

#[test]
fn control_frames_roundtrip() {
    let ping = Ping { ack: true, payload: *b"abcdefgh" };
    assert_eq!(roundtrip(|b| ping.encode(b)), Frame::Ping(ping));
    let rst = RstStream { stream_id: 7, reason: Reason::CANCEL };
    assert_eq!(roundtrip(|b| rst.encode(b)), Frame::RstStream(rst));
    let wu = WindowUpdate { stream_id: 0, increment: 1000 };
    assert_eq!(roundtrip(|b| wu.encode(b)), Frame::WindowUpdate(wu));
    let ga = GoAway {
        last_stream_id: 9,
        reason: Reason::ENHANCE_YOUR_CALM,
        debug_data: Bytes::from_static(b"calm"),
    };
    assert_eq!(roundtrip(|b| ga.encode(b)), Frame::GoAway(ga));
}

#[test]
fn unknown_frames_are_preserved_for_ignoring() {
    assert_eq!(raw(0xfa, 0xff, 3, b"x"), Ok(Frame::Unknown { kind: 0xfa, stream_id: 3 }));
}
