//! Calls `Greeter.SayHello` once: `helloworld-client [--addr HOST:PORT]`.

use oxgrpc_examples::helloworld::HelloRequest;
use oxgrpc_examples::helloworld::greeter_client::GreeterClient;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), oxgrpc::Status> {
    let addr = oxgrpc_examples::addr_arg();
    let client = GreeterClient::connect(&format!("http://{addr}")).await?;
    let reply = client.say_hello(HelloRequest { name: "oxgrpc".into() }).await?;
    println!("{}", reply.into_inner().message);
    Ok(())
}
