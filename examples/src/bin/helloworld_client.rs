//! Calls `Greeter.SayHello` once: `helloworld-client [--addr HOST:PORT]`.
//! Over TLS when `OXGRPC_TLS_CA` is set (see `oxgrpc_examples::tls_env`).

use oxgrpc_examples::helloworld::HelloRequest;
use oxgrpc_examples::helloworld::greeter_client::GreeterClient;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), oxgrpc::Status> {
    let addr = oxgrpc_examples::addr_arg();
    let channel = oxgrpc_examples::tls_env::channel(addr)?;
    let client = GreeterClient::new(channel.connect().await?);
    let reply = client.say_hello(HelloRequest { name: "oxgrpc".into() }).await?;
    println!("{}", reply.into_inner().message);
    Ok(())
}
