//! The driver's turn, against a scripted engine peer over an in-memory duplex.

use super::test_peer::{Peer, field};
use super::{Client, IncomingRequest, serve_connection};
use bytes::Bytes;
use oxgrpc_h2::{Config, Event, Header, Reason};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadBuf};

fn request(path: &str) -> Vec<Header> {
    vec![
        Header::new(":method", "GET"),
        Header::new(":scheme", "http"),
        Header::new(":path", path.to_owned()),
        Header::new(":authority", "test"),
    ]
}

async fn respond(peer: &mut Peer<DuplexStream>, stream_id: u32, body: &'static [u8]) {
    peer.conn.send_headers(stream_id, &[Header::new(":status", "200")], false).unwrap();
    peer.conn.send_data(stream_id, Bytes::from_static(body), true).unwrap();
    peer.flush().await;
}

#[tokio::test]
async fn dropping_the_last_client_handle_sends_goaway_and_ends_the_task() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let client = Client::handshake(ours, Config::default());
    let mut peer = Peer::server(theirs);
    let (_send, mut response) = client.send_request(request("/"), true).unwrap();
    let Some(Event::Headers { stream_id, .. }) =
        peer.until(|e| matches!(e, Event::Headers { .. })).await
    else {
        panic!("no request")
    };

    // The client handle is gone, but a call is still running: no GOAWAY yet.
    drop(client);
    respond(&mut peer, stream_id, b"body").await;
    assert_eq!(field(&response.head().await.unwrap(), ":status"), Some("200"));
    assert_eq!(response.data().await.unwrap().unwrap(), "body");
    assert!(response.data().await.is_none());

    // The last call is gone too: GOAWAY(NO_ERROR), then the socket closes.
    drop((_send, response));
    let goaway = peer.until(|e| matches!(e, Event::GoAway { .. })).await;
    assert!(matches!(goaway, Some(Event::GoAway { reason: Reason::NO_ERROR, .. })), "{goaway:?}");
    peer.until_eof().await;
    assert!(peer.eof);
}

#[tokio::test]
async fn a_live_client_handle_keeps_the_connection() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let client = Client::handshake(ours, Config::default());
    let mut peer = Peer::server(theirs);
    for _ in 0..3 {
        let (_send, response) = client.send_request(request("/"), true).unwrap();
        let Some(Event::Headers { stream_id, .. }) =
            peer.until(|e| matches!(e, Event::Headers { .. })).await
        else {
            panic!("no request")
        };
        respond(&mut peer, stream_id, b"x").await;
        drop(response);
    }
    let more = peer.settle().await;
    assert!(!more.iter().any(|e| matches!(e, Event::GoAway { .. })), "{more:?}");
    assert!(!client.is_closed());
}

/// Counts the writes that reach the socket.
struct CountingIo {
    io: DuplexStream,
    writes: Arc<AtomicUsize>,
}

impl AsyncRead for CountingIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountingIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Ten requests read in one turn are answered by handlers polled in that
/// turn (current-thread runtime), and all their frames leave in one write.
#[tokio::test]
async fn one_turn_answers_every_stream_in_one_write() {
    let (ours, theirs) = tokio::io::duplex(1 << 20);
    let writes = Arc::new(AtomicUsize::new(0));
    let io = CountingIo { io: ours, writes: writes.clone() };
    let service = |mut req: IncomingRequest| async move {
        let path = req.field(":path").cloned().unwrap_or_default();
        let _ = req.response.send_headers(vec![Header::new(":status", "200")], false);
        let _ = req.response.send_data(path, true).await;
    };
    let server = tokio::spawn(serve_connection(
        io,
        Config::default(),
        Arc::new(service),
        Default::default(),
        std::future::pending(),
    ));
    let mut peer = Peer::client(theirs);
    peer.settle().await;
    let settled = writes.load(Ordering::SeqCst);
    let ids: Vec<u32> =
        (0..10).map(|i| peer.conn.open_stream(&request(&format!("/{i}")), true).unwrap()).collect();
    peer.flush().await;
    let mut bodies = Vec::new();
    while bodies.len() < ids.len() {
        match peer.next_event().await {
            Some(Event::Data { data, .. }) if !data.is_empty() => bodies.push(data),
            Some(_) => {}
            None => panic!("connection closed early"),
        }
    }
    bodies.sort();
    assert_eq!(bodies[0], "/0");
    assert_eq!(bodies[9], "/9");
    let used = writes.load(Ordering::SeqCst) - settled;
    assert!(used <= 2, "ten answers took {used} writes");
    server.abort();
}

/// A stream reset by the peer reaches the handler as an error.
#[tokio::test]
async fn a_peer_reset_reaches_the_handler() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel();
    let seen_tx = Arc::new(std::sync::Mutex::new(Some(seen_tx)));
    let service = move |mut req: IncomingRequest| {
        let seen_tx = seen_tx.clone();
        async move {
            let error = req.response.closed().await;
            if let Some(tx) = seen_tx.lock().unwrap().take() {
                let _ = tx.send(error);
            }
        }
    };
    tokio::spawn(serve_connection(
        ours,
        Config::default(),
        Arc::new(service),
        Default::default(),
        std::future::pending(),
    ));
    let mut peer = Peer::client(theirs);
    let id = peer.conn.open_stream(&request("/"), false).unwrap();
    peer.flush().await;
    tokio::task::yield_now().await;
    peer.conn.reset(id, Reason::CANCEL);
    peer.flush().await;
    let error =
        tokio::time::timeout(std::time::Duration::from_secs(5), seen_rx).await.unwrap().unwrap();
    assert!(error.is_reset() && error.is_remote(), "{error}");
    assert_eq!(error.reset_reason(), Some(Reason::CANCEL));
}

/// Keepalive runs in the engine on the runtime's clock: against a peer that
/// stops answering, the client pings after the interval and gives up after
/// the timeout; the call in flight fails with the typed cause. The clock is
/// paused, so this takes no real time.
#[tokio::test(start_paused = true)]
async fn keepalive_closes_a_connection_whose_peer_went_silent() {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let config = Config {
        keepalive_interval: Some(std::time::Duration::from_secs(10)),
        keepalive_timeout: std::time::Duration::from_secs(5),
        ..Config::default()
    };
    let client = Client::handshake(ours, config);
    let mut peer = Peer::server(theirs);
    let (_send, mut response) = client.send_request(request("/"), true).unwrap();
    peer.until(|e| matches!(e, Event::Headers { .. })).await;
    let start = crate::rt::now();
    // The peer is alive but mute from now on: it neither reads nor answers.
    let error = response.head().await.unwrap_err();
    let waited = crate::rt::now() - start;
    assert!(error.is_connection(), "{error}");
    assert!(
        matches!(error.connection_error(), Some(oxgrpc_h2::ConnectionError::KeepAliveTimeout)),
        "{error:?}"
    );
    assert!(waited >= std::time::Duration::from_secs(15), "{waited:?}");
    assert!(waited < std::time::Duration::from_secs(17), "{waited:?}");
    assert!(client.is_closed());
    drop(peer);
}
