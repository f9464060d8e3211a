//! Property-style round trips driven by a small deterministic PRNG, plus the
//! encoder's behaviour on the fields gRPC sends on every call.

use super::*;

/// xorshift64*: deterministic, good enough to explore header lists.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn bytes(&mut self, max_len: usize) -> Bytes {
        let len = self.below(max_len + 1);
        let printable = self.below(2) == 0;
        (0..len)
            .map(|_| if printable { b' ' + self.below(95) as u8 } else { self.next() as u8 })
            .collect::<Vec<u8>>()
            .into()
    }
}

const NAMES: &[&str] = &[
    ":method",
    ":scheme",
    ":path",
    ":authority",
    ":status",
    "content-type",
    "te",
    "user-agent",
    "grpc-timeout",
    "grpc-status",
    "grpc-message",
    "grpc-encoding",
    "grpc-accept-encoding",
    "authorization",
    "date",
    "x-custom-bin",
    "x-request-id",
    "cookie",
];

const VALUES: &[&str] = &[
    "POST",
    "GET",
    "http",
    "https",
    "200",
    "404",
    "application/grpc",
    "trailers",
    "0",
    "",
    "gzip",
];

fn random_header(rng: &mut Rng) -> Header {
    let name: Bytes = match rng.below(4) {
        0 => rng.bytes(20),
        _ => Bytes::from_static(rng.pick(NAMES).as_bytes()),
    };
    let value: Bytes = match rng.below(8) {
        0..=3 => Bytes::from_static(rng.pick(VALUES).as_bytes()),
        4..=6 => rng.bytes(40),
        _ => rng.bytes(3000),
    };
    Header { name, value, sensitive: rng.below(10) == 0 }
}

#[test]
fn random_header_lists_round_trip() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for connection in 0..40 {
        let mut encoder = Encoder::new();
        let mut decoder = Decoder::new(4096);
        for block_no in 0..60 {
            if rng.below(8) == 0 {
                // The "peer" (decoder side) changes its advertised size, possibly several
                // times between blocks; the encoder learns every value.
                for _ in 0..=rng.below(3) {
                    let size = rng.pick(&[0, 1, 64, 256, 1000, 4096, 8192]);
                    decoder.set_max_table_size(size);
                    encoder.set_max_table_size(size);
                }
            }
            let headers: Vec<Header> =
                (0..rng.below(12)).map(|_| random_header(&mut rng)).collect();
            let block = encode_all(&mut encoder, &headers);
            let decoded = decode_all(&mut decoder, &block);
            assert_eq!(decoded, Ok(headers), "connection {connection}, block {block_no}");
            assert_eq!(table_contents(decoder.table()), table_contents(encoder.table()));
            assert!(encoder.table().size() <= encoder.table().max_size());
        }
    }
}

#[test]
fn shrink_then_grow_emits_minimum_then_final_size() {
    let mut encoder = Encoder::new();
    let mut decoder = Decoder::new(4096);
    let first = [h("x-a", "1"), h("x-b", "2")];
    decode_all(&mut decoder, &encode_all(&mut encoder, &first)).unwrap();
    assert_eq!(decoder.table().len(), 2);

    encoder.set_max_table_size(0);
    encoder.set_max_table_size(100);
    encoder.set_max_table_size(4096);
    let block = encode_all(&mut encoder, &[h("x-b", "2")]);
    // 0x20 = size 0, then 4096 (0x3f e1 1f), then x-b re-sent as a literal.
    assert_eq!(&block[..4], [0x20, 0x3f, 0xe1, 0x1f]);
    assert_eq!(decode_all(&mut decoder, &block), Ok(vec![h("x-b", "2")]));
    assert_eq!(table_contents(decoder.table()), expected_table(&[("x-b", "2")], 36));
    assert_eq!(decoder.table().max_size(), 4096);

    // No change, no update.
    encoder.set_max_table_size(4096);
    let block = encode_all(&mut encoder, &[h("x-b", "2")]);
    assert_eq!(&block[..], [0xbe]);
}

#[test]
fn single_size_change_emits_one_update() {
    let mut encoder = Encoder::new();
    encoder.set_max_table_size(1000);
    let block = encode_all(&mut encoder, &[]);
    let mut expected = BytesMut::new();
    super::super::integer::encode(1000, 5, 0x20, &mut expected);
    assert_eq!(block, expected.freeze());
    // A larger setting is not used: the encoder caps its table at 4096.
    encoder.set_max_table_size(1 << 20);
    assert_eq!(encoder.table().max_size(), 4096);
}

