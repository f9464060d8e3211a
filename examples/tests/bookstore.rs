//! The bookstore example, end to end over real sockets: the four kinds of
//! call, metadata, errors, compression and cancellation.

mod common;

use futures_util::{StreamExt, stream};
use oxgrpc::{Code, CompressionEncoding, Request};
use oxgrpc_examples::bookstore::bookstore_client::{BookstoreBlockingClient, BookstoreClient};
use oxgrpc_examples::bookstore::{Book, GetBookRequest};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The real `bookstore-server` binary on a free port.
struct ServerProcess {
    child: Child,
    addr: String,
}

impl ServerProcess {
    fn start() -> ServerProcess {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_bookstore-server"))
            .args(["--addr", &addr])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        for _ in 0..200 {
            if std::net::TcpStream::connect(&addr).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        ServerProcess { child, addr }
    }

    fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and returns what it logged.
    fn stop(mut self) -> String {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let output = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap());
        let out = output.wait_with_output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn book(id: &str, title: &str) -> Book {
    Book { id: id.into(), title: title.into(), author: "someone".into() }
}

fn get(id: &str) -> GetBookRequest {
    GetBookRequest { id: id.into() }
}

#[tokio::test]
async fn one_call_of_each_kind() {
    let server = ServerProcess::start();
    let client = BookstoreClient::connect(&server.uri()).await.unwrap();

    let got = client.get_book(get("2")).await.unwrap().into_inner();
    assert_eq!(got.title, "Protobuf in Practice");

    let listed = client.list_books(()).await.unwrap().into_inner().collect_all().await.unwrap();
    assert_eq!(listed.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), ["1", "2", "3", "123"]);

    let added =
        client.add_books(stream::iter(vec![book("10", "a"), book("11", "b")])).await.unwrap();
    assert_eq!(added.into_inner().books, vec![book("10", "a"), book("11", "b")]);
    assert_eq!(client.get_book(get("11")).await.unwrap().into_inner().title, "b");

    let replies = client.chat(stream::iter(vec![book("1", "x"), book("2", "y")])).await.unwrap();
    let titles: Vec<String> =
        replies.into_inner().collect_all().await.unwrap().into_iter().map(|b| b.title).collect();
    assert_eq!(titles, vec!["x - Received", "y - Received"]);
}

/// The article's grpcurl session: `{"id":"123"}` gets its sample book.
#[tokio::test]
async fn the_article_s_book_123() {
    let server = ServerProcess::start();
    let client = BookstoreClient::connect(&server.uri()).await.unwrap();
    let got = client.get_book(get("123")).await.unwrap().into_inner();
    let expected =
        Book { id: "123".into(), title: "A Sample Book".into(), author: "An Author".into() };
    assert_eq!(got, expected);
    let first = client.get_book(get("1")).await.unwrap().into_inner();
    assert_eq!((first.title.as_str(), first.author.as_str()), ("gRPC Fundamentals", "Jane Smith"));
}

#[tokio::test]
async fn adding_a_known_id_replaces_the_book_in_place() {
    let server = ServerProcess::start();
    let client = BookstoreClient::connect(&server.uri()).await.unwrap();
    client.add_books(stream::iter(vec![book("2", "second edition")])).await.unwrap();
    let listed = client.list_books(()).await.unwrap().into_inner().collect_all().await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "123"]);
    assert_eq!(listed[1].title, "second edition");
}

#[tokio::test]
async fn unknown_book_is_not_found() {
    let server = ServerProcess::start();
    let client = BookstoreClient::connect(&server.uri()).await.unwrap();
    let status = client.get_book(get("404")).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(status.message(), "book not found");
}

#[tokio::test]
async fn metadata_both_ways_including_binary() {
    let server = ServerProcess::start();
    let client = BookstoreClient::connect(&server.uri()).await.unwrap();
    let mut request = Request::new(get("1"));
    request.metadata_mut().insert("x-trace", "abc").unwrap();
    request.metadata_mut().insert_bin("x-token-bin", vec![0u8, 1, 0xff]).unwrap();
    let response = client.get_book(request).await.unwrap();
    assert_eq!(response.metadata().get("x-trace"), Some("abc"));
    assert_eq!(response.metadata().get_bin("x-token-bin").unwrap()[..], [0u8, 1, 0xff]);
    assert_eq!(response.trailers().get("x-served-by"), Some("oxgrpc-bookstore"));

    let mut request = Request::new(stream::iter(vec![book("1", "m")]));
    request.metadata_mut().insert("x-stream", "yes").unwrap();
    let response = client.chat(request).await.unwrap();
    assert_eq!(response.metadata().get("x-stream"), Some("yes"));
    let mut replies = response.into_inner();
    while replies.message().await.unwrap().is_some() {}
    assert_eq!(replies.trailers().unwrap().get("x-served-by"), Some("oxgrpc-bookstore"));
}

