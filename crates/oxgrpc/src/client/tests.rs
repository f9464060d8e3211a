//! The client call's states, against a scripted engine server on loopback.

use crate::call::Request;
use crate::client::Channel;
use crate::status::{Code, Status};
use crate::transport::StreamError;
use crate::transport::test_peer::{Peer, field, grpc_message};
use oxgrpc_h2::{Event, Header, Reason};
use std::error::Error;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// A channel to a scripted server; the peer is returned once it accepted.
async fn connect() -> (Channel, tokio::task::JoinHandle<Peer<TcpStream>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let accept = tokio::spawn(async move { Peer::server(listener.accept().await.unwrap().0) });
    (Channel::lazy(&uri).unwrap(), accept)
}

/// Waits for the request on `peer`; returns its stream id and head.
async fn request(peer: &mut Peer<TcpStream>) -> (u32, Vec<Header>) {
    match peer.until(|e| matches!(e, Event::Headers { .. })).await {
        Some(Event::Headers { stream_id, fields, .. }) => (stream_id, fields),
        other => panic!("no request: {other:?}"),
    }
}

fn ok_head() -> Vec<Header> {
    vec![Header::new(":status", "200"), Header::new("content-type", "application/grpc")]
}

fn unary(
    channel: &Channel,
    timeout: Option<Duration>,
) -> tokio::task::JoinHandle<Result<String, Status>> {
    let channel = channel.clone();
    tokio::spawn(async move {
        let mut request = Request::new("ping".to_owned());
        if let Some(timeout) = timeout {
            request.set_timeout(timeout);
        }
        channel.unary::<String, String>("/test.Echo/Echo", request).await.map(|r| r.into_inner())
    })
}

#[tokio::test]
async fn a_passed_deadline_cancels_the_stream() {
    let (channel, accept) = connect().await;
    let call = unary(&channel, Some(Duration::from_millis(100)));
    let mut peer = accept.await.unwrap();
    let (id, head) = request(&mut peer).await;
    let timeout =
        field(&head, "grpc-timeout").map(|t| crate::wire::timeout::decode_timeout(t.as_bytes()));
    let left = timeout.and_then(Result::ok).unwrap_or_default();
    assert!(left > Duration::from_millis(50) && left <= Duration::from_millis(100), "{head:?}");
    let reset = peer.until(|e| matches!(e, Event::Reset { .. })).await;
    assert_eq!(reset, Some(Event::Reset { stream_id: id, reason: Reason::CANCEL, remote: true }));
    let status = call.await.unwrap().unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded);
}

#[tokio::test]
async fn a_trailers_only_answer_is_the_status() {
    let (channel, accept) = connect().await;
    let call = unary(&channel, None);
    let mut peer = accept.await.unwrap();
    let (id, _) = request(&mut peer).await;
    let mut head = ok_head();
    head.push(Header::new("grpc-status", "7"));
    head.push(Header::new("grpc-message", "go away"));
    peer.conn.send_headers(id, &head, true).unwrap();
    peer.flush().await;
    let status = call.await.unwrap().unwrap_err();
    assert_eq!((status.code(), status.message()), (Code::PermissionDenied, "go away"));
}

#[tokio::test]
async fn a_second_message_on_a_unary_call_is_internal() {
    let (channel, accept) = connect().await;
    let call = unary(&channel, None);
    let mut peer = accept.await.unwrap();
    let (id, _) = request(&mut peer).await;
    peer.conn.send_headers(id, &ok_head(), false).unwrap();
    let message = grpc_message(&prost::Message::encode_to_vec(&"pong".to_owned()));
    peer.conn.send_data(id, message.clone(), false).unwrap();
    peer.conn.send_data(id, message, false).unwrap();
    peer.conn.send_headers(id, &[Header::new("grpc-status", "0")], true).unwrap();
    peer.flush().await;
    let status = call.await.unwrap().unwrap_err();
    assert_eq!(status.code(), Code::Internal, "{status}");
}

#[tokio::test]
async fn a_lost_connection_is_unavailable_with_its_cause() {
    let (channel, accept) = connect().await;
    let call = unary(&channel, None);
    let mut peer = accept.await.unwrap();
    request(&mut peer).await;
    drop(peer);
    let status = call.await.unwrap().unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    let cause = status.source().and_then(|e| e.downcast_ref::<StreamError>());
    assert!(cause.is_some_and(StreamError::is_connection), "{status:?}");
}

/// A Trailers-Only OK answer is a valid empty stream (interop
/// `empty_stream`), but a unary call still needs its one message.
#[tokio::test]
async fn a_trailers_only_ok_is_an_empty_stream_but_not_a_unary_answer() {
    let (channel, accept) = connect().await;
    let streaming = {
        let channel = channel.clone();
        tokio::spawn(async move {
            let request = Request::new("ping".to_owned());
            let response = channel.server_streaming::<String, String>("/test.Echo/List", request);
            let mut stream = response.await?.into_inner();
            stream.message().await
        })
    };
    let mut peer = accept.await.unwrap();
    let (id, _) = request(&mut peer).await;
    let mut head = ok_head();
    head.push(Header::new("grpc-status", "0"));
    peer.conn.send_headers(id, &head, true).unwrap();
    peer.flush().await;
    assert_eq!(streaming.await.unwrap(), Ok(None));

    let call = unary(&channel, None);
    let (id, _) = request(&mut peer).await;
    peer.conn.send_headers(id, &head, true).unwrap();
    peer.flush().await;
    let status = call.await.unwrap().unwrap_err();
    assert_eq!(status.code(), Code::Internal, "{status}");
}