fn grpc_request() -> Vec<Header> {
    vec![
        h(":method", "POST"),
        h(":scheme", "http"),
        h(":path", "/helloworld.Greeter/SayHello"),
        h(":authority", "localhost:50051"),
        h("content-type", "application/grpc"),
        h("te", "trailers"),
        h("grpc-accept-encoding", "identity,deflate,gzip"),
        h("user-agent", "oxgrpc/0.1"),
        h("grpc-timeout", "1S"),
    ]
}

#[test]
fn repeated_grpc_headers_become_indexes() {
    let mut encoder = Encoder::new();
    let mut decoder = Decoder::new(4096);
    let first = encode_all(&mut encoder, &grpc_request());
    assert_eq!(decode_all(&mut decoder, &first), Ok(grpc_request()));

    let second = encode_all(&mut encoder, &grpc_request());
    assert_eq!(decode_all(&mut decoder, &second), Ok(grpc_request()));
    // :method POST and :scheme http are static (0x83, 0x86); :path is a literal without
    // indexing using the static name (0x04); the rest are one-byte dynamic indexes.
    assert_eq!(&second[..3], [0x83, 0x86, 0x04]);
    let path_len = 1 + usize::from(second[3] & 0x7f);
    let rest = &second[3 + path_len..];
    // :authority, content-type, te, grpc-accept-encoding, user-agent are dynamic (62..=66),
    // then grpc-timeout is a literal without indexing with a literal name.
    assert!(rest[..5].iter().all(|&b| (0xbe..=0xc2).contains(&b)), "{rest:02x?}");
    assert_eq!(rest[5], 0x00);
    assert!(
        decoder
            .table()
            .entries()
            .all(|e| &e.name[..] != b":path" && &e.name[..] != b"grpc-timeout")
    );

    // Responses: :status 200 static, grpc-status 0 becomes dynamic after the first time.
    let trailers = [h("grpc-status", "0")];
    let response = [h(":status", "200"), h("content-type", "application/grpc")];
    let a = encode_all(&mut encoder, &response);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0], 0x88);
    let _ = encode_all(&mut encoder, &trailers);
    let b = encode_all(&mut encoder, &trailers);
    assert_eq!(b.len(), 1);
}

#[test]
fn sensitive_fields_are_never_indexed() {
    let mut encoder = Encoder::new();
    let mut decoder = Decoder::new(4096);
    let mut auth = h("authorization", "Bearer secret-token");
    auth.sensitive = true;
    for _ in 0..2 {
        let block = encode_all(&mut encoder, std::slice::from_ref(&auth));
        // Never indexed (0001), static name index 23 → 0x1f 0x08.
        assert_eq!(&block[..2], [0x1f, 0x08]);
        assert_eq!(decode_all(&mut decoder, &block), Ok(vec![auth.clone()]));
    }
    assert_eq!(encoder.table().len(), 0);
    assert_eq!(decoder.table().len(), 0);
}

#[test]
fn long_values_are_not_indexed() {
    let mut encoder = Encoder::new();
    let long = Header::new("x-big", vec![b'a'; 2100]);
    let block = encode_all(&mut encoder, std::slice::from_ref(&long));
    assert_eq!(block[0], 0x00);
    assert_eq!(encoder.table().len(), 0);
    let mut decoder = Decoder::new(4096);
    assert_eq!(decode_all(&mut decoder, &block), Ok(vec![long]));
}

#[test]
fn dynamic_name_reuse() {
    let mut encoder = Encoder::new();
    let mut decoder = Decoder::new(4096);
    decode_all(&mut decoder, &encode_all(&mut encoder, &[h("x-trace", "1")])).unwrap();
    let block = encode_all(&mut encoder, &[h("x-trace", "2")]);
    // Incremental indexing with the dynamic name at index 62.
    assert_eq!(&block[..2], [0x40 | 0x3e, 0x01]);
    assert_eq!(decode_all(&mut decoder, &block), Ok(vec![h("x-trace", "2")]));
}

#[test]
fn plain_literals_are_zero_copy() {
    let block = hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572");
    let mut decoder = Decoder::new(4096);
    let fields = decode_all(&mut decoder, &block).unwrap();
    let range = block.as_ptr_range();
    assert!(range.contains(&fields[0].name.as_ptr()));
    assert!(range.contains(&fields[0].value.as_ptr()));
    // An indexed hit shares the table's buffer, i.e. still the block's.
    let again = decode_all(&mut decoder, &hex("be")).unwrap();
    assert!(range.contains(&again[0].value.as_ptr()));
}
