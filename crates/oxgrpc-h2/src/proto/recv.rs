//! Receiving: frame parsing and the reaction to every frame type.

use super::fields::{self, Section};
use super::stream::{Closed, Initiator, RecvSide, SendSide, State, Stream};
use super::timer::Timer;
use super::{Connection, ConnectionError, Event, Farewell, PREFACE, PartialBlock, Phase, Role};
use crate::frame::{
    Continuation, Data, Frame, FrameError, FrameHead, GoAway, HEAD_LEN, Headers, Kind, Ping,
    RstStream, Setting, Settings, StreamId, WindowUpdate,
};
use crate::{Header, Reason};
use bytes::{Buf, Bytes, BytesMut};
use std::time::Instant;

type Result<T = ()> = std::result::Result<T, ConnectionError>;

/// A received field block went over our SETTINGS_MAX_HEADER_LIST_SIZE.
#[derive(Debug)]
struct HeaderListTooLarge;

/// A decoded field block.
type Fields = std::result::Result<Vec<Header>, HeaderListTooLarge>;

impl Connection {
    /// Processes everything in the input buffer. On a connection error,
    /// GOAWAY is queued, the error is returned and the connection is closed.
    pub fn handle_input(&mut self, now: Instant) -> Result {
        self.now = now;
        if let Some(error) = &self.error {
            self.input.clear();
            return Err(error.clone());
        }
        self.timers.anchor(now);
        let result = self.process_input();
        self.timers.anchor(now);
        if result.is_err() {
            self.input.clear();
        }
        result
    }

    fn process_input(&mut self) -> Result {
        if self.phase == Phase::Preface {
            let n = self.input.len().min(PREFACE.len());
            if self.input[..n] != PREFACE[..n] {
                return Err(self.fail(Reason::PROTOCOL_ERROR, "invalid connection preface"));
            }
            if n < PREFACE.len() {
                return Ok(());
            }
            self.input.advance(PREFACE.len());
            self.phase = Phase::FirstSettings;
        }
        while self.input.len() >= HEAD_LEN && self.phase != Phase::Closed {
            let head = FrameHead::parse(self.input[..HEAD_LEN].try_into().expect("9 bytes"));
            if head.length > self.config.max_frame_size {
                return Err(self.fail(Reason::FRAME_SIZE_ERROR, "frame larger than max frame size"));
            }
            let total = HEAD_LEN + head.length as usize;
            if self.input.len() < total {
                self.input.reserve(total - self.input.len());
                break;
            }
            self.input.advance(HEAD_LEN);
            let payload = self.input.split_to(head.length as usize).freeze();
            self.recv_frame(head, payload)?;
        }
        Ok(())
    }

    fn recv_frame(&mut self, head: FrameHead, payload: Bytes) -> Result {
        self.on_frame_received();
        if self.phase == Phase::FirstSettings {
            if head.kind != Kind::SETTINGS || head.flags & 1 != 0 {
                return Err(self.fail(Reason::PROTOCOL_ERROR, "first frame must be SETTINGS"));
            }
            self.phase = Phase::Open;
        }
        if let Some(partial) = &self.partial {
            if head.kind != Kind::CONTINUATION || head.stream_id != partial.stream_id {
                return Err(self.fail(Reason::PROTOCOL_ERROR, "expected CONTINUATION"));
            }
        }
        let frame = match Frame::decode(head, payload) {
            Ok(frame) => frame,
            Err(FrameError::Connection(reason)) => {
                return Err(self.fail(reason, "malformed frame"));
            }
            Err(FrameError::Stream(id, reason)) => return self.stream_error(id, reason),
        };
        match frame {
            Frame::Data(data) => self.recv_data(data),
            Frame::Headers(headers) => self.recv_headers(headers),
            Frame::Continuation(cont) => self.recv_continuation(cont),
            // PRIORITY is allowed in every stream state, idle included (§5.1, §6.3).
            Frame::Priority(_) => Ok(()),
            Frame::RstStream(rst) => self.recv_rst_stream(rst),
            Frame::Settings(settings) => self.recv_settings(settings),
            Frame::PushPromise { .. } => {
                Err(self.fail(Reason::PROTOCOL_ERROR, "PUSH_PROMISE while push is disabled"))
            }
            Frame::Ping(ping) => self.recv_ping(ping),
            Frame::GoAway(goaway) => self.recv_goaway(goaway),
            Frame::WindowUpdate(wu) => self.recv_window_update(wu),
            Frame::Unknown { .. } => Ok(()),
        }
    }

