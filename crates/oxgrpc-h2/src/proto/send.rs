//! Sending: opening streams, headers, queued DATA and its scheduling.
//!
//! DATA is queued per stream and only framed in [`Connection::transmit`],
//! round-robin over the streams that have both data and window, so one
//! large body cannot starve the others and flow control is applied at the
//! last moment. Trailers wait behind their stream's queued data; HPACK
//! encoding happens when a block is put in the output, so the peer's
//! decoder sees blocks in the order our encoder produced them.

use super::stream::{Closed, RecvSide, SendEnd, SendSide, State, Stream};
use super::{Connection, Phase, Role, SendError};
use crate::frame::{Data, Headers, MAX_STREAM_ID, RstStream, StreamId};
use crate::{Header, Reason};
use bytes::Bytes;

/// How much one stream may put into the output before the next stream's turn.
const QUANTUM: usize = 64 * 1024;

impl Connection {
    /// Opens a stream with a request head (client role) and returns its id.
    pub fn open_stream(
        &mut self,
        fields: &[Header],
        end_stream: bool,
    ) -> Result<StreamId, SendError> {
        if self.role != Role::Client {
            return Err(SendError::NotAClient);
        }
        if self.phase == Phase::Closed {
            return Err(SendError::ConnectionClosed);
        }
        if !self.can_open_stream() {
            let exhausted = self.next_local_id > MAX_STREAM_ID;
            if self.goaway_sent.is_some() || self.goaway_received.is_some() || exhausted {
                return Err(SendError::GoingAway);
            }
            return Err(SendError::ConcurrencyLimit);
        }
        let id = self.next_local_id;
        self.next_local_id += 2;
        let send = (!end_stream).then_some(SendSide::Streaming);
        let state = State::new(send, Some(RecvSide::AwaitingHead));
        let stream = Stream::new(state, self.peer.initial_window_size, self.local_initial_window);
        self.insert_stream(id, stream);
        self.encode_headers(id, fields, end_stream);
        Ok(id)
    }

    /// Sends a head (server response) or trailers. Trailers must end the
    /// stream and are sent after the data already queued.
    pub fn send_headers(
        &mut self,
        stream_id: StreamId,
        fields: &[Header],
        end_stream: bool,
    ) -> Result<(), SendError> {
        let stream = self.sendable(stream_id)?;
        if stream.has_pending_send() {
            if !end_stream {
                return Err(SendError::AlreadyFinished);
            }
            stream.finish_sending(SendEnd::Trailers(fields.to_vec()));
            self.mark_ready(stream_id);
            return Ok(());
        }
        self.encode_headers(stream_id, fields, end_stream);
        if end_stream {
            self.close_send(stream_id);
        }
        Ok(())
    }

    /// Queues body bytes; with `end_stream` the send side ends after them.
    pub fn send_data(
        &mut self,
        stream_id: StreamId,
        data: Bytes,
        end_stream: bool,
    ) -> Result<(), SendError> {
        let stream = self.sendable(stream_id)?;
        if !data.is_empty() {
            stream.queued += data.len();
            stream.send_queue.push_back(data);
        }
        if end_stream {
            stream.finish_sending(SendEnd::EndStream);
        }
        if stream.has_pending_send()
            && (stream.send_window.is_open() || stream.send_queue.is_empty())
        {
            self.mark_ready(stream_id);
        }
        Ok(())
    }

    /// Bytes queued on a stream and not yet framed: a sender should wait
    /// while this is high (back-pressure from the peer's window).
    pub fn queued_data(&self, stream_id: StreamId) -> usize {
        self.streams.get(stream_id).map_or(0, |s| s.queued)
    }

    /// Whether the stream is still open in either direction.
    pub fn is_stream_open(&self, stream_id: StreamId) -> bool {
        self.streams.get(stream_id).is_some()
    }

    /// Resets a stream (RST_STREAM); nothing more is sent or received on it.
    pub fn reset(&mut self, stream_id: StreamId, reason: Reason) {
        if self.phase == Phase::Closed || self.streams.get(stream_id).is_none() {
            return;
        }
        self.send_reset(stream_id, reason);
        self.remove_stream(stream_id, Closed::Reset);
    }

