//! A scripted HTTP/2 peer for unit tests: the bare engine over any byte
//! stream (the in-memory duplex from tokio, or a TCP socket), driven step by
//! step by the test. No oxgrpc transport code runs on its side.

use bytes::Bytes;
use oxgrpc_h2::{Config, Connection, Event, Header};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// One end of a connection, run by hand.
pub(crate) struct Peer<T> {
    io: T,
    pub(crate) conn: Connection,
    buf: Vec<u8>,
    /// Whether the other side closed the byte stream.
    pub(crate) eof: bool,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Peer<T> {
    pub(crate) fn server(io: T) -> Peer<T> {
        Peer {
            io,
            conn: Connection::server(Config::default(), Instant::now()),
            buf: vec![0; 65_536],
            eof: false,
        }
    }

    pub(crate) fn client(io: T) -> Peer<T> {
        Peer {
            io,
            conn: Connection::client(Config::default(), Instant::now()),
            buf: vec![0; 65_536],
            eof: false,
        }
    }

    /// Writes everything the engine has queued.
    pub(crate) async fn flush(&mut self) {
        let mut out = Vec::new();
        self.conn.transmit(&mut out);
        for chunk in out {
            if self.io.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = self.io.flush().await;
    }

    /// Flushes, then reads until the engine produces an event (or EOF).
    pub(crate) async fn next_event(&mut self) -> Option<Event> {
        loop {
            self.flush().await;
            if let Some(event) = self.conn.poll_event() {
                return Some(event);
            }
            if self.eof {
                return None;
            }
            match self.io.read(&mut self.buf).await {
                Ok(0) | Err(_) => self.eof = true,
                Ok(n) => {
                    let _ = self.conn.recv(&self.buf[..n], Instant::now());
                }
            }
        }
    }

    /// Skips events until one matches.
    pub(crate) async fn until(&mut self, mut wanted: impl FnMut(&Event) -> bool) -> Option<Event> {
        while let Some(event) = self.next_event().await {
            if wanted(&event) {
                return Some(event);
            }
        }
        None
    }

    /// Exchanges frames until the other side is quiet for 50 ms (the
    /// SETTINGS handshake, say); returns what happened meanwhile.
    pub(crate) async fn settle(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        let quiet = std::time::Duration::from_millis(50);
        while let Ok(Some(event)) = tokio::time::timeout(quiet, self.next_event()).await {
            events.push(event);
        }
        events
    }

    /// Reads until the other side closes the byte stream.
    pub(crate) async fn until_eof(&mut self) {
        while self.next_event().await.is_some() {}
    }
}

/// A gRPC request head for `path`.
pub(crate) fn grpc_request(path: &str) -> Vec<Header> {
    vec![
        Header::new(":method", "POST"),
        Header::new(":scheme", "http"),
        Header::new(":path", path.to_owned()),
        Header::new(":authority", "test"),
        Header::new("content-type", "application/grpc"),
        Header::new("te", "trailers"),
    ]
}

/// One length-prefixed, uncompressed gRPC message.
pub(crate) fn grpc_message(payload: &[u8]) -> Bytes {
    let mut framed = vec![0];
    framed.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_be_bytes());
    framed.extend_from_slice(payload);
    Bytes::from(framed)
}

/// The value of `name` in `fields`.
pub(crate) fn field<'a>(fields: &'a [Header], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|h| h.name == name.as_bytes())
        .and_then(|h| std::str::from_utf8(&h.value).ok())
}
