//! A message that is only its encoded bytes: what the CLI sends and
//! receives, since its types are known at run time, not compile time.

use bytes::{Buf, BufMut, Bytes};
use prost::DecodeError;
use prost::encoding::{DecodeContext, WireType};

/// Encoded protobuf bytes, passed through the typed client API untouched.
///
/// Decoding takes the whole buffer (no field is parsed: the CLI decodes
/// with a descriptor afterwards, and `bench` never needs to).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RawMessage(pub(crate) Bytes);

impl prost::Message for RawMessage {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        buf.put_slice(&self.0);
    }

    fn merge(&mut self, mut buf: impl Buf) -> Result<(), DecodeError> {
        let len = buf.remaining();
        self.0 = buf.copy_to_bytes(len);
        Ok(())
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        // `merge` takes the whole buffer, so this runs only if prost's
        // length-delimited path is used, which the client never does.
        prost::encoding::skip_field(wire_type, tag, buf, ctx)
    }

    fn encoded_len(&self) -> usize {
        self.0.len()
    }

    fn clear(&mut self) {
        self.0 = Bytes::new();
    }
}

#[cfg(test)]
mod tests {
    use super::RawMessage;
    use prost::Message;

    #[test]
    fn bytes_pass_through_both_ways() {
        let original = prost_types::Duration { seconds: 3, nanos: 7 };
        let raw = RawMessage::decode(original.encode_to_vec().as_slice()).unwrap();
        assert_eq!(raw.encoded_len(), original.encoded_len());
        let back = prost_types::Duration::decode(raw.encode_to_vec().as_slice()).unwrap();
        assert_eq!(back, original);
    }
}