    /// Whether `id` has never been used by its initiator.
    fn is_idle(&self, id: StreamId) -> bool {
        match self.initiator(id) {
            Initiator::Local => id >= self.next_local_id,
            Initiator::Remote => id > self.last_remote_id,
        }
    }

    /// RST_STREAM and WINDOW_UPDATE on an idle stream are a PROTOCOL_ERROR (§5.1).
    fn reject_if_idle(&mut self, id: StreamId) -> Result {
        if self.streams.get(id).is_none() && self.is_idle(id) {
            return Err(self.fail(Reason::PROTOCOL_ERROR, "frame on idle stream"));
        }
        Ok(())
    }

    /// Resets a stream because the peer broke a rule on it. Charged to the
    /// reset budget, so a peer cannot make us reset streams without bound.
    pub(super) fn stream_error(&mut self, id: StreamId, reason: Reason) -> Result {
        self.send_reset(id, reason);
        if self.remove_stream(id, Closed::Reset).is_some() {
            self.events.push_back(Event::Reset { stream_id: id, reason, remote: false });
        } else {
            self.streams.remember_closed(id, Closed::Reset);
        }
        self.charge_reset()
    }

    fn charge_reset(&mut self) -> Result {
        if !self.reset_budget.take(self.now) {
            return Err(self.fail(Reason::ENHANCE_YOUR_CALM, "too many stream resets"));
        }
        Ok(())
    }

    fn recv_data(&mut self, data: Data) -> Result {
        let id = data.stream_id;
        if !self.recv_window.receive(data.flow_len) {
            return Err(self.fail(Reason::FLOW_CONTROL_ERROR, "connection window exceeded"));
        }
        let open = self
            .streams
            .get(id)
            .is_some_and(|s| matches!(s.state.recv(), Some(RecvSide::Body { .. })));
        self.bdp_on_data(data.flow_len, open);
        let Some(stream) = self.streams.get_mut(id) else {
            self.release_connection(data.flow_len);
            if self.is_idle(id) {
                return Err(self.fail(Reason::PROTOCOL_ERROR, "DATA on idle stream"));
            }
            if self.streams.recently_closed(id) == Some(Closed::Reset) {
                return Ok(());
            }
            return self.stream_error(id, Reason::STREAM_CLOSED);
        };
        let misuse = match stream.state.recv() {
            Some(RecvSide::Body { .. }) => None,
            Some(RecvSide::AwaitingHead) => Some(Reason::PROTOCOL_ERROR),
            None => Some(Reason::STREAM_CLOSED),
        };
        if let Some(reason) = misuse {
            self.release_connection(data.flow_len);
            return self.stream_error(id, reason);
        }
        if !stream.recv_window.receive(data.flow_len) {
            self.release_connection(data.flow_len);
            return self.stream_error(id, Reason::FLOW_CONTROL_ERROR);
        }
        let length_ok = stream
            .state
            .recv_mut()
            .is_some_and(|recv| recv.count_body(data.data.len(), data.end_stream));
        let padding = data.flow_len - data.data.len() as u32;
        if !length_ok {
            self.release_connection(data.flow_len);
            return self.stream_error(id, Reason::PROTOCOL_ERROR);
        }
        if padding > 0 {
            self.release_capacity(id, padding as usize);
        }
        if data.data.is_empty() && !data.end_stream {
            return Ok(());
        }
        if data.end_stream {
            self.close_recv(id);
        }
        self.events.push_back(Event::Data {
            stream_id: id,
            data: data.data,
            end_stream: data.end_stream,
        });
        Ok(())
    }

    fn recv_headers(&mut self, headers: Headers) -> Result {
        if headers.end_headers {
            return self.recv_field_block(headers.stream_id, headers.fragment, headers.end_stream);
        }
        if headers.fragment.len() > self.config.max_header_block_size as usize {
            return Err(self.fail(Reason::ENHANCE_YOUR_CALM, "header block too large"));
        }
        self.partial = Some(PartialBlock {
            stream_id: headers.stream_id,
            block: BytesMut::from(&headers.fragment[..]),
            end_stream: headers.end_stream,
            frames: 0,
        });
        Ok(())
    }

