//! Soak and fault tests, bounded in time: many calls on one channel and on
//! fresh channels, a server killed mid-stream, and a server restarted on the
//! same port.

mod common;

use oxgrpc::{Code, Request, Response, Server, Status};
use oxgrpc_examples::bookstore::bookstore_client::BookstoreClient;
use oxgrpc_examples::helloworld::greeter_client::GreeterClient;
use oxgrpc_examples::helloworld::greeter_server::{Greeter, GreeterServer};
use oxgrpc_examples::helloworld::{HelloReply, HelloRequest};
use std::time::{Duration, Instant};

struct Echo;

impl Greeter for Echo {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        Ok(Response::new(HelloReply { message: request.into_inner().name }))
    }
}

/// Latency percentiles of a soak, for its report line.
fn report(name: &str, mut latencies: Vec<Duration>) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    eprintln!(
        "{name}: {} calls, 0 failed; p50 {:?}, p99 {:?}, max {:?}",
        latencies.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

const SOAK_ITERATIONS: usize = 2000;

/// rpc_soak: 2,000 calls on one channel, each with a 1 s deadline; none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_soak() {
    let server = common::start(Server::builder().add_service(GreeterServer::new(Echo))).await;
    let client = GreeterClient::connect(&server.uri()).await.unwrap();
    let payload = "x".repeat(1024);
    let mut latencies = Vec::with_capacity(SOAK_ITERATIONS);
    for i in 0..SOAK_ITERATIONS {
        let mut request = Request::new(HelloRequest { name: format!("{i}{payload}") });
        request.set_timeout(Duration::from_secs(1));
        let start = Instant::now();
        let reply = client.say_hello(request).await.unwrap_or_else(|s| panic!("call {i}: {s}"));
        latencies.push(start.elapsed());
        assert!(reply.into_inner().message.starts_with(&i.to_string()));
    }
    report("rpc_soak", latencies);
}

/// channel_soak: 2,000 calls, each on a channel of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_soak() {
    let server = common::start(Server::builder().add_service(GreeterServer::new(Echo))).await;
    let mut latencies = Vec::with_capacity(SOAK_ITERATIONS);
    for i in 0..SOAK_ITERATIONS {
        let start = Instant::now();
        let client = GreeterClient::connect(&server.uri()).await.unwrap();
        let mut request = Request::new(HelloRequest { name: i.to_string() });
        request.set_timeout(Duration::from_secs(1));
        let reply = client.say_hello(request).await.unwrap_or_else(|s| panic!("call {i}: {s}"));
        latencies.push(start.elapsed());
        assert_eq!(reply.into_inner().message, i.to_string());
    }
    report("channel_soak", latencies);
}

/// The bookstore server binary, killed (SIGKILL) when dropped.
struct Bookstore(std::process::Child);

impl Bookstore {
    fn start(port: u16) -> Bookstore {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_bookstore-server"))
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "bookstore-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Bookstore(child)
    }
}

impl Drop for Bookstore {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A server killed mid-stream ends the stream with UNAVAILABLE at once; the
/// same server restarted on the same port serves the same channel again.
#[tokio::test]
async fn a_killed_server_is_unavailable_at_once_and_a_restarted_one_is_reconnected() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Bookstore::start(port);
    let client = BookstoreClient::connect(&format!("http://127.0.0.1:{port}")).await.unwrap();
    let mut request = Request::new(());
    request.metadata_mut().insert("x-delay-ms", "300").unwrap();
    let mut books = client.list_books(request).await.unwrap().into_inner();
    assert!(books.message().await.unwrap().is_some());

    drop(server);
    let killed = Instant::now();
    let status = books.message().await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status}");
    assert!(killed.elapsed() < Duration::from_millis(250), "took {:?}", killed.elapsed());

    let _server = Bookstore::start(port);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match client.get_book(oxgrpc_examples::bookstore::GetBookRequest { id: "1".into() }).await {
            Ok(book) => {
                assert_eq!(book.into_inner().id, "1");
                break;
            }
            Err(status) => {
                assert_eq!(status.code(), Code::Unavailable, "{status}");
                assert!(Instant::now() < deadline, "not reconnected: {status}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
