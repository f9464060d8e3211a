//! Every example of RFC 7541 Appendix C (C.1 lives in `integer.rs`): each block is
//! decoded and checked together with the dynamic table afterwards, and the
//! encoder (set up to make the RFC's choices) must reproduce the bytes exactly.

use super::*;

/// One step of an example: the block, the fields it carries, and the dynamic
/// table (newest first) and its size afterwards.
struct Step {
    block: &'static str,
    headers: Vec<Header>,
    table: &'static [(&'static str, &'static str)],
    size: usize,
}

/// Runs a sequence of blocks through one decoder and one encoder.
///
/// `table_size` other than 4096 is announced by the encoder with a size update
/// in front of the first block, which the RFC examples leave out.
fn run(steps: Vec<Step>, table_size: usize, huffman: bool, index_everything: bool) {
    let mut decoder = Decoder::new(table_size);
    let mut encoder = Encoder::with_options(huffman, index_everything);
    let mut update = Bytes::new();
    if table_size != 4096 {
        encoder.set_max_table_size(table_size);
        let mut dst = BytesMut::new();
        super::super::integer::encode(table_size, 5, 0x20, &mut dst);
        update = dst.freeze();
    }
    for (i, step) in steps.into_iter().enumerate() {
        let block = hex(step.block);
        assert_eq!(decode_all(&mut decoder, &block), Ok(step.headers.clone()), "step {i}");
        assert_eq!(
            table_contents(decoder.table()),
            expected_table(step.table, step.size),
            "step {i}"
        );

        let encoded = encode_all(&mut encoder, &step.headers);
        let encoded = if i == 0 { encoded.slice(update.len()..) } else { encoded };
        assert_eq!(encoded, block, "step {i}: encoder output differs");
        assert_eq!(table_contents(encoder.table()), expected_table(step.table, step.size));
    }
}

/// C.2.1: literal header field with indexing.
#[test]
fn c_2_1() {
    let block = "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572";
    let step = Step {
        block,
        headers: vec![h("custom-key", "custom-header")],
        table: &[("custom-key", "custom-header")],
        size: 55,
    };
    run(vec![step], 4096, false, false);
}

/// C.2.2: literal header field without indexing (`:path` is never indexed by our encoder either).
#[test]
fn c_2_2() {
    let block = "040c 2f73 616d 706c 652f 7061 7468";
    let step = Step { block, headers: vec![h(":path", "/sample/path")], table: &[], size: 0 };
    run(vec![step], 4096, false, false);
}

/// C.2.3: literal header field never indexed; the decoder marks it sensitive.
#[test]
fn c_2_3() {
    let block = "1008 7061 7373 776f 7264 0673 6563 7265 74";
    let mut password = h("password", "secret");
    password.sensitive = true;
    let step = Step { block, headers: vec![password], table: &[], size: 0 };
    run(vec![step], 4096, false, false);
}

/// C.2.4: indexed header field.
#[test]
fn c_2_4() {
    let step = Step { block: "82", headers: vec![h(":method", "GET")], table: &[], size: 0 };
    run(vec![step], 4096, false, false);
}

fn request_steps(blocks: [&'static str; 3]) -> Vec<Step> {
    vec![
        Step {
            block: blocks[0],
            headers: vec![
                h(":method", "GET"),
                h(":scheme", "http"),
                h(":path", "/"),
                h(":authority", "www.example.com"),
            ],
            table: &[(":authority", "www.example.com")],
            size: 57,
        },
        Step {
            block: blocks[1],
            headers: vec![
                h(":method", "GET"),
                h(":scheme", "http"),
                h(":path", "/"),
                h(":authority", "www.example.com"),
                h("cache-control", "no-cache"),
            ],
            table: &[("cache-control", "no-cache"), (":authority", "www.example.com")],
            size: 110,
        },
        Step {
            block: blocks[2],
            headers: vec![
                h(":method", "GET"),
                h(":scheme", "https"),
                h(":path", "/index.html"),
                h(":authority", "www.example.com"),
                h("custom-key", "custom-value"),
            ],
            table: &[
                ("custom-key", "custom-value"),
                ("cache-control", "no-cache"),
                (":authority", "www.example.com"),
            ],
            size: 164,
        },
    ]
}

/// C.3.1–C.3.3: requests without Huffman coding.
#[test]
fn c_3() {
    let blocks = [
        "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "8286 84be 5808 6e6f 2d63 6163 6865",
        "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
    ];
    run(request_steps(blocks), 4096, false, false);
}

/// C.4.1–C.4.3: requests with Huffman coding.
#[test]
fn c_4() {
    let blocks = [
        "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
        "8286 84be 5886 a8eb 1064 9cbf",
        "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
    ];
    run(request_steps(blocks), 4096, true, false);
}

const DATE_21: &str = "Mon, 21 Oct 2013 20:13:21 GMT";
const DATE_22: &str = "Mon, 21 Oct 2013 20:13:22 GMT";
const LOCATION: &str = "https://www.example.com";
const COOKIE: &str = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

fn response_steps(blocks: [&'static str; 3]) -> Vec<Step> {
    vec![
        Step {
            block: blocks[0],
            headers: vec![
                h(":status", "302"),
                h("cache-control", "private"),
                h("date", DATE_21),
                h("location", LOCATION),
            ],
            table: &[
                ("location", LOCATION),
                ("date", DATE_21),
                ("cache-control", "private"),
                (":status", "302"),
            ],
            size: 222,
        },
        Step {
            block: blocks[1],
            headers: vec![
                h(":status", "307"),
                h("cache-control", "private"),
                h("date", DATE_21),
                h("location", LOCATION),
            ],
            table: &[
                (":status", "307"),
                ("location", LOCATION),
                ("date", DATE_21),
                ("cache-control", "private"),
            ],
            size: 222,
        },
        Step {
            block: blocks[2],
            headers: vec![
                h(":status", "200"),
                h("cache-control", "private"),
                h("date", DATE_22),
                h("location", LOCATION),
                h("content-encoding", "gzip"),
                h("set-cookie", COOKIE),
            ],
            table: &[("set-cookie", COOKIE), ("content-encoding", "gzip"), ("date", DATE_22)],
            size: 215,
        },
    ]
}

/// C.5.1–C.5.3: responses without Huffman coding, 256-byte table with eviction.
#[test]
fn c_5() {
    let blocks = [
        "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
         2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
         6c65 2e63 6f6d",
        "4803 3330 37c1 c0bf",
        "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
         54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
         5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
         3d31",
    ];
    run(response_steps(blocks), 256, false, true);
}

/// C.6.1–C.6.3: responses with Huffman coding, 256-byte table with eviction.
#[test]
fn c_6() {
    let blocks = [
        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
         2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        "4883 640e ffc1 c0bf",
        "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
         77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
         9587 3160 65c0 03ed 4ee5 b106 3d50 07",
    ];
    run(response_steps(blocks), 256, true, true);
}

/// The default encoder keeps `date` out of the table; its output still decodes to
/// the same fields as the RFC's responses.
#[test]
fn responses_with_default_policy_round_trip() {
    let mut encoder = Encoder::new();
    encoder.set_max_table_size(256);
    let mut decoder = Decoder::new(256);
    for step in response_steps(["", "", ""]) {
        let block = encode_all(&mut encoder, &step.headers);
        assert_eq!(decode_all(&mut decoder, &block), Ok(step.headers));
        assert_eq!(table_contents(decoder.table()), table_contents(encoder.table()));
        assert!(decoder.table().entries().all(|e| &e.name[..] != b"date"));
    }
}