    fn recv_continuation(&mut self, cont: Continuation) -> Result {
        let Some(partial) = &mut self.partial else {
            return Err(self.fail(Reason::PROTOCOL_ERROR, "CONTINUATION without HEADERS"));
        };
        partial.frames += 1;
        partial.block.extend_from_slice(&cont.fragment);
        if partial.frames > self.config.max_continuation_frames
            || partial.block.len() > self.config.max_header_block_size as usize
        {
            self.partial = None;
            return Err(self.fail(Reason::ENHANCE_YOUR_CALM, "CONTINUATION flood"));
        }
        if !cont.end_headers {
            return Ok(());
        }
        let Some(partial) = self.partial.take() else { return Ok(()) };
        self.recv_field_block(partial.stream_id, partial.block.freeze(), partial.end_stream)
    }

    /// A complete field block. It is always decoded first: the HPACK table
    /// must stay in step with the peer's even when the stream is refused.
    fn recv_field_block(&mut self, id: StreamId, block: Bytes, end_stream: bool) -> Result {
        let mut fields = Vec::new();
        let limit = self.config.max_header_list_size as usize;
        let fields = match self.decoder.decode(&block, limit, |h| fields.push(h)) {
            Ok(()) => Ok(fields),
            Err(e) if e.is_compression_error() => {
                return Err(self.fail(Reason::COMPRESSION_ERROR, "HPACK decoding failed"));
            }
            Err(_) => Err(HeaderListTooLarge),
        };
        if self.streams.get(id).is_some() {
            return self.recv_headers_on_stream(id, fields, end_stream);
        }
        if self.role == Role::Server
            && self.initiator(id) == Initiator::Remote
            && id > self.last_remote_id
        {
            return self.accept_stream(id, fields, end_stream);
        }
        // Push is disabled, so no stream with an even (server-initiated) id carries HEADERS.
        let pushed = id % 2 == 0;
        if self.is_idle(id) || pushed {
            return Err(self.fail(Reason::PROTOCOL_ERROR, "HEADERS on invalid stream id"));
        }
        match self.streams.recently_closed(id) {
            Some(Closed::Reset) => Ok(()),
            Some(Closed::Ended) => self.stream_error(id, Reason::STREAM_CLOSED),
            None => Err(self.fail(Reason::PROTOCOL_ERROR, "HEADERS on closed stream")),
        }
    }

    fn accept_stream(&mut self, id: StreamId, fields: Fields, end_stream: bool) -> Result {
        self.last_remote_id = id;
        // Refused, never processed, so safe to retry: streams above our
        // final GOAWAY's last-stream-id, and those over the limit. Streams
        // opened between the two GOAWAYs of a drain are served.
        if self.refuses_new_streams()
            || self.streams.active(Initiator::Remote) >= self.config.max_concurrent_streams
        {
            return self.refuse_stream(id, Reason::REFUSED_STREAM);
        }
        let Ok(fields) = fields else {
            let response = [Header::new(":status", "431")];
            self.encode_headers(id, &response, true);
            return self.refuse_stream(id, Reason::NO_ERROR);
        };
        let checked = match fields::check(Section::Request, &fields) {
            Ok(checked) => checked,
            Err(_) => return self.refuse_stream(id, Reason::PROTOCOL_ERROR),
        };
        if end_stream && checked.content_length.is_some_and(|n| n != 0) {
            return self.refuse_stream(id, Reason::PROTOCOL_ERROR);
        }
        let recv = (!end_stream).then(|| RecvSide::body(checked.content_length));
        let state = State::new(Some(SendSide::Streaming), recv);
        let stream = Stream::new(state, self.peer.initial_window_size, self.local_initial_window);
        self.insert_stream(id, stream);
        self.events.push_back(Event::Headers { stream_id: id, fields, end_stream });
        Ok(())
    }

    /// Resets a stream the peer is opening, before it is stored; what is
    /// still in flight on it is ignored.
    fn refuse_stream(&mut self, id: StreamId, reason: Reason) -> Result {
        self.send_reset(id, reason);
        self.streams.remember_closed(id, Closed::Reset);
        self.charge_reset()
    }

