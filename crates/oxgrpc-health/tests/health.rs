//! The health service over a real connection: Check, Watch, List, unknown
//! services and shutdown, through the generated client.

use std::net::SocketAddr;
use std::time::Duration;

use oxgrpc::{Code, Server, Streaming};
use oxgrpc_health::pb::health_client::HealthClient;
use oxgrpc_health::pb::{HealthCheckRequest, HealthCheckResponse, HealthListRequest};
use oxgrpc_health::{HealthReporter, MAX_LISTED_SERVICES, ServingStatus};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(5);

struct Running {
    health: HealthReporter,
    client: HealthClient,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
}

/// A server with only the health service, its shutdown signal wrapped by
/// the reporter; the drain grace is long, so a prompt exit means the
/// watches ended by themselves.
async fn start() -> Running {
    let health = HealthReporter::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let signal = health.shutdown_on(async {
        let _ = stopped.await;
    });
    let builder = Server::builder().add_service(health.service());
    let server = tokio::spawn(builder.serve_listener(listener, signal, Duration::from_secs(60)));
    let client = HealthClient::connect(&format!("http://{addr}")).await.expect("connect");
    Running { health, client, stop: Some(stop), server }
}

fn request(service: &str) -> HealthCheckRequest {
    HealthCheckRequest { service: service.to_owned() }
}

async fn check(client: &HealthClient, service: &str) -> Result<ServingStatus, Code> {
    match client.check(request(service)).await {
        Ok(reply) => Ok(reply.get_ref().status()),
        Err(status) => Err(status.code()),
    }
}

async fn next(watch: &mut Streaming<HealthCheckResponse>) -> Option<ServingStatus> {
    let message = tokio::time::timeout(WAIT, watch.message()).await.expect("watch answers in time");
    message.expect("watch stream ok").map(|reply| reply.status())
}

#[tokio::test]
async fn check_answers_for_the_server_and_named_services() {
    let run = start().await;
    assert_eq!(check(&run.client, "").await, Ok(ServingStatus::Serving));
    assert_eq!(check(&run.client, "bookstore.Bookstore").await, Err(Code::NotFound));

    run.health.set_serving("bookstore.Bookstore");
    assert_eq!(check(&run.client, "bookstore.Bookstore").await, Ok(ServingStatus::Serving));
    run.health.set_not_serving("bookstore.Bookstore");
    assert_eq!(check(&run.client, "bookstore.Bookstore").await, Ok(ServingStatus::NotServing));
    run.health.set_not_serving("");
    assert_eq!(check(&run.client, "").await, Ok(ServingStatus::NotServing));

    run.health.clear("bookstore.Bookstore");
    assert_eq!(check(&run.client, "bookstore.Bookstore").await, Err(Code::NotFound));
    run.health.set_status("other", ServingStatus::Serving);
    run.health.set_status("other", ServingStatus::ServiceUnknown);
    assert_eq!(check(&run.client, "other").await, Err(Code::NotFound));
}