#[tokio::test]
async fn deadline_expires() {
    let server = ServerProcess::start();
    let client = BookstoreClient::connect(&server.uri()).await.unwrap();
    let mut request = Request::new(get("1"));
    request.metadata_mut().insert("x-delay-ms", "3000").unwrap();
    request.set_timeout(Duration::from_millis(200));
    let started = Instant::now();
    let status = client.get_book(request).await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded);
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = server.stop();
    assert!(
        log.contains("/bookstore.Bookstore/GetBook -> DEADLINE_EXCEEDED")
            || log.contains("cancelled: /bookstore.Bookstore/GetBook"),
        "{log}"
    );
}

#[tokio::test]
async fn dropping_a_stream_midway_cancels_the_handler() {
    let server = ServerProcess::start();
    let client = BookstoreClient::connect(&server.uri()).await.unwrap();
    let mut request = Request::new(());
    request.metadata_mut().insert("x-delay-ms", "300").unwrap();
    let mut books = client.list_books(request).await.unwrap().into_inner();
    assert_eq!(books.next().await.unwrap().unwrap().id, "1");
    drop(books);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = server.stop();
    assert!(log.contains("cancelled: /bookstore.Bookstore/ListBooks"), "{log}");
}

#[tokio::test]
async fn compressed_both_ways() {
    let server = ServerProcess::start();
    let client = BookstoreClient::connect(&server.uri()).await.unwrap();
    for encoding in
        [CompressionEncoding::Gzip, CompressionEncoding::Deflate, CompressionEncoding::Zstd]
    {
        let big = "r".repeat(100_000);
        let mut request = Request::new(stream::iter(vec![book("1", &big)]));
        request.set_compression(encoding);
        let replies = client.chat(request).await.unwrap().into_inner().collect_all().await.unwrap();
        assert_eq!(replies[0].title, format!("{big} - Received"), "{encoding:?}");
    }
}

#[test]
fn blocking_client() {
    let server = ServerProcess::start();
    let client = BookstoreBlockingClient::connect(&server.uri()).unwrap();
    assert_eq!(client.get_book(get("3")).unwrap().into_inner().id, "3");
    assert_eq!(client.list_books(()).unwrap().len(), 4);
    assert_eq!(client.add_books(vec![book("20", "z")]).unwrap().into_inner().books.len(), 1);
    assert_eq!(client.chat(vec![book("21", "q")]).unwrap()[0].title, "q - Received");
}

/// Records the final status of every call it sees.
struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<Code>>>);

impl oxgrpc::Interceptor for Recorder {
    fn on_finish<'a>(
        &'a self,
        _call: &'a oxgrpc::CallInfo,
        status: &'a mut oxgrpc::Status,
    ) -> oxgrpc::BoxFuture<'a, ()> {
        Box::pin(async move { self.0.lock().unwrap().push(status.code()) })
    }
}

#[tokio::test]
async fn client_interceptor_sees_a_stream_s_final_status_at_its_end() {
    let server = ServerProcess::start();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let channel = oxgrpc::Channel::builder(&server.uri())
        .unwrap()
        .interceptor(Recorder(seen.clone()))
        .connect()
        .await
        .unwrap();
    let client = BookstoreClient::new(channel);
    let mut books = client.list_books(()).await.unwrap().into_inner();
    assert_eq!(books.message().await.unwrap().unwrap().id, "1");
    assert!(seen.lock().unwrap().is_empty(), "the stream has not ended yet");
    while books.message().await.unwrap().is_some() {}
    assert_eq!(*seen.lock().unwrap(), vec![Code::Ok]);

    let status = client.get_book(get("404")).await.unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    assert_eq!(*seen.lock().unwrap(), vec![Code::Ok, Code::NotFound]);
}

#[tokio::test]
async fn health_and_reflection_are_served() {
    use oxgrpc_health::ServingStatus;
    use oxgrpc_health::pb::{HealthCheckRequest, health_client::HealthClient};
    use oxgrpc_reflection::pb::v1::ServerReflectionRequest;
    use oxgrpc_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use oxgrpc_reflection::pb::v1::server_reflection_request::MessageRequest;
    use oxgrpc_reflection::pb::v1::server_reflection_response::MessageResponse;

    let server = ServerProcess::start();
    let health = HealthClient::connect(&server.uri()).await.unwrap();
    for service in ["", "bookstore.Bookstore"] {
        let reply = health.check(HealthCheckRequest { service: service.into() }).await.unwrap();
        assert_eq!(reply.get_ref().status(), ServingStatus::Serving, "{service:?}");
    }

    let reflection = ServerReflectionClient::connect(&server.uri()).await.unwrap();
    let ask = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let answers = reflection.server_reflection_info(stream::iter([ask])).await.unwrap();
    let answers = answers.into_inner().collect_all().await.unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = &answers[0].message_response else {
        panic!("expected a service list: {answers:?}");
    };
    let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    // The bookstore package's own descriptor set: no helloworld.Greeter.
    assert_eq!(
        names,
        [
            "bookstore.Bookstore",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
        ]
    );
}
