//! SETTINGS frames (RFC 9113 §6.5).

use super::{
    DEFAULT_MAX_FRAME_SIZE, FrameError, FrameHead, Kind, MAX_MAX_FRAME_SIZE, MAX_WINDOW_SIZE, flags,
};
use crate::Reason;
use bytes::{BufMut, BytesMut};

/// One known setting with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// SETTINGS_HEADER_TABLE_SIZE (0x1).
    HeaderTableSize(u32),
    /// SETTINGS_ENABLE_PUSH (0x2).
    EnablePush(bool),
    /// SETTINGS_MAX_CONCURRENT_STREAMS (0x3).
    MaxConcurrentStreams(u32),
    /// SETTINGS_INITIAL_WINDOW_SIZE (0x4).
    InitialWindowSize(u32),
    /// SETTINGS_MAX_FRAME_SIZE (0x5).
    MaxFrameSize(u32),
    /// SETTINGS_MAX_HEADER_LIST_SIZE (0x6).
    MaxHeaderListSize(u32),
}

impl Setting {
    fn id_value(self) -> (u16, u32) {
        match self {
            Setting::HeaderTableSize(v) => (0x1, v),
            Setting::EnablePush(v) => (0x2, v as u32),
            Setting::MaxConcurrentStreams(v) => (0x3, v),
            Setting::InitialWindowSize(v) => (0x4, v),
            Setting::MaxFrameSize(v) => (0x5, v),
            Setting::MaxHeaderListSize(v) => (0x6, v),
        }
    }

    /// Decodes one setting; unknown identifiers give `Ok(None)` and are ignored.
    fn decode(id: u16, value: u32) -> Result<Option<Setting>, FrameError> {
        let conn = FrameError::Connection;
        Ok(Some(match id {
            0x1 => Setting::HeaderTableSize(value),
            0x2 => match value {
                0 | 1 => Setting::EnablePush(value == 1),
                _ => return Err(conn(Reason::PROTOCOL_ERROR)),
            },
            0x3 => Setting::MaxConcurrentStreams(value),
            0x4 if value > MAX_WINDOW_SIZE => return Err(conn(Reason::FLOW_CONTROL_ERROR)),
            0x4 => Setting::InitialWindowSize(value),
            0x5 if !(DEFAULT_MAX_FRAME_SIZE..=MAX_MAX_FRAME_SIZE).contains(&value) => {
                return Err(conn(Reason::PROTOCOL_ERROR));
            }
            0x5 => Setting::MaxFrameSize(value),
            0x6 => Setting::MaxHeaderListSize(value),
            _ => return Ok(None),
        }))
    }
}

/// A SETTINGS frame: either an acknowledgement or a list of settings.
///
/// ```
/// use oxgrpc_h2::frame::{Frame, FrameHead, Setting, Settings};
/// let settings = Settings { ack: false, values: vec![Setting::MaxConcurrentStreams(100)] };
/// let mut buf = bytes::BytesMut::new();
/// settings.encode(&mut buf);
/// let head = FrameHead::parse(buf[..9].try_into().unwrap());
/// let payload = buf.split_off(9).freeze();
/// assert_eq!(Frame::decode(head, payload).unwrap(), Frame::Settings(settings));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    /// ACK flag.
    pub ack: bool,
    /// The settings, in the order they appeared.
    pub values: Vec<Setting>,
}

impl Settings {
    pub(super) fn decode(head: FrameHead, payload: &[u8]) -> Result<Settings, FrameError> {
        if head.stream_id != 0 {
            return Err(FrameError::Connection(Reason::PROTOCOL_ERROR));
        }
        let ack = head.has(flags::ACK);
        if ack {
            if !payload.is_empty() {
                return Err(FrameError::Connection(Reason::FRAME_SIZE_ERROR));
            }
            return Ok(Settings { ack, values: Vec::new() });
        }
        if payload.len() % 6 != 0 {
            return Err(FrameError::Connection(Reason::FRAME_SIZE_ERROR));
        }
        let mut values = Vec::with_capacity(payload.len() / 6);
        for chunk in payload.chunks_exact(6) {
            let id = u16::from_be_bytes([chunk[0], chunk[1]]);
            let value = u32::from_be_bytes([chunk[2], chunk[3], chunk[4], chunk[5]]);
            if let Some(setting) = Setting::decode(id, value)? {
                values.push(setting);
            }
        }
        Ok(Settings { ack, values })
    }

    /// Appends the encoded frame to `dst`.
    pub fn encode(&self, dst: &mut BytesMut) {
        let flags = if self.ack { flags::ACK } else { 0 };
        let length = 6 * self.values.len() as u32;
        FrameHead { length, kind: Kind::SETTINGS, flags, stream_id: 0 }.encode(dst);
        for setting in &self.values {
            let (id, value) = setting.id_value();
            dst.put_u16(id);
            dst.put_u32(value);
        }
    }
}
