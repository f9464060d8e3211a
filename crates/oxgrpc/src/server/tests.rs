//! The router and the call runner, against a scripted engine client over an
//! in-memory duplex.

use super::{Server, ServerCall, Service};
use crate::call::{Request, Response};
use crate::rt::BoxFuture;
use crate::status::Status;
use crate::transport::serve_connection;
use crate::transport::test_peer::{Peer, field, grpc_message, grpc_request};
use oxgrpc_h2::{Config, Event, Header, Reason};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::DuplexStream;

/// `test.Echo/Echo` answers its string; `test.Echo/Fail` fails with it.
struct Echo;

impl Service for Echo {
    fn name(&self) -> &'static str {
        "test.Echo"
    }

    fn methods(&self) -> &'static [&'static str] {
        &["Echo", "Fail"]
    }

    fn call(&self, method: &str, call: ServerCall) -> Result<BoxFuture<'static, ()>, ServerCall> {
        match method {
            "Echo" => Ok(call.unary(|request: Request<String>| async move {
                Ok(Response::new(request.into_inner()))
            })),
            "Fail" => Ok(call.unary(|request: Request<String>| async move {
                Err::<Response<String>, _>(Status::not_found(request.into_inner()))
            })),
            _ => Err(call),
        }
    }
}

fn serve() -> Peer<DuplexStream> {
    let (ours, theirs) = tokio::io::duplex(1 << 16);
    let router = Arc::new(Server::builder().add_service(Echo).into_router());
    tokio::spawn(serve_connection(
        ours,
        Config::default(),
        router,
        Default::default(),
        std::future::pending(),
    ));
    Peer::client(theirs)
}

fn string_message(s: &str) -> bytes::Bytes {
    grpc_message(&prost::Message::encode_to_vec(&s.to_owned()))
}

/// Sends one request and collects the response: head, body, trailers.
async fn call<T>(peer: &mut Peer<T>, head: Vec<Header>, body: &str) -> Answer
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let id = peer.conn.open_stream(&head, false).unwrap();
    peer.conn.send_data(id, string_message(body), true).unwrap();
    let mut answer = Answer::default();
    while let Some(event) = peer.next_event().await {
        match event {
            Event::Headers { stream_id, fields, end_stream } if stream_id == id => {
                answer.head = fields;
                if end_stream {
                    break;
                }
            }
            Event::Data { stream_id, data, .. } if stream_id == id => {
                peer.conn.release_capacity(id, data.len());
                answer.body.extend_from_slice(&data);
            }
            Event::Trailers { stream_id, fields } if stream_id == id => {
                answer.trailers = fields;
                break;
            }
            Event::Reset { stream_id, reason, .. } if stream_id == id => {
                answer.reset = Some(reason);
                break;
            }
            _ => {}
        }
    }
    answer
}

#[derive(Default, Debug)]
struct Answer {
    head: Vec<Header>,
    body: Vec<u8>,
    trailers: Vec<Header>,
    reset: Option<Reason>,
}

#[tokio::test]
async fn routes_by_path_and_ends_with_the_status() {
    let mut peer = serve();
    let ok = call(&mut peer, grpc_request("/test.Echo/Echo"), "hi").await;
    assert_eq!(field(&ok.head, ":status"), Some("200"));
    assert_eq!(ok.body, string_message("hi"));
    assert_eq!(field(&ok.trailers, "grpc-status"), Some("0"));

    let failed = call(&mut peer, grpc_request("/test.Echo/Fail"), "no such thing").await;
    assert!(failed.body.is_empty() && failed.trailers.is_empty(), "{failed:?}");
    assert_eq!(field(&failed.head, "grpc-status"), Some("5"), "Trailers-Only");
    assert_eq!(field(&failed.head, "grpc-message"), Some("no such thing"));
}

#[tokio::test]
async fn unknown_services_and_methods_are_unimplemented() {
    let mut peer = serve();
    for path in ["/", "/test.Nope/Echo", "/test.Echo/Nope"] {
        let answer = call(&mut peer, grpc_request(path), "").await;
        assert_eq!(field(&answer.head, ":status"), Some("200"), "{path}: {answer:?}");
        assert_eq!(field(&answer.head, "grpc-status"), Some("12"), "{path}");
        assert!(field(&answer.head, "grpc-accept-encoding").is_some(), "{path}");
    }
}

#[tokio::test]
async fn a_request_that_is_not_grpc_gets_415() {
    let mut peer = serve();
    let mut head = grpc_request("/test.Echo/Echo");
    head.retain(|h| h.name != "content-type");
    head.push(Header::new("content-type", "application/json"));
    let answer = call(&mut peer, head, "").await;
    assert_eq!(field(&answer.head, ":status"), Some("415"));
    assert_eq!(field(&answer.head, "grpc-status"), None);
}

