//! Cancelling calls and per-message compression, between a real server
//! and a channel on loopback.

use crate::call::{CallInfo, Request, Response, WithCompression};
use crate::client::Channel;
use crate::codec::CompressionEncoding;
use crate::rt::BoxFuture;
use crate::server::{ResponseSink, Server, ServerCall, Service};
use crate::status::{Code, Status};
use crate::streaming::Streaming;
use futures_util::stream;
use std::time::Duration;
use tokio::sync::mpsc;

const GZIP: CompressionEncoding = CompressionEncoding::Gzip;

/// `Echo` answers `message:compressed`, compressed unless the message is
/// `plain`; `Collect` joins what it receives; `Chat` answers each message,
/// switching compression off on `plain` and on on `gzip`.
struct Calls;

fn tagged(message: &str, compressed: bool) -> String {
    format!("{message}:{compressed}")
}

impl Service for Calls {
    fn name(&self) -> &'static str {
        "test.Calls"
    }

    fn methods(&self) -> &'static [&'static str] {
        &["Echo", "Collect", "Chat"]
    }

    fn call(&self, method: &str, call: ServerCall) -> Result<BoxFuture<'static, ()>, ServerCall> {
        match method {
            "Echo" => Ok(call.unary(|request: Request<String>| async move {
                let compressed = request.message_compressed();
                let message = request.into_inner();
                let plain = message == "plain";
                let mut response = Response::new(tagged(&message, compressed));
                response.set_compression(if plain { None } else { Some(GZIP) });
                Ok(response)
            })),
            "Collect" => {
                Ok(call.client_streaming(|request: Request<Streaming<String>>| async move {
                    let mut requests = request.into_inner();
                    let mut all = Vec::new();
                    while let Some(message) = requests.message().await? {
                        all.push(tagged(&message, requests.last_message_compressed()));
                    }
                    Ok(Response::new(all.join(",")))
                }))
            }
            "Chat" => Ok(call.bidi_streaming(
                |request: Request<Streaming<String>>, mut sink: ResponseSink<String>| async move {
                    let mut requests = request.into_inner();
                    sink.set_compression(Some(GZIP));
                    while let Some(message) = requests.message().await? {
                        match message.as_str() {
                            "plain" => sink.set_compression(None),
                            "gzip" => sink.set_compression(Some(GZIP)),
                            _ => {}
                        }
                        sink.send(tagged(&message, requests.last_message_compressed())).await?;
                    }
                    Ok(())
                },
            )),
            _ => Err(call),
        }
    }
}

/// Sends each call's method and final status, as the server saw them.
struct Finished(mpsc::UnboundedSender<(String, Code)>);

impl crate::Interceptor for Finished {
    fn on_finish<'a>(&'a self, call: &'a CallInfo, status: &'a mut Status) -> BoxFuture<'a, ()> {
        let _ = self.0.send((call.method.clone(), status.code()));
        Box::pin(async {})
    }
}

async fn serve() -> (Channel, mpsc::UnboundedReceiver<(String, Code)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    let server = Server::builder().add_service(Calls).interceptor(Finished(tx));
    tokio::spawn(server.serve_listener(listener, std::future::pending(), Duration::ZERO));
    (Channel::connect(&uri).await.unwrap(), rx)
}

async fn server_saw(seen: &mut mpsc::UnboundedReceiver<(String, Code)>) -> (String, Code) {
    tokio::time::timeout(Duration::from_secs(5), seen.recv()).await.unwrap().unwrap()
}

