//! Framework behaviour seen from a user's side: statuses, routing errors,
//! limits, interceptors, deadlines and shutdown.

mod common;

use bytes::Bytes;
use oxgrpc::status::ErrorDetail;
use oxgrpc::transport::Client;
use oxgrpc::{
    BoxFuture, CallInfo, Channel, Code, Interceptor, Metadata, Request, Response, Server, Status,
    rpc,
};
use oxgrpc_examples::helloworld::greeter_client::GreeterClient;
use oxgrpc_examples::helloworld::greeter_server::{Greeter, GreeterServer};
use oxgrpc_examples::helloworld::{HelloReply, HelloRequest};
use oxgrpc_h2::{Config, Header};
use std::time::Duration;

/// A Greeter whose behaviour is picked by the request's name.
struct TestGreeter {
    /// Where `proxy` calls go.
    upstream: Option<String>,
}

fn reply(message: impl Into<String>) -> Result<Response<HelloReply>, Status> {
    Ok(Response::new(HelloReply { message: message.into() }))
}

impl Greeter for TestGreeter {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        let name = request.get_ref().name.clone();
        match name.as_str() {
            "details" => Err(Status::with_details(
                Code::InvalidArgument,
                "naïve café ☕ 100%",
                &[ErrorDetail::BadRequest(rpc::BadRequest {
                    field_violations: vec![rpc::bad_request::FieldViolation {
                        field: "name".into(),
                        description: "not a name".into(),
                        ..Default::default()
                    }],
                })],
            )),
            "deadline" => {
                let remaining = request.context().remaining().map(|d| d.as_millis());
                reply(format!("{remaining:?}"))
            }
            "proxy" => {
                let upstream = self.upstream.as_deref().unwrap_or_default();
                let client = GreeterClient::connect(upstream).await?;
                let inner = client.say_hello(HelloRequest { name: "deadline".into() }).await?;
                Ok(inner)
            }
            "metadata" => {
                reply(request.metadata().get("x-intercepted").unwrap_or("none").to_string())
            }
            "big" => reply("x".repeat(2 << 20)),
            "slow" => {
                tokio::time::sleep(Duration::from_millis(300)).await;
                reply("finished")
            }
            _ => reply(format!("Hello {name}")),
        }
    }
}

fn greeter() -> GreeterServer<TestGreeter> {
    GreeterServer::new(TestGreeter { upstream: None })
}

async fn hello(uri: &str, name: &str) -> Result<String, Status> {
    let client = GreeterClient::connect(uri).await?;
    Ok(client.say_hello(HelloRequest { name: name.into() }).await?.into_inner().message)
}

#[tokio::test]
async fn status_with_details_and_unicode_message() {
    let server = common::start(Server::builder().add_service(greeter())).await;
    let status = hello(&server.uri(), "details").await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(status.message(), "naïve café ☕ 100%");
    let details = status.error_details().unwrap();
    assert!(
        matches!(&details[0], ErrorDetail::BadRequest(b) if b.field_violations[0].field == "name")
    );
}

#[tokio::test]
async fn unknown_service_and_method_are_unimplemented() {
    let server = common::start(Server::builder().add_service(greeter())).await;
    let channel = Channel::connect(&server.uri()).await.unwrap();
    let request = Request::new(HelloRequest::default());
    let status =
        channel.unary::<_, HelloReply>("/helloworld.Greeter/Nope", request).await.unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented);
    let request = Request::new(HelloRequest::default());
    let status = channel.unary::<_, HelloReply>("/no.Such/Thing", request).await.unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented);
    assert!(status.message().contains("no.Such"), "{}", status.message());
}

/// Sends a raw HTTP/2 request and returns (response head, trailers).
async fn raw(
    addr: std::net::SocketAddr,
    extra: &[(&'static str, &'static str)],
    body: &'static [u8],
) -> Vec<Header> {
    let client = Client::connect(addr, Config::default()).await.unwrap();
    let mut head = vec![
        Header::new(":method", "POST"),
        Header::new(":scheme", "http"),
        Header::new(":path", "/helloworld.Greeter/SayHello"),
        Header::new(":authority", "test"),
        Header::new("te", "trailers"),
    ];
    head.extend(extra.iter().map(|(n, v)| Header::new(*n, *v)));
    let (mut send, mut recv) = client.send_request(head, false).unwrap();
    send.send_data(Bytes::from_static(body), true).await.unwrap();
    let mut fields = recv.head().await.unwrap();
    while recv.data().await.is_some() {}
    fields.extend(recv.trailers().unwrap_or_default());
    fields
}

fn field<'a>(fields: &'a [Header], name: &str) -> Option<&'a [u8]> {
    fields.iter().find(|h| h.name == name.as_bytes()).map(|h| &h.value[..])
}

const HELLO: &[u8] = b"\x00\x00\x00\x00\x04\x0a\x02me";

#[tokio::test]
async fn wrong_content_type_is_http_415() {
    let server = common::start(Server::builder().add_service(greeter())).await;
    let fields = raw(server.addr, &[("content-type", "application/json")], HELLO).await;
    assert_eq!(field(&fields, ":status"), Some(&b"415"[..]));
}

#[tokio::test]
async fn unknown_encoding_is_unimplemented_with_accept_encoding() {
    let server = common::start(Server::builder().add_service(greeter())).await;
    let fields =
        raw(server.addr, &[("content-type", "application/grpc"), ("grpc-encoding", "br")], HELLO)
            .await;
    assert_eq!(field(&fields, "grpc-status"), Some(&b"12"[..]));
    let accepted =
        String::from_utf8(field(&fields, "grpc-accept-encoding").unwrap().to_vec()).unwrap();
    assert!(accepted.contains("gzip"), "{accepted}");
}

