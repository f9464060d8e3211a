//! One test per [`DecoderError`] variant, plus how errors interact with the table.

use super::*;

fn decode_hex(decoder: &mut Decoder, s: &str) -> Result<Vec<Header>, DecoderError> {
    decode_all(decoder, &hex(s))
}

#[test]
fn integer_overflow() {
    let mut d = Decoder::new(4096);
    assert_eq!(decode_hex(&mut d, "ff ff ff ff ff ff 0f"), Err(DecoderError::IntegerOverflow));
    let mut d = Decoder::new(4096);
    assert_eq!(decode_hex(&mut d, "ff 80 80 80 80 80 80 00"), Err(DecoderError::IntegerOverflow));
    // String length overflow.
    let mut d = Decoder::new(4096);
    assert_eq!(decode_hex(&mut d, "40 7f ff ff ff ff 7f"), Err(DecoderError::IntegerOverflow));
}

#[test]
fn truncated() {
    for block in ["ff", "40", "40 0a 63", "41", "41 05 61 62", "3f", "0f", "0f 8f"] {
        let mut d = Decoder::new(4096);
        assert_eq!(decode_hex(&mut d, block), Err(DecoderError::Truncated), "{block}");
    }
}

#[test]
fn invalid_index() {
    // Index 0, first dynamic index with an empty table, a name index past the end.
    for block in ["80", "be", "ff 00", "7e 01 61", "0f 2f 01 61"] {
        let mut d = Decoder::new(4096);
        assert_eq!(decode_hex(&mut d, block), Err(DecoderError::InvalidIndex), "{block}");
    }
    // Index 61 is the last static entry.
    let mut d = Decoder::new(4096);
    assert_eq!(decode_hex(&mut d, "bd"), Ok(vec![h("www-authenticate", "")]));
}

#[test]
fn invalid_huffman() {
    // Literal name "a" (Huffman 0x1f = 'a' + 3 bits padding), then a bad value:
    // 8 bits of padding, padding that is not ones, and EOS.
    for value in ["81 ff", "81 18", "84 ff ff ff ff"] {
        let mut d = Decoder::new(4096);
        let block = format!("00 81 1f {value}");
        assert_eq!(decode_hex(&mut d, &block), Err(DecoderError::InvalidHuffman), "{value}");
    }
    let mut d = Decoder::new(4096);
    assert_eq!(decode_hex(&mut d, "00 81 1f 81 1f"), Ok(vec![h("a", "a")]));
}

#[test]
fn table_size_update_too_large() {
    let mut d = Decoder::new(4096);
    // 4097 = 31 + 98 + 31·128.
    assert_eq!(decode_hex(&mut d, "3f e2 1f 82"), Err(DecoderError::TableSizeUpdateTooLarge));
    let mut d = Decoder::new(4096);
    assert_eq!(decode_hex(&mut d, "3f e1 1f 82"), Ok(vec![h(":method", "GET")]));
    let mut d = Decoder::new(0);
    assert_eq!(decode_hex(&mut d, "21"), Err(DecoderError::TableSizeUpdateTooLarge));
}

#[test]
fn table_size_update_not_at_start() {
    let mut d = Decoder::new(4096);
    assert_eq!(decode_hex(&mut d, "82 20"), Err(DecoderError::TableSizeUpdateNotAtStart));
    // Several updates at the start are fine.
    let mut d = Decoder::new(4096);
    assert_eq!(decode_hex(&mut d, "20 3f e1 1f 82"), Ok(vec![h(":method", "GET")]));
    // But not in a later block after fields in that block.
    assert_eq!(decode_hex(&mut d, "82 3f 01"), Err(DecoderError::TableSizeUpdateNotAtStart));
}

#[test]
fn table_size_update_missing() {
    let mut d = Decoder::new(4096);
    decode_hex(&mut d, "40 01 61 01 62").unwrap();
    d.set_max_table_size(100);
    assert_eq!(decode_hex(&mut d, "82"), Err(DecoderError::TableSizeUpdateMissing));

    let mut d = Decoder::new(4096);
    decode_hex(&mut d, "40 01 61 01 62").unwrap();
    d.set_max_table_size(100);
    // An update above the new limit is rejected; one within it satisfies the requirement.
    assert_eq!(decode_hex(&mut d, "3f 46 82"), Err(DecoderError::TableSizeUpdateTooLarge));
    let mut d = Decoder::new(4096);
    decode_hex(&mut d, "40 01 61 01 62").unwrap();
    d.set_max_table_size(100);
    assert_eq!(decode_hex(&mut d, "3f 45 be"), Ok(vec![h("a", "b")]));
    // Raising the setting again requires nothing.
    d.set_max_table_size(4096);
    assert_eq!(decode_hex(&mut d, "be"), Ok(vec![h("a", "b")]));
}

#[test]
fn header_list_too_large_keeps_table_in_sync() {
    let mut encoder = Encoder::new();
    let mut decoder = Decoder::new(4096);
    let headers = [h("x-one", "1111"), h("x-two", "2222"), h("x-three", "3333")];
    let block = encode_all(&mut encoder, &headers);
    let mut emitted = Vec::new();
    // Room for the first field (5 + 4 + 32 = 41) but not the second.
    let result = decoder.decode(&block, 60, |field| emitted.push(field));
    assert_eq!(result, Err(DecoderError::HeaderListTooLarge));
    assert!(!DecoderError::HeaderListTooLarge.is_compression_error());
    assert_eq!(emitted, [h("x-one", "1111")]);
    // All three were still inserted into the table.
    assert_eq!(table_contents(decoder.table()), table_contents(encoder.table()));
    assert_eq!(decoder.table().len(), 3);
    // The next block references those entries and decodes fine.
    let block = encode_all(&mut encoder, &headers);
    assert_eq!(block.len(), 3);
    assert_eq!(decode_all(&mut decoder, &block), Ok(headers.to_vec()));
    // The limit is inclusive.
    let total: usize = headers.iter().map(Header::hpack_size).sum();
    let block = encode_all(&mut encoder, &headers);
    assert_eq!(decoder.decode(&block, total, |_| {}), Ok(()));
}

#[test]
fn errors_display_and_classify() {
    let all = [
        DecoderError::IntegerOverflow,
        DecoderError::Truncated,
        DecoderError::InvalidIndex,
        DecoderError::InvalidHuffman,
        DecoderError::TableSizeUpdateTooLarge,
        DecoderError::TableSizeUpdateNotAtStart,
        DecoderError::TableSizeUpdateMissing,
        DecoderError::HeaderListTooLarge,
    ];
    for e in &all {
        assert!(!e.to_string().is_empty());
        assert_eq!(e.is_compression_error(), *e != DecoderError::HeaderListTooLarge);
        let _: &dyn std::error::Error = e;
    }
}
