//! Client side of the negative HTTP/2 tests (tests/peers/test_neg_client.py):
//! `neg-client --addr HOST:PORT [--then N] [--pause-ms MS]`.
//!
//! Makes one `Greeter.SayHello` call, waits `--pause-ms`, then makes `--then`
//! calls concurrently, all on one channel.  Prints one line per call,
//! `call I: OK LEN` (LEN: bytes in the reply's message) or `call I: CODE
//! MESSAGE`, and leaves the verdict to the test.  Every call has a 10 s
//! deadline, so a client that hangs shows up as DEADLINE_EXCEEDED.

use std::time::Duration;

use futures_util::future::join_all;
use oxgrpc::Request;
use oxgrpc_examples::helloworld::HelloRequest;
use oxgrpc_examples::helloworld::greeter_client::GreeterClient;

struct Args {
    addr: String,
    then: usize,
    pause: Duration,
}

fn usage(problem: &str) -> ! {
    eprintln!("neg-client: {problem}");
    eprintln!("usage: neg-client --addr HOST:PORT [--then N] [--pause-ms MS]");
    std::process::exit(2);
}

fn args() -> Args {
    let mut parsed =
        Args { addr: "127.0.0.1:50051".into(), then: 1, pause: Duration::from_millis(0) };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let Some(value) = args.next() else { usage(&format!("{arg} needs a value")) };
        match arg.as_str() {
            "--addr" => parsed.addr = value,
            "--then" => {
                parsed.then = value.parse().unwrap_or_else(|_| usage("--then takes a count"));
            }
            "--pause-ms" => {
                let ms = value.parse().unwrap_or_else(|_| usage("--pause-ms takes milliseconds"));
                parsed.pause = Duration::from_millis(ms);
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    parsed
}

async fn call(client: &GreeterClient, index: usize) -> String {
    let mut request = Request::new(HelloRequest { name: format!("call {index}") });
    request.set_timeout(Duration::from_secs(10));
    match client.say_hello(request).await {
        Ok(reply) => format!("call {index}: OK {}", reply.into_inner().message.len()),
        Err(status) => format!("call {index}: {} {}", status.code(), status.message()),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), oxgrpc::Status> {
    let args = args();
    let client = GreeterClient::connect(&format!("http://{}", args.addr)).await?;
    println!("{}", call(&client, 0).await);
    tokio::time::sleep(args.pause).await;
    let rest = join_all((1..=args.then).map(|index| call(&client, index))).await;
    for line in rest {
        println!("{line}");
    }
    Ok(())
}