#[tokio::test]
async fn compressed_flag_without_encoding_is_internal() {
    let server = common::start(Server::builder().add_service(greeter())).await;
    let fields = raw(
        server.addr,
        &[("content-type", "application/grpc")],
        b"\x01\x00\x00\x00\x04\x0a\x02me",
    )
    .await;
    assert_eq!(field(&fields, "grpc-status"), Some(&b"13"[..]));
}

#[tokio::test]
async fn raw_call_round_trips() {
    let server = common::start(Server::builder().add_service(greeter())).await;
    let fields = raw(server.addr, &[("content-type", "application/grpc")], HELLO).await;
    assert_eq!(field(&fields, ":status"), Some(&b"200"[..]));
    assert_eq!(field(&fields, "grpc-status"), Some(&b"0"[..]));
}

#[tokio::test]
async fn message_size_limits_are_resource_exhausted() {
    let server =
        common::start(Server::builder().add_service(greeter()).max_receive_message_size(64)).await;
    let status = hello(&server.uri(), &"n".repeat(100)).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
    // The client's default 4 MiB receive limit applies to a 2 MiB reply... which fits;
    // a smaller client limit does not.
    let channel =
        Channel::builder(&server.uri()).unwrap().max_receive_message_size(1 << 20).connect_lazy();
    let status = GreeterClient::new(channel)
        .say_hello(HelloRequest { name: "big".into() })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted);
}

struct Auth;

impl Interceptor for Auth {
    fn on_request<'a>(&'a self, call: &'a mut CallInfo) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(async move {
            if call.metadata.get("authorization") != Some("Bearer good") {
                return Err(Status::unauthenticated("missing or bad token"));
            }
            call.metadata
                .insert("x-intercepted", "yes")
                .map_err(|e| Status::internal(e.to_string()))?;
            Ok(())
        })
    }

    fn on_finish<'a>(&'a self, _call: &'a CallInfo, status: &'a mut Status) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let _ = status.metadata_mut().insert("x-audited", "1");
        })
    }
}

struct AddToken;

impl Interceptor for AddToken {
    fn on_request<'a>(&'a self, call: &'a mut CallInfo) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(async move {
            call.metadata
                .insert("authorization", "Bearer good")
                .map_err(|e| Status::internal(e.to_string()))?;
            Ok(())
        })
    }
}

#[tokio::test]
async fn interceptors_reject_change_metadata_and_see_the_status() {
    let server = common::start(Server::builder().add_service(greeter()).interceptor(Auth)).await;
    let status = hello(&server.uri(), "metadata").await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert_eq!(status.metadata().get("x-audited"), Some("1"));

    let channel =
        Channel::builder(&server.uri()).unwrap().interceptor(AddToken).connect().await.unwrap();
    let response = GreeterClient::new(channel)
        .say_hello(HelloRequest { name: "metadata".into() })
        .await
        .unwrap();
    assert_eq!(response.get_ref().message, "yes");
    assert_eq!(response.trailers().get("x-audited"), Some("1"));
}

#[tokio::test]
async fn handler_sees_its_deadline_and_outgoing_calls_inherit_it() {
    let upstream = common::start(Server::builder().add_service(greeter())).await;
    let proxy = GreeterServer::new(TestGreeter { upstream: Some(upstream.uri()) });
    let front = common::start(Server::builder().add_service(proxy)).await;
    let client = GreeterClient::connect(&front.uri()).await.unwrap();

    let mut request = Request::new(HelloRequest { name: "deadline".into() });
    request.set_timeout(Duration::from_secs(5));
    let seen = client.say_hello(request).await.unwrap().into_inner().message;
    let ms: u128 = seen.trim_start_matches("Some(").trim_end_matches(')').parse().unwrap();
    assert!((4000..=5000).contains(&ms), "{seen}");

    let mut request = Request::new(HelloRequest { name: "proxy".into() });
    request.set_timeout(Duration::from_secs(3));
    let seen = client.say_hello(request).await.unwrap().into_inner().message;
    let ms: u128 = seen.trim_start_matches("Some(").trim_end_matches(')').parse().unwrap();
    assert!((1500..=3000).contains(&ms), "upstream saw the inherited deadline: {seen}");

    assert_eq!(
        client
            .say_hello(HelloRequest { name: "deadline".into() })
            .await
            .unwrap()
            .into_inner()
            .message,
        "None"
    );
}

#[tokio::test]
async fn graceful_shutdown_lets_in_flight_calls_finish() {
    let mut server = common::start(Server::builder().add_service(greeter())).await;
    let uri = server.uri();
    let call = tokio::spawn(async move { hello(&uri, "slow").await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.stop();
    assert_eq!(call.await.unwrap().unwrap(), "finished");
    tokio::time::timeout(Duration::from_secs(3), &mut server.task).await.unwrap().unwrap().unwrap();
    assert_eq!(hello(&server.uri(), "x").await.unwrap_err().code(), Code::Unavailable);
}

#[tokio::test]
async fn lazy_channel_connects_on_first_call_and_reports_unavailable() {
    let channel = Channel::lazy("http://127.0.0.1:1").unwrap();
    let status = GreeterClient::new(channel).say_hello(HelloRequest::default()).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert!(Channel::lazy("https://x:1").is_ok());
    assert_eq!(Channel::lazy("ftp://x:1").unwrap_err().code(), Code::InvalidArgument);
    let mut md = Metadata::new();
    assert!(md.insert("grpc-reserved", "x").is_err());
}