#[tokio::test]
async fn two_messages_on_a_unary_call_are_internal() {
    let mut peer = serve();
    let id = peer.conn.open_stream(&grpc_request("/test.Echo/Echo"), false).unwrap();
    peer.conn.send_data(id, string_message("a"), false).unwrap();
    peer.conn.send_data(id, string_message("b"), true).unwrap();
    let head = peer.until(|e| matches!(e, Event::Headers { .. })).await;
    let Some(Event::Headers { fields, .. }) = head else { panic!("no answer") };
    assert_eq!(field(&fields, "grpc-status"), Some("13"), "{fields:?}");
}

/// A server with `builder`'s settings on loopback, and a scripted client.
async fn serve_tcp(builder: super::ServerBuilder) -> Peer<tokio::net::TcpStream> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let builder = builder.add_service(Echo);
    tokio::spawn(builder.serve_listener(listener, std::future::pending(), Duration::MAX));
    Peer::client(tokio::net::TcpStream::connect(addr).await.unwrap())
}

async fn goaway_debug(peer: &mut Peer<tokio::net::TcpStream>) -> (Reason, bytes::Bytes) {
    let mut seen = Vec::new();
    while let Some(event) = peer.next_event().await {
        if let Event::GoAway { reason, debug_data, .. } = event {
            return (reason, debug_data);
        }
        seen.push(event);
    }
    panic!("no GOAWAY; saw {seen:?}, engine error {:?}", peer.conn.error())
}

#[tokio::test]
async fn an_idle_connection_gets_goaway_max_idle() {
    let idle = Duration::from_millis(150);
    let mut peer = serve_tcp(Server::builder().max_connection_idle(Some(idle))).await;
    let answer = call(&mut peer, grpc_request("/test.Echo/Echo"), "hi").await;
    assert_eq!(field(&answer.trailers, "grpc-status"), Some("0"));
    let start = std::time::Instant::now();
    assert_eq!(goaway_debug(&mut peer).await, (Reason::NO_ERROR, "max_idle".into()));
    assert!(start.elapsed() >= idle - Duration::from_millis(20), "{:?}", start.elapsed());
}

#[tokio::test]
async fn an_old_connection_gets_goaway_max_age() {
    let age = Duration::from_millis(300);
    let start = std::time::Instant::now();
    let mut peer = serve_tcp(Server::builder().max_connection_age(Some(age))).await;
    assert_eq!(goaway_debug(&mut peer).await, (Reason::NO_ERROR, "max_age".into()));
    let took = start.elapsed();
    assert!(took >= age.mul_f64(0.9) - Duration::from_millis(20), "{took:?}");
    assert!(took < age.mul_f64(1.1) + Duration::from_millis(500), "{took:?}");
}

/// A client that stops answering is dropped after keepalive time + timeout.
#[tokio::test]
async fn keepalive_drops_a_client_that_stopped_answering() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let builder = Server::builder()
        .add_service(Echo)
        .keepalive_time(Some(Duration::from_millis(100)))
        .keepalive_timeout(Duration::from_millis(100));
    tokio::spawn(builder.serve_listener(listener, std::future::pending(), Duration::MAX));
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(oxgrpc_h2::PREFACE).await.unwrap();
    tcp.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0]).await.unwrap();
    let start = std::time::Instant::now();
    // Read (so the server's writes go through) but never answer its PING.
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        while tcp.read(&mut buf).await.is_ok_and(|n| n > 0) {}
    })
    .await;
    assert!(closed.is_ok(), "the server kept a silent client");
    assert!(start.elapsed() >= Duration::from_millis(180), "{:?}", start.elapsed());
}

/// Past `max_connections`, a new client waits in the backlog until a
/// connection closes, then is served.
#[tokio::test]
async fn max_connections_pauses_accepting() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let builder = Server::builder().add_service(Echo).max_connections(2);
    tokio::spawn(builder.serve_listener(listener, std::future::pending(), Duration::MAX));
    let connect = || async { Peer::client(tokio::net::TcpStream::connect(addr).await.unwrap()) };
    let (mut first, mut second, mut third) = (connect().await, connect().await, connect().await);
    for peer in [&mut first, &mut second] {
        let answer = call(peer, grpc_request("/test.Echo/Echo"), "in").await;
        assert_eq!(field(&answer.trailers, "grpc-status"), Some("0"));
    }
    let waiting = tokio::time::timeout(Duration::from_millis(200), third.next_event()).await;
    assert!(waiting.is_err(), "a third connection was served: {waiting:?}");
    drop(first);
    let answer = call(&mut third, grpc_request("/test.Echo/Echo"), "next").await;
    assert_eq!(field(&answer.trailers, "grpc-status"), Some("0"));
}
