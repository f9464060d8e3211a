//! The connection task: the only code that touches the socket.
//!
//! One task per connection owns the socket and the engine. Each turn of its
//! loop takes these steps, in this order:
//!
//! 1. **Read** whatever the socket has and feed the engine, unless 1 MiB of
//!    output is waiting: a peer that does not read cannot grow our memory.
//! 2. **Dispatch** engine events to stream slots. A new request starts its
//!    handler (see `handlers.rs`).
//! 3. **Poll handlers**: inline ones, and the first poll of new ones (on a
//!    multi-thread runtime, a handler that does not finish there, or new ones
//!    while first polls are CPU-heavy, become tasks of their own, so one
//!    connection's streams use every worker); reap finished handler tasks.
//! 4. **Apply commands** the handles queued: opens, headers, data, resets,
//!    releases. A closed command channel means a client with no handle
//!    left: the connection sends GOAWAY(NO_ERROR) and ends with its last
//!    stream.
//! 5. **Write** all output the engine has with one vectored write.
//! 6. **Sweep** the slots of streams the engine has closed.
//! 7. **Timers**: sleep until the engine's `poll_timeout()`; when it passes,
//!    `handle_timeout(now)` (SETTINGS ack, keepalive ping and its timeout,
//!    idle, max age, GOAWAY grace) and dispatch what it caused.
//!
//! The loop ends when the engine is closed (or the peer closed the socket)
//! and all output is written; a turn that made no progress waits for a
//! wake-up. So frames produced by many streams in one turn leave in one
//! syscall. Time comes from [`rt::now`], so tests can pause it.

use super::error::ConnectionEnd;
use super::handlers::Handlers;
use super::peer::Peer;
use super::shared::{Command, End, Shared};
use super::stream::{RecvStream, SendStream};
use super::{IncomingRequest, Service};
use crate::rt;
use bytes::{Buf, Bytes};
use futures_util::FutureExt;
use oxgrpc_h2::{Connection, Event, Reason, Role, SendError};
use std::collections::{HashMap, VecDeque};
use std::future::{Future, poll_fn};
use std::io::IoSlice;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio_util::io::poll_read_buf;

/// Stop reading while this much output waits for the socket.
const OUTPUT_HIGH_WATER: usize = 1 << 20;
/// At most this many iovecs per write.
const MAX_IOVECS: usize = 64;
/// How long a closed connection waits for the peer to close its side.
const LINGER: std::time::Duration = std::time::Duration::from_secs(1);
/// Read buffer growth step.
const READ_CHUNK: usize = 16 * 1024;

/// Connection facts visible to the handles of a client connection.
#[derive(Debug, Default)]
pub(crate) struct ConnState {
    pub(crate) closed: AtomicBool,
    pub(crate) going_away: AtomicBool,
}

struct PendingOpen {
    shared: Arc<Shared>,
    fields: Vec<oxgrpc_h2::Header>,
    end_stream: bool,
    commands: Vec<Command>,
}

pub(crate) struct Driver<T> {
    io: T,
    conn: Connection,
    slots: HashMap<u32, Arc<Shared>>,
    commands: UnboundedReceiver<Command>,
    /// Server role: the sender each new stream's handles get. The client
    /// role keeps none, so the channel closes once the last `Client` and the
    /// last stream handle are gone, and the connection then goes away.
    command_tx: Option<UnboundedSender<Command>>,
    /// The command channel closed: no handle is left.
    handles_gone: bool,
    service: Option<Arc<dyn Service>>,
    peer: Arc<Peer>,
    handlers: Handlers,
    pending_open: VecDeque<PendingOpen>,
    out: VecDeque<Bytes>,
    taken: Vec<Bytes>,
    sending: Vec<(Arc<Shared>, usize)>,
    /// Streams whose receive side ended: kept until the engine closes them,
    /// so a late RST_STREAM still reaches the handler.
    closing: Vec<u32>,
    timer: rt::Sleep,
    timer_at: Option<Instant>,
    read_eof: bool,
    state: Arc<ConnState>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Driver<T> {
    /// A server connection: each request runs `service`.
    pub(crate) fn server(
        io: T,
        conn: Connection,
        service: Arc<dyn Service>,
        peer: Arc<Peer>,
    ) -> Driver<T> {
        let (command_tx, commands) = unbounded_channel();
        Driver::new(io, conn, commands, Some(command_tx), Some(service), peer)
    }

    /// A client connection, and the only sender of its commands: the
    /// connection goes away once every clone of it is dropped.
    pub(crate) fn client(io: T, conn: Connection) -> (Driver<T>, UnboundedSender<Command>) {
        let (command_tx, commands) = unbounded_channel();
        (Driver::new(io, conn, commands, None, None, Arc::default()), command_tx)
    }

    fn new(
        io: T,
        conn: Connection,
        commands: UnboundedReceiver<Command>,
        command_tx: Option<UnboundedSender<Command>>,
        service: Option<Arc<dyn Service>>,
        peer: Arc<Peer>,
    ) -> Driver<T> {
        Driver {
            io,
            conn,
            slots: HashMap::new(),
            commands,
            command_tx,
            handles_gone: false,
            service,
            peer,
            handlers: Handlers::for_runtime(),
            pending_open: VecDeque::new(),
            out: VecDeque::new(),
            taken: Vec::new(),
            sending: Vec::new(),
            closing: Vec::new(),
            timer: rt::sleep(std::time::Duration::ZERO),
            timer_at: None,
            read_eof: false,
            state: Arc::default(),
        }
    }

    pub(crate) fn state(&self) -> Arc<ConnState> {
        self.state.clone()
    }

    /// Runs the connection to its end; `shutdown` resolving starts a graceful GOAWAY.
    pub(crate) async fn run(mut self, shutdown: impl Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown.fuse());
        let mut shutting_down = false;
        poll_fn(|cx| {
            if !shutting_down && shutdown.as_mut().poll(cx).is_ready() {
                shutting_down = true;
                self.conn.go_away(Reason::NO_ERROR, b"server shutting down");
            }
            self.poll_turns(cx)
        })
        .await;
        self.finish_all(ConnectionEnd::Closed);
        self.state.closed.store(true, Ordering::Release);
        self.linger().await;
    }