    fn recv_headers_on_stream(&mut self, id: StreamId, fields: Fields, end_stream: bool) -> Result {
        let Some(stream) = self.streams.get_mut(id) else { return Ok(()) };
        let Some(recv) = stream.state.recv_mut() else {
            return self.stream_error(id, Reason::STREAM_CLOSED);
        };
        let Ok(fields) = fields else {
            return self.stream_error(id, Reason::PROTOCOL_ERROR);
        };
        if let RecvSide::Body { .. } = recv {
            if !end_stream || fields::check(Section::Trailers, &fields).is_err() {
                return self.stream_error(id, Reason::PROTOCOL_ERROR);
            }
            if !recv.body_complete() {
                return self.stream_error(id, Reason::PROTOCOL_ERROR);
            }
            self.close_recv(id);
            self.events.push_back(Event::Trailers { stream_id: id, fields });
            return Ok(());
        }
        let checked = match fields::check(Section::Response, &fields) {
            Ok(checked) => checked,
            Err(_) => return self.stream_error(id, Reason::PROTOCOL_ERROR),
        };
        if (100..200).contains(&checked.status) {
            if end_stream {
                return self.stream_error(id, Reason::PROTOCOL_ERROR);
            }
            return Ok(());
        }
        *recv = RecvSide::body(checked.content_length);
        if end_stream {
            self.close_recv(id);
        }
        self.events.push_back(Event::Headers { stream_id: id, fields, end_stream });
        Ok(())
    }

    fn recv_rst_stream(&mut self, rst: RstStream) -> Result {
        let id = rst.stream_id;
        if self.streams.get(id).is_none() {
            return self.reject_if_idle(id);
        }
        self.remove_stream(id, Closed::Ended);
        self.events.push_back(Event::Reset { stream_id: id, reason: rst.reason, remote: true });
        self.charge_reset()
    }

    fn recv_settings(&mut self, settings: Settings) -> Result {
        if settings.ack {
            self.settings_acked();
            return Ok(());
        }
        if !self.settings_budget.take(self.now) {
            return Err(self.fail(Reason::ENHANCE_YOUR_CALM, "SETTINGS flood"));
        }
        for setting in settings.values {
            match setting {
                Setting::HeaderTableSize(size) => self
                    .encoder
                    .set_max_table_size(size.min(self.config.max_encoder_table_size) as usize),
                Setting::EnablePush(push) => {
                    if push && self.role == Role::Client {
                        return Err(self.fail(Reason::PROTOCOL_ERROR, "server enabled push"));
                    }
                }
                Setting::MaxConcurrentStreams(n) => self.peer.max_concurrent_streams = n,
                Setting::InitialWindowSize(size) => self.apply_initial_window(size)?,
                Setting::MaxFrameSize(size) => self.peer.max_frame_size = size,
                Setting::MaxHeaderListSize(_) => {}
            }
        }
        Settings { ack: true, values: Vec::new() }.encode(self.output.buf());
        Ok(())
    }

    /// We queued a SETTINGS frame after the first: the peer must ack it
    /// within `settings_timeout` too. The timer runs for the oldest
    /// unacknowledged one.
    pub(super) fn settings_sent(&mut self) {
        self.settings_unacked += 1;
        if self.settings_unacked == 1 {
            self.timers.set(Timer::SettingsAck, self.now + self.config.settings_timeout);
        }
    }

    /// The peer acknowledged our oldest unacknowledged SETTINGS (acks come
    /// in order, §6.5.3); the timer moves on to the next one, if any. An
    /// ack of nothing is ignored.
    fn settings_acked(&mut self) {
        self.settings_unacked = self.settings_unacked.saturating_sub(1);
        if self.settings_unacked == 0 {
            self.timers.stop(Timer::SettingsAck);
        } else {
            self.timers.set(Timer::SettingsAck, self.now + self.config.settings_timeout);
        }
    }