#[tokio::test]
async fn cancel_after_begin() {
    let (channel, mut seen) = serve().await;
    let mut request = Request::new(stream::pending::<String>());
    let cancel = request.cancel_handle();
    let call = tokio::spawn(async move {
        channel.client_streaming::<_, String, String>("/test.Calls/Collect", request).await
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!call.is_finished());
    cancel.cancel();
    let status = call.await.unwrap().unwrap_err();
    assert_eq!(status.code(), Code::Cancelled);
    assert_eq!(server_saw(&mut seen).await, ("/test.Calls/Collect".into(), Code::Cancelled));
}

#[tokio::test]
async fn cancel_after_first_response() {
    let (channel, mut seen) = serve().await;
    let (tx, rx) = mpsc::unbounded_channel::<String>();
    let requests = tokio_stream_from(rx);
    tx.send("one".into()).unwrap();
    let mut replies = channel
        .bidi_streaming::<_, String, String>("/test.Calls/Chat", Request::new(requests))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replies.message().await.unwrap().as_deref(), Some("one:false"));
    replies.cancel();
    assert_eq!(replies.message().await.unwrap_err().code(), Code::Cancelled);
    assert_eq!(server_saw(&mut seen).await, ("/test.Calls/Chat".into(), Code::Cancelled));
    assert!(replies.message().await.unwrap().is_none());
}

#[tokio::test]
async fn a_cancel_handle_ends_a_response_stream() {
    let (channel, mut seen) = serve().await;
    let (tx, rx) = mpsc::unbounded_channel::<String>();
    let mut request = Request::new(tokio_stream_from(rx));
    let cancel = request.cancel_handle();
    tx.send("one".into()).unwrap();
    let mut replies = channel
        .bidi_streaming::<_, String, String>("/test.Calls/Chat", request)
        .await
        .unwrap()
        .into_inner();
    assert!(replies.message().await.unwrap().is_some());
    let reader = tokio::spawn(async move { replies.message().await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    cancel.cancel();
    assert_eq!(reader.await.unwrap().unwrap_err().code(), Code::Cancelled);
    assert_eq!(server_saw(&mut seen).await.1, Code::Cancelled);
}

#[tokio::test]
async fn unary_compression_both_ways() {
    let (channel, _seen) = serve().await;
    for (message, compress, response_compressed) in
        [("big", true, true), ("big", false, true), ("plain", true, false)]
    {
        let mut request = Request::new(message.to_owned());
        if compress {
            request.set_compression(GZIP);
        }
        let response = channel.unary::<String, String>("/test.Calls/Echo", request).await.unwrap();
        assert_eq!(response.message_compressed(), response_compressed, "{message} {compress}");
        assert_eq!(response.into_inner(), tagged(message, compress));
    }
}

#[tokio::test]
async fn a_client_stream_compresses_per_message() {
    let (channel, _seen) = serve().await;
    let messages = vec![
        WithCompression::compressed("a".to_owned()),
        WithCompression::uncompressed("b".to_owned()),
        WithCompression::compressed("c".to_owned()),
    ];
    let mut request = Request::new(stream::iter(messages));
    request.set_compression(GZIP);
    let response =
        channel.client_streaming::<_, _, String>("/test.Calls/Collect", request).await.unwrap();
    assert_eq!(response.into_inner(), "a:true,b:false,c:true");

    let request = Request::new(stream::iter(vec![WithCompression::compressed("d".to_owned())]));
    let response =
        channel.client_streaming::<_, _, String>("/test.Calls/Collect", request).await.unwrap();
    assert_eq!(response.into_inner(), "d:false", "no encoding for the call: sent plain");
}

#[tokio::test]
async fn a_response_stream_turns_compression_off_and_on() {
    let (channel, _seen) = serve().await;
    let requests = stream::iter(["x", "plain", "y", "gzip", "z"].map(String::from));
    let mut replies = channel
        .bidi_streaming::<_, String, String>("/test.Calls/Chat", Request::new(requests))
        .await
        .unwrap()
        .into_inner();
    let mut flags = Vec::new();
    while let Some(reply) = replies.message().await.unwrap() {
        flags.push((reply, replies.last_message_compressed()));
    }
    let expected = [("x", true), ("plain", false), ("y", false), ("gzip", true), ("z", true)];
    let expected: Vec<_> = expected.iter().map(|(m, c)| (tagged(m, false), *c)).collect();
    assert_eq!(flags, expected);
}

/// A stream of what `rx` receives.
fn tokio_stream_from(
    mut rx: mpsc::UnboundedReceiver<String>,
) -> impl futures_util::Stream<Item = String> + Send + 'static {
    stream::poll_fn(move |cx| rx.poll_recv(cx))
}