    /// After our last frame and FIN: reads (and drops) what the peer still
    /// sends until it closes too, for at most [`LINGER`]. Closing a socket
    /// with unread data makes the kernel send RST, which can destroy our
    /// final GOAWAY before the peer has read it.
    async fn linger(&mut self) {
        if self.read_eof {
            return;
        }
        let mut give_up = rt::sleep(LINGER);
        let mut sink = [0u8; 4096];
        poll_fn(|cx| {
            if give_up.as_mut().poll(cx).is_ready() {
                return Poll::Ready(());
            }
            loop {
                let mut buf = tokio::io::ReadBuf::new(&mut sink);
                match Pin::new(&mut self.io).poll_read(cx, &mut buf) {
                    Poll::Ready(Ok(())) if !buf.filled().is_empty() => {}
                    Poll::Ready(_) => return Poll::Ready(()),
                    Poll::Pending => return Poll::Pending,
                }
            }
        })
        .await;
    }

    fn poll_turns(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            let mut progress = self.poll_read(cx);
            self.dispatch_events();
            self.handlers.poll(cx);
            progress |= self.poll_commands(cx);
            self.open_pending();
            self.dispatch_events();
            match self.poll_write(cx) {
                Poll::Ready(Ok(wrote)) => progress |= wrote,
                Poll::Ready(Err(e)) => {
                    self.finish_all(e.into());
                    return Poll::Ready(());
                }
                Poll::Pending => {}
            }
            self.sweep_closed();
            self.poll_timer(cx);
            let flushed = self.out.is_empty() && !self.conn.wants_transmit();
            if flushed && (self.conn.is_closed() || self.read_eof) {
                let _ = Pin::new(&mut self.io).poll_shutdown(cx);
                return Poll::Ready(());
            }
            if !progress {
                return Poll::Pending;
            }
        }
    }

    /// Applies every queued command. When the channel has closed (a client
    /// whose handles are all gone), sends GOAWAY(NO_ERROR) once: the
    /// connection closes as soon as no stream is left.
    fn poll_commands(&mut self, cx: &mut Context<'_>) -> bool {
        let mut progress = false;
        loop {
            match self.commands.poll_recv(cx) {
                Poll::Ready(Some(command)) => {
                    self.apply(command);
                    progress = true;
                }
                Poll::Ready(None) => {
                    if !std::mem::replace(&mut self.handles_gone, true) {
                        self.conn.go_away(Reason::NO_ERROR, b"");
                        progress = true;
                    }
                    return progress;
                }
                Poll::Pending => return progress,
            }
        }
    }

    fn poll_read(&mut self, cx: &mut Context<'_>) -> bool {
        if self.read_eof || self.conn.pending_output() + self.out_len() > OUTPUT_HIGH_WATER {
            return false;
        }
        let buf = self.conn.input_buffer();
        if buf.capacity() - buf.len() < READ_CHUNK / 2 {
            buf.reserve(READ_CHUNK);
        }
        match poll_read_buf(Pin::new(&mut self.io), cx, self.conn.input_buffer()) {
            Poll::Ready(Ok(0)) => {
                self.read_eof = true;
                self.finish_all(ConnectionEnd::Closed);
                true
            }
            Poll::Ready(Ok(_)) => {
                let _ = self.conn.handle_input(rt::now());
                true
            }
            Poll::Ready(Err(e)) => {
                self.read_eof = true;
                self.finish_all(e.into());
                true
            }
            Poll::Pending => false,
        }
    }

    fn out_len(&self) -> usize {
        self.out.iter().map(Bytes::len).sum()
    }

    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<bool>> {
        self.conn.transmit(&mut self.taken);
        self.out.extend(self.taken.drain(..));
        self.update_senders();
        let mut wrote = false;
        while !self.out.is_empty() {
            let slices: Vec<IoSlice<'_>> =
                self.out.iter().take(MAX_IOVECS).map(|b| IoSlice::new(b)).collect();
            let n = match Pin::new(&mut self.io).poll_write_vectored(cx, &slices) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return if wrote { Poll::Ready(Ok(true)) } else { Poll::Pending },
            };
            wrote = true;
            self.advance_out(n);
        }
        if wrote {
            let _ = Pin::new(&mut self.io).poll_flush(cx);
        }
        Poll::Ready(Ok(wrote))
    }

    fn advance_out(&mut self, mut n: usize) {
        while n > 0 {
            let Some(front) = self.out.front_mut() else { return };
            if front.len() <= n {
                n -= front.len();
                self.out.pop_front();
            } else {
                front.advance(n);
                n = 0;
            }
        }
    }

    /// Gives senders back the capacity the engine framed since last time.
    fn update_senders(&mut self) {
        let conn = &self.conn;
        self.sending.retain_mut(|(shared, handed)| {
            let now = conn.queued_data(shared.id());
            let framed = *handed - now.min(*handed);
            *handed = now;
            if framed > 0 {
                let mut inner = shared.lock();
                inner.queued = inner.queued.saturating_sub(framed);
                if let Some(w) = inner.send_waker.take() {
                    w.wake();
                }
            }
            now > 0
        });
    }

    fn poll_timer(&mut self, cx: &mut Context<'_>) {
        let Some(deadline) = self.conn.poll_timeout() else { return };
        if self.timer_at != Some(deadline) {
            self.timer_at = Some(deadline);
            rt::reset(&mut self.timer, deadline);
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            self.timer_at = None;
            self.conn.handle_timeout(rt::now());
            // A timer may have failed the connection: streams learn why now,
            // before the turn sees the engine closed.
            self.dispatch_events();
            cx.waker().wake_by_ref();
        }
    }

    fn dispatch_events(&mut self) {
        while let Some(event) = self.conn.poll_event() {
            match event {
                Event::Headers { stream_id, fields, end_stream } => {
                    self.on_headers(stream_id, fields, end_stream);
                }
                Event::Data { stream_id, data, end_stream } => {
                    self.on_data(stream_id, data, end_stream);
                }
                Event::Trailers { stream_id, fields } => {
                    if let Some(shared) = self.slots.get(&stream_id) {
                        shared.finish(End::Trailers(fields));
                        self.closing.push(stream_id);
                    }
                }
                Event::Reset { stream_id, reason, remote } => {
                    if let Some(shared) = self.slots.remove(&stream_id) {
                        shared.finish(End::Reset { reason, remote });
                    }
                }
                Event::GoAway { .. } => {
                    self.state.going_away.store(true, Ordering::Release);
                    for pending in std::mem::take(&mut self.pending_open) {
                        pending
                            .shared
                            .finish(End::Reset { reason: Reason::REFUSED_STREAM, remote: true });
                    }
                }
                Event::Error(e) => self.finish_all(ConnectionEnd::Protocol(e)),
                // PingAck (keepalive, drain and BDP acks never leave the
                // engine) and events added later: nothing to deliver.
                _ => {}
            }
        }
    }

    fn on_headers(&mut self, id: u32, fields: Vec<oxgrpc_h2::Header>, end_stream: bool) {
        if let Some(shared) = self.slots.get(&id) {
            let mut inner = shared.lock();
            inner.head = Some(fields);
            if end_stream {
                inner.end = Some(End::Eos);
            }
            if let Some(w) = inner.recv_waker.take() {
                w.wake();
            }
            drop(inner);
            if end_stream {
                self.closing.push(id);
            }
            return;
        }
        let (Some(service), Some(command_tx)) = (&self.service, &self.command_tx) else { return };
        let shared = Shared::new(id);
        if end_stream {
            shared.lock().end = Some(End::Eos);
            self.closing.push(id);
        }
        self.slots.insert(id, shared.clone());
        let request = IncomingRequest {
            head: fields,
            body: RecvStream::new(shared.clone(), command_tx.clone(), Role::Server),
            response: SendStream::new(shared, command_tx.clone()),
            peer: self.peer.clone(),
        };
        self.handlers.start(service.call(request));
    }

    fn on_data(&mut self, id: u32, data: Bytes, end_stream: bool) {
        let Some(shared) = self.slots.get(&id) else {
            self.conn.release_capacity(id, data.len());
            return;
        };
        let mut inner = shared.lock();
        if inner.recv_dropped {
            drop(inner);
            self.conn.release_capacity(id, data.len());
        } else {
            inner.buffered += data.len();
            if !data.is_empty() {
                inner.data.push_back(data);
            }
            if let Some(w) = inner.recv_waker.take() {
                w.wake();
            }
            drop(inner);
        }
        if end_stream {
            if let Some(shared) = self.slots.get(&id) {
                shared.finish(End::Eos);
                self.closing.push(id);
            }
        }
    }

    /// Forgets slots of streams the engine has closed.
    fn sweep_closed(&mut self) {
        let conn = &self.conn;
        let slots = &mut self.slots;
        self.closing.retain(|id| {
            let open = conn.is_stream_open(*id);
            if !open {
                slots.remove(id);
            }
            open
        });
    }

    fn apply(&mut self, command: Command) {
        let shared = match &command {
            Command::Open { .. } | Command::GoAway => None,
            Command::Headers { shared, .. }
            | Command::Data { shared, .. }
            | Command::Reset { shared, .. }
            | Command::Release { shared, .. } => Some(shared.clone()),
        };
        if let Some(shared) = &shared {
            if shared.id() == 0 {
                if let Some(p) =
                    self.pending_open.iter_mut().find(|p| Arc::ptr_eq(&p.shared, shared))
                {
                    p.commands.push(command);
                }
                return;
            }
        }
        match command {
            Command::Open { shared, fields, end_stream } => {
                self.pending_open.push_back(PendingOpen {
                    shared,
                    fields,
                    end_stream,
                    commands: Vec::new(),
                });
                self.open_pending();
            }
            Command::Headers { shared, fields, end_stream } => {
                if let Err(e) = self.conn.send_headers(shared.id(), &fields, end_stream) {
                    self.fail_send(&shared, e);
                }
            }
            Command::Data { shared, data, end_stream } => {
                let len = data.len();
                match self.conn.send_data(shared.id(), data, end_stream) {
                    Ok(()) if len > 0 => self.track_sending(shared, len),
                    Ok(()) => {}
                    Err(e) => self.fail_send(&shared, e),
                }
            }
            Command::Reset { shared, reason } => {
                let id = shared.id();
                self.conn.reset(id, reason);
                self.slots.remove(&id);
                shared.finish(End::Reset { reason, remote: false });
            }
            Command::Release { shared, len } => self.conn.release_capacity(shared.id(), len),
            Command::GoAway => self.conn.go_away(Reason::NO_ERROR, b""),
        }
    }

    fn track_sending(&mut self, shared: Arc<Shared>, len: usize) {
        if let Some(entry) = self.sending.iter_mut().find(|(s, _)| Arc::ptr_eq(s, &shared)) {
            entry.1 += len;
        } else {
            self.sending.push((shared, len));
        }
    }

    /// Opens queued client streams as the peer's concurrency limit allows.
    fn open_pending(&mut self) {
        while let Some(pending) = self.pending_open.front() {
            match self.conn.open_stream(&pending.fields, pending.end_stream) {
                Ok(id) => {
                    let Some(pending) = self.pending_open.pop_front() else { break };
                    pending.shared.set_id(id);
                    self.slots.insert(id, pending.shared);
                    for command in pending.commands {
                        self.apply(command);
                    }
                }
                Err(SendError::ConcurrencyLimit) => break,
                Err(e) => {
                    let end = match e {
                        SendError::GoingAway => {
                            End::Reset { reason: Reason::REFUSED_STREAM, remote: true }
                        }
                        _ => End::Connection(self.connection_end()),
                    };
                    for pending in std::mem::take(&mut self.pending_open) {
                        pending.shared.finish(end.clone());
                    }
                }
            }
        }
    }

    /// How the connection ended, for streams the engine refuses because it did.
    fn connection_end(&self) -> ConnectionEnd {
        self.conn.error().cloned().map_or(ConnectionEnd::Closed, ConnectionEnd::Protocol)
    }

    fn finish_all(&mut self, why: ConnectionEnd) {
        self.state.closed.store(true, Ordering::Release);
        for (_, shared) in self.slots.drain() {
            shared.finish(End::Connection(why.clone()));
        }
        for pending in self.pending_open.drain(..) {
            pending.shared.finish(End::Connection(why.clone()));
        }
        for (shared, _) in self.sending.drain(..) {
            shared.finish(End::Connection(why.clone()));
        }
    }

    fn fail_send(&self, shared: &Shared, error: SendError) {
        let mut inner = shared.lock();
        inner.send_closed = true;
        if inner.end.is_none() && error == SendError::ConnectionClosed {
            inner.end = Some(End::Connection(self.connection_end()));
        }
        if let Some(w) = inner.send_waker.take() {
            w.wake();
        }
    }
}
