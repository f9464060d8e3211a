//! Many SayHello calls with a deadline each, for soak and fault tests:
//! `helloworld-soak [--addr HOST:PORT]` with `SOAK_CALLS` (default 10000),
//! `SOAK_CONCURRENCY` (default 16) and `SOAK_TIMEOUT_MS` (default 2000);
//! over TLS when `OXGRPC_TLS_CA` is set (see `oxgrpc_examples::tls_env`).
//!
//! Prints how many calls succeeded and how many ended with
//! DEADLINE_EXCEEDED, and the latency percentiles. Exits 1 if any call ended
//! any other way, so a caller can assert that every call either succeeded or
//! hit its deadline: none hung, none failed for another reason.

use oxgrpc::{Code, Request};
use oxgrpc_examples::helloworld::HelloRequest;
use oxgrpc_examples::helloworld::greeter_client::GreeterClient;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let addr = oxgrpc_examples::addr_arg();
    let calls = env("SOAK_CALLS", 10_000) as usize;
    let concurrency = env("SOAK_CONCURRENCY", 16).max(1) as usize;
    let timeout = Duration::from_millis(env("SOAK_TIMEOUT_MS", 2000));
    let channel = async { oxgrpc_examples::tls_env::channel(addr)?.connect().await };
    let client = match channel.await {
        Ok(channel) => GreeterClient::new(channel),
        Err(status) => {
            eprintln!("helloworld-soak: cannot connect: {status}");
            std::process::exit(1);
        }
    };
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, next) = (client.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let (mut ok, mut deadline, mut other, mut latencies) = (0, 0, Vec::new(), Vec::new());
            while next.fetch_add(1, Ordering::Relaxed) < calls {
                let mut request = Request::new(HelloRequest { name: "soak".into() });
                request.set_timeout(timeout);
                let started = Instant::now();
                match client.say_hello(request).await {
                    Ok(_) => {
                        ok += 1;
                        latencies.push(started.elapsed());
                    }
                    Err(status) if status.code() == Code::DeadlineExceeded => deadline += 1,
                    Err(status) => other.push(status),
                }
            }
            (ok, deadline, other, latencies)
        }));
    }
    let (mut ok, mut deadline, mut other, mut latencies) = (0, 0, Vec::new(), Vec::new());
    for worker in workers {
        let (o, d, x, l) = worker.await.expect("worker panicked");
        ok += o;
        deadline += d;
        other.extend(x);
        latencies.extend(l);
    }
    latencies.sort();
    let at = |q: f64| latencies.get(((latencies.len().max(1) - 1) as f64 * q) as usize).copied();
    println!(
        "helloworld-soak: {calls} calls in {:.1} s: {ok} ok, {deadline} deadline exceeded, {} other; \
         p50 {:?}, p99 {:?}, max {:?}",
        start.elapsed().as_secs_f64(),
        other.len(),
        at(0.5).unwrap_or_default(),
        at(0.99).unwrap_or_default(),
        at(1.0).unwrap_or_default(),
    );
    for status in other.iter().take(5) {
        println!("  other: {status}");
    }
    if !other.is_empty() {
        std::process::exit(1);
    }
}