    /// SETTINGS_INITIAL_WINDOW_SIZE changes every stream's send window by the delta (§6.9.2).
    fn apply_initial_window(&mut self, size: u32) -> Result {
        let delta = i64::from(size) - i64::from(self.peer.initial_window_size);
        self.peer.initial_window_size = size;
        let mut overflow = false;
        let mut unblocked = Vec::new();
        for (&id, stream) in self.streams.iter_mut() {
            let was_open = stream.send_window.is_open();
            overflow |= stream.send_window.adjust(delta).is_err();
            if !was_open && stream.send_window.is_open() && stream.has_pending_send() {
                unblocked.push(id);
            }
        }
        if overflow {
            return Err(self.fail(Reason::FLOW_CONTROL_ERROR, "window overflow from SETTINGS"));
        }
        for id in unblocked {
            self.mark_ready(id);
        }
        Ok(())
    }

    fn recv_ping(&mut self, ping: Ping) -> Result {
        if ping.ack {
            self.recv_ping_ack(ping.payload);
            return Ok(());
        }
        if !self.ping_budget.take(self.now) {
            return Err(self.fail(Reason::ENHANCE_YOUR_CALM, "PING flood"));
        }
        Ping { ack: true, payload: ping.payload }.encode(self.output.buf());
        self.enforce_ping_policy()
    }

    fn recv_goaway(&mut self, goaway: GoAway) -> Result {
        let last = goaway.last_stream_id;
        self.goaway_received = Some(self.goaway_received.map_or(last, |prev| prev.min(last)));
        for id in self.streams.ids() {
            if self.initiator(id) == Initiator::Local && id > last {
                self.remove_stream(id, Closed::Reset);
                self.events.push_back(Event::Reset {
                    stream_id: id,
                    reason: Reason::REFUSED_STREAM,
                    remote: true,
                });
            }
        }
        self.events.push_back(Event::GoAway {
            last_stream_id: last,
            reason: goaway.reason,
            debug_data: goaway.debug_data.clone(),
        });
        if goaway.reason != Reason::NO_ERROR && self.streams.is_empty() {
            let error =
                ConnectionError::Remote { reason: goaway.reason, debug_data: goaway.debug_data };
            self.close(error, Farewell::Nothing);
        }
        Ok(())
    }

    fn recv_window_update(&mut self, wu: WindowUpdate) -> Result {
        let id = wu.stream_id;
        if id == 0 {
            if wu.increment == 0 {
                return Err(self.fail(Reason::PROTOCOL_ERROR, "zero WINDOW_UPDATE increment"));
            }
            if self.send_window.adjust(i64::from(wu.increment)).is_err() {
                return Err(self.fail(Reason::FLOW_CONTROL_ERROR, "connection window overflow"));
            }
            return Ok(());
        }
        let Some(stream) = self.streams.get_mut(id) else {
            return self.reject_if_idle(id);
        };
        if wu.increment == 0 {
            return self.stream_error(id, Reason::PROTOCOL_ERROR);
        }
        let was_open = stream.send_window.is_open();
        if stream.send_window.adjust(i64::from(wu.increment)).is_err() {
            return self.stream_error(id, Reason::FLOW_CONTROL_ERROR);
        }
        if !was_open && stream.send_window.is_open() && stream.has_pending_send() {
            self.mark_ready(id);
        }
        Ok(())
    }

    /// The peer finished its side of `id`.
    fn close_recv(&mut self, id: StreamId) {
        let Some(stream) = self.streams.get_mut(id) else { return };
        stream.state.close_recv();
        if stream.state.is_closed() {
            self.remove_stream(id, Closed::Ended);
        }
    }

    /// Gives flow-control credit back for bytes that never reach the application.
    fn release_connection(&mut self, len: u32) {
        self.bdp_on_release(len);
        if let Some(increment) = self.recv_window.release(len) {
            WindowUpdate { stream_id: 0, increment }.encode(self.output.buf());
        }
    }

    /// The application consumed `len` bytes of `stream_id`'s data: the
    /// windows reopen (WINDOW_UPDATE once half a window has been consumed).
    pub fn release_capacity(&mut self, stream_id: StreamId, len: usize) {
        if self.phase == Phase::Closed || len == 0 {
            return;
        }
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        self.release_connection(len);
        let Some(stream) = self.streams.get_mut(stream_id) else { return };
        if stream.state.recv().is_none() {
            return;
        }
        if let Some(increment) = stream.recv_window.release(len) {
            WindowUpdate { stream_id, increment }.encode(self.output.buf());
        }
    }
}