    fn sendable(&mut self, stream_id: StreamId) -> Result<&mut Stream, SendError> {
        if self.phase == Phase::Closed {
            return Err(SendError::ConnectionClosed);
        }
        let stream = self.streams.get_mut(stream_id).ok_or(SendError::StreamClosed)?;
        if !matches!(stream.state.send(), Some(SendSide::Streaming)) {
            return Err(SendError::AlreadyFinished);
        }
        Ok(stream)
    }

    /// HPACK-encodes a field block straight into the output.
    pub(super) fn encode_headers(&mut self, id: StreamId, fields: &[Header], end_stream: bool) {
        self.scratch.clear();
        self.encoder.encode(fields, &mut self.scratch);
        let max = self.peer.max_frame_size as usize;
        Headers::encode(id, &self.scratch, end_stream, max, self.output.buf());
        self.ping_strikes.reset();
    }

    pub(super) fn send_reset(&mut self, stream_id: StreamId, reason: Reason) {
        RstStream { stream_id, reason }.encode(self.output.buf());
    }

    /// Adds a stream that was just opened, by either side.
    pub(super) fn insert_stream(&mut self, id: StreamId, stream: Stream) {
        self.streams.insert(id, stream);
        self.on_stream_opened();
    }

    /// Drops a stream that closed `how` from the table; returns it if it
    /// was there.
    pub(super) fn remove_stream(&mut self, id: StreamId, how: Closed) -> Option<Stream> {
        let stream = self.streams.remove(id, how)?;
        self.on_stream_closed();
        Some(stream)
    }

    pub(super) fn mark_ready(&mut self, id: StreamId) {
        if let Some(stream) = self.streams.get_mut(id) {
            if !stream.in_ready_queue {
                stream.in_ready_queue = true;
                self.ready.push_back(id);
            }
        }
    }

    /// Our END_STREAM on `id` is in the output; returns how the application
    /// had ended the side, if it was waiting behind queued data.
    fn close_send(&mut self, id: StreamId) -> Option<SendEnd> {
        let stream = self.streams.get_mut(id)?;
        let send = stream.state.close_send();
        if stream.state.is_closed() {
            self.remove_stream(id, Closed::Ended);
        }
        match send? {
            SendSide::Finishing(end) => Some(end),
            SendSide::Streaming => None,
        }
    }

    /// Frames queued DATA (and deferred trailers) into the output.
    pub(super) fn schedule_data(&mut self) {
        while self.send_window.is_open() || self.ready_front_needs_no_window() {
            let Some(id) = self.ready.pop_front() else { break };
            let Some(stream) = self.streams.get_mut(id) else { continue };
            stream.in_ready_queue = false;
            let mut budget = QUANTUM;
            let max_frame = self.peer.max_frame_size as usize;
            while let Some(front) = stream.send_queue.front_mut() {
                let window = stream.send_window.available().min(self.send_window.available());
                if window == 0 || budget == 0 {
                    break;
                }
                let n = front.len().min(max_frame).min(window).min(budget);
                let chunk = if n == front.len() {
                    stream.send_queue.pop_front().unwrap_or_default()
                } else {
                    front.split_to(n)
                };
                stream.queued -= n;
                stream.send_window.consume(n);
                self.send_window.consume(n);
                budget -= n;
                let end = stream.send_queue.is_empty()
                    && matches!(stream.state.send(), Some(SendSide::Finishing(SendEnd::EndStream)));
                Data::encode_head(id, n, end, self.output.buf());
                self.output.push_payload(chunk);
                self.ping_strikes.reset();
                if end {
                    self.close_send(id);
                    break;
                }
            }
            let Some(stream) = self.streams.get_mut(id) else { continue };
            if !stream.send_queue.is_empty() {
                if stream.send_window.is_open() {
                    stream.in_ready_queue = true;
                    self.ready.push_back(id);
                }
                continue;
            }
            if !matches!(stream.state.send(), Some(SendSide::Finishing(_))) {
                continue;
            }
            match self.close_send(id) {
                Some(SendEnd::EndStream) => {
                    Data::encode_head(id, 0, true, self.output.buf());
                    self.ping_strikes.reset();
                }
                Some(SendEnd::Trailers(fields)) => self.encode_headers(id, &fields, true),
                None => {}
            }
        }
    }

    /// A stream at the front whose remaining work needs no connection window
    /// (an empty END_STREAM or trailers) may go even when the window is 0.
    fn ready_front_needs_no_window(&self) -> bool {
        self.ready
            .front()
            .and_then(|&id| self.streams.get(id))
            .is_some_and(|s| s.send_queue.is_empty())
    }
}
