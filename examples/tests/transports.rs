//! The transports beside TCP (unix sockets, and in-process, which runs
//! on the same public `Listener` and `Connect` traits any byte stream of
//! the application's would), and call credentials, end to end.

mod common;

use oxgrpc::{
    BoxFuture, CallCredentials, Channel, Code, CredentialsContext, Metadata, Request, Response,
    Server, ServerBuilder, Status,
};
use oxgrpc_examples::auth::BearerAuth;
use oxgrpc_examples::helloworld::greeter_client::GreeterClient;
use oxgrpc_examples::helloworld::greeter_server::{Greeter, GreeterServer};
use oxgrpc_examples::helloworld::{HelloReply, HelloRequest};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Answers with the unix credentials it sees: `uid:pid`, or `-`.
struct Who;

impl Greeter for Who {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        let message = match request.context().peer().unix_peer() {
            Some(unix) => format!("{}:{}", unix.uid, unix.pid.unwrap_or(-1)),
            None => "-".into(),
        };
        Ok(Response::new(HelloReply { message }))
    }
}

fn builder() -> ServerBuilder {
    Server::builder().add_service(GreeterServer::new(Who))
}

async fn hello(channel: Channel) -> Result<String, Status> {
    let client = GreeterClient::new(channel);
    Ok(client.say_hello(HelloRequest { name: "x".into() }).await?.into_inner().message)
}

fn serve(listener: impl oxgrpc::transport::Listener, builder: ServerBuilder) {
    tokio::spawn(builder.serve_incoming(listener, std::future::pending(), Duration::ZERO));
}

#[tokio::test]
async fn unix_sockets_carry_the_peers_credentials() {
    let path = std::env::temp_dir().join(format!("oxgrpc-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    serve(tokio::net::UnixListener::bind(&path).unwrap(), builder());
    let me = format!("{}:{}", current_uid(), std::process::id());
    for target in [format!("unix:{}", path.display()), format!("unix://{}", path.display())] {
        let reply = hello(Channel::connect(&target).await.unwrap()).await.unwrap();
        assert_eq!(reply, me, "{target}");
    }
    let _ = std::fs::remove_file(&path);

    let name = format!("oxgrpc-test-{}", std::process::id());
    serve(oxgrpc::transport::bind_abstract(&name).unwrap(), builder());
    let channel = Channel::connect(&format!("unix-abstract:{name}")).await.unwrap();
    assert_eq!(hello(channel).await.unwrap(), me);
}

fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}

#[tokio::test]
async fn in_process_channels_need_no_socket() {
    let (listener, connector) = oxgrpc::transport::in_process();
    serve(listener, builder());
    let channel =
        Channel::builder("http://in-process:0").unwrap().connector(connector).connect_lazy();
    let calls: Vec<_> = (0..20).map(|_| tokio::spawn(hello(channel.clone()))).collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), "-");
    }
}

/// A token the test changes between calls, as a refresher would.
struct Token(Arc<Mutex<Result<String, Status>>>, Arc<Mutex<Vec<String>>>);

impl CallCredentials for Token {
    fn metadata<'a>(
        &'a self,
        call: CredentialsContext<'a>,
    ) -> BoxFuture<'a, Result<Metadata, Status>> {
        Box::pin(async move {
            self.1.lock().unwrap().push(call.method.to_owned());
            let token = self.0.lock().unwrap().clone()?;
            let mut metadata = Metadata::new();
            metadata.insert("authorization", &format!("Bearer {token}")).unwrap();
            Ok(metadata)
        })
    }
}

#[tokio::test]
async fn call_credentials_add_tokens_and_their_failures_end_calls() {
    let (listener, connector) = oxgrpc::transport::in_process();
    serve(listener, builder().interceptor(BearerAuth::new(["s3cret"])));
    let token = Arc::new(Mutex::new(Ok("s3cret".to_owned())));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let lazy = || Channel::builder("http://in-process:0").unwrap().connector(connector.clone());

    let insecure = lazy().call_credentials(Token(token.clone(), seen.clone())).connect_lazy();
    let status = hello(insecure).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(status.message().contains("secure channel"), "{}", status.message());

    let channel = lazy()
        .call_credentials(Token(token.clone(), seen.clone()))
        .allow_insecure_call_credentials()
        .connect_lazy();
    assert_eq!(hello(channel.clone()).await.unwrap(), "-");
    assert_eq!(seen.lock().unwrap().as_slice(), ["/helloworld.Greeter/SayHello"]);

    *token.lock().unwrap() = Ok("stale".into());
    assert_eq!(hello(channel.clone()).await.unwrap_err().code(), Code::Unauthenticated);
    *token.lock().unwrap() = Err(Status::internal("token service down"));
    let status = hello(channel.clone()).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert!(status.message().contains("token service down"), "{}", status.message());
    *token.lock().unwrap() = Err(Status::unauthenticated("revoked"));
    assert_eq!(hello(channel.clone()).await.unwrap_err().code(), Code::Unauthenticated);

    let anonymous = lazy().connect_lazy();
    let status = hello(anonymous).await.unwrap_err();
    assert_eq!((status.code(), status.message()), (Code::Unauthenticated, "missing bearer token"));
}
