//! State one stream shares between its handles and the connection task.
//!
//! The connection task is the only owner of the engine. Handles talk to it
//! through [`Command`]s on one channel and read what it delivered from the
//! stream's [`Shared`] slot, under a mutex that is uncontended in practice:
//! both sides hold it for a few instructions.

use super::error::{ConnectionEnd, StreamError};
use bytes::Bytes;
use oxgrpc_h2::{Header, Reason};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

/// How the receiving side of a stream ended.
#[derive(Clone, Debug)]
pub(crate) enum End {
    /// END_STREAM without trailers.
    Eos,
    /// Trailers ended the stream.
    Trailers(Vec<Header>),
    /// RST_STREAM, by the peer (`remote`) or by us.
    Reset { reason: Reason, remote: bool },
    /// The connection failed or closed before the stream ended.
    Connection(ConnectionEnd),
}

impl End {
    /// The error a handle reports for this end (`NoResponse` for the
    /// normal ends, where a head was still expected).
    pub(crate) fn error(&self) -> StreamError {
        match self {
            End::Reset { reason, remote } => StreamError::reset(*reason, *remote),
            End::Connection(end) => StreamError::connection(end.clone()),
            End::Eos | End::Trailers(_) => StreamError::no_response(),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    /// Client role: the response head, once it arrived.
    pub(crate) head: Option<Vec<Header>>,
    pub(crate) data: VecDeque<Bytes>,
    pub(crate) buffered: usize,
    pub(crate) end: Option<End>,
    pub(crate) recv_waker: Option<Waker>,
    /// The receiving handle is gone: the task releases data as it arrives.
    pub(crate) recv_dropped: bool,
    /// Bytes handed to the task and not yet framed by the engine.
    pub(crate) queued: usize,
    pub(crate) send_waker: Option<Waker>,
    /// The send side can no longer be used (reset or connection gone).
    pub(crate) send_closed: bool,
    /// Woken when the stream is reset or the connection fails.
    pub(crate) reset_waker: Option<Waker>,
}

#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// The HTTP/2 stream id; 0 until the task opened the stream.
    id: AtomicU32,
    inner: Mutex<Inner>,
}

impl Shared {
    pub(crate) fn new(id: u32) -> Arc<Shared> {
        Arc::new(Shared { id: AtomicU32::new(id), inner: Mutex::default() })
    }

    pub(crate) fn id(&self) -> u32 {
        self.id.load(Ordering::Acquire)
    }

    pub(crate) fn set_id(&self, id: u32) {
        self.id.store(id, Ordering::Release);
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Ends the receive side (if not ended yet) and wakes both sides.
    pub(crate) fn finish(&self, end: End) {
        let mut inner = self.lock();
        if matches!(end, End::Reset { .. } | End::Connection(_)) {
            inner.send_closed = true;
            if let Some(w) = inner.send_waker.take() {
                w.wake();
            }
            if let Some(w) = inner.reset_waker.take() {
                w.wake();
            }
        }
        if inner.end.is_none() {
            inner.end = Some(end);
        }
        if let Some(w) = inner.recv_waker.take() {
            w.wake();
        }
    }
}

/// What handles ask the connection task to do.
#[derive(Debug)]
pub(crate) enum Command {
    Open { shared: Arc<Shared>, fields: Vec<Header>, end_stream: bool },
    Headers { shared: Arc<Shared>, fields: Vec<Header>, end_stream: bool },
    Data { shared: Arc<Shared>, data: Bytes, end_stream: bool },
    Reset { shared: Arc<Shared>, reason: Reason },
    Release { shared: Arc<Shared>, len: usize },
    GoAway,
}