#[tokio::test]
async fn watch_streams_every_change_in_order_each_once() {
    let run = start().await;
    let mut watch = run.client.watch(request("svc")).await.expect("watch").into_inner();
    // Unknown at first: SERVICE_UNKNOWN, and the call stays open.
    assert_eq!(next(&mut watch).await, Some(ServingStatus::ServiceUnknown));

    // Back to back, with no time for the watcher to send in between.
    for status in [
        ServingStatus::Serving,
        ServingStatus::Serving,
        ServingStatus::NotServing,
        ServingStatus::Serving,
    ] {
        run.health.set_status("svc", status);
    }
    assert_eq!(next(&mut watch).await, Some(ServingStatus::Serving));
    assert_eq!(next(&mut watch).await, Some(ServingStatus::NotServing));
    assert_eq!(next(&mut watch).await, Some(ServingStatus::Serving));

    // A repeat is not a change: the next message is the next change.
    run.health.set_serving("svc");
    run.health.clear("svc");
    assert_eq!(next(&mut watch).await, Some(ServingStatus::ServiceUnknown));

    // Spaced out, as the article's stream shows them.
    for status in [ServingStatus::Serving, ServingStatus::NotServing, ServingStatus::Serving] {
        run.health.set_status("svc", status);
        assert_eq!(next(&mut watch).await, Some(status));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_watch_of_a_known_service_starts_with_its_status() {
    let run = start().await;
    run.health.set_not_serving("svc");
    let mut watch = run.client.watch(request("svc")).await.expect("watch").into_inner();
    assert_eq!(next(&mut watch).await, Some(ServingStatus::NotServing));
    let mut whole = run.client.watch(request("")).await.expect("watch").into_inner();
    assert_eq!(next(&mut whole).await, Some(ServingStatus::Serving));
}

#[tokio::test]
async fn list_returns_every_service_up_to_the_limit() {
    let run = start().await;
    run.health.set_serving("a.A");
    run.health.set_not_serving("b.B");
    let listed = run.client.list(HealthListRequest {}).await.expect("list").into_inner();
    let mut statuses: Vec<(String, ServingStatus)> =
        listed.statuses.into_iter().map(|(name, reply)| (name, reply.status())).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            (String::new(), ServingStatus::Serving),
            ("a.A".to_owned(), ServingStatus::Serving),
            ("b.B".to_owned(), ServingStatus::NotServing),
        ]
    );

    for i in statuses.len()..MAX_LISTED_SERVICES {
        run.health.set_serving(&format!("svc{i}"));
    }
    let listed = run.client.list(HealthListRequest {}).await.expect("list of 100");
    assert_eq!(listed.get_ref().statuses.len(), MAX_LISTED_SERVICES);

    run.health.set_serving("one.TooMany");
    let err = run.client.list(HealthListRequest {}).await.expect_err("101 services");
    assert_eq!(err.code(), Code::ResourceExhausted);
}

#[tokio::test]
async fn shutdown_turns_everything_not_serving_then_ends_the_watches() {
    let mut run = start().await;
    run.health.set_serving("svc");
    let mut whole = run.client.watch(request("")).await.expect("watch").into_inner();
    let mut named = run.client.watch(request("svc")).await.expect("watch").into_inner();
    let mut unknown = run.client.watch(request("nobody")).await.expect("watch").into_inner();
    assert_eq!(next(&mut whole).await, Some(ServingStatus::Serving));
    assert_eq!(next(&mut named).await, Some(ServingStatus::Serving));
    assert_eq!(next(&mut unknown).await, Some(ServingStatus::ServiceUnknown));

    let _ = run.stop.take().map(|stop| stop.send(()));
    assert_eq!(next(&mut whole).await, Some(ServingStatus::NotServing));
    assert_eq!(next(&mut named).await, Some(ServingStatus::NotServing));
    // Each watch then ends with OK, so the drain does not wait for them.
    assert_eq!(next(&mut whole).await, None);
    assert_eq!(next(&mut named).await, None);
    assert_eq!(next(&mut unknown).await, None);
    let served = tokio::time::timeout(WAIT, run.server).await.expect("server drains in time");
    served.expect("server task").expect("server ok");

    // For good: later updates are ignored.
    run.health.set_serving("svc");
    assert_eq!(run.health.status("svc"), Some(ServingStatus::NotServing));
    assert_eq!(run.health.status(""), Some(ServingStatus::NotServing));
}

#[tokio::test]
async fn the_wrapped_signal_resolves_only_after_the_statuses_changed() {
    let health = HealthReporter::new();
    health.set_serving("svc");
    health.shutdown_on(async {}).await;
    assert_eq!(
        health.statuses(),
        [(String::new(), ServingStatus::NotServing), ("svc".to_owned(), ServingStatus::NotServing)]
    );
}
