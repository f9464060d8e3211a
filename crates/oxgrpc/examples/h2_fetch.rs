//! Fetches one URL over HTTP/2 with prior knowledge (h2c) using oxgrpc's
//! engine, for testing it against real HTTP/2 servers such as nghttpd.
//!
//! Usage: `h2_fetch http://HOST:PORT/PATH [-o FILE] [-d FILE_TO_POST]`
//! Prints `status: N` and `length: N` on stdout.

use bytes::Bytes;
use oxgrpc::transport::Client;
use oxgrpc_h2::{Config, Header};
use std::io::Write;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut url = None;
    let mut output = None;
    let mut post = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-o" => output = args.next(),
            "-d" => post = args.next(),
            _ => url = Some(arg),
        }
    }
    let url = url.ok_or("usage: h2_fetch URL [-o FILE] [-d FILE]")?;
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs (h2c)")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let addr = tokio::net::lookup_host(authority).await?.next().ok_or("cannot resolve host")?;

    let client = Client::connect(addr, Config::default()).await?;
    let body = match &post {
        Some(file) => Some(Bytes::from(std::fs::read(file)?)),
        None => None,
    };
    let head = vec![
        Header::new(":method", if body.is_some() { "POST" } else { "GET" }),
        Header::new(":scheme", "http"),
        Header::new(":path", path.to_string()),
        Header::new(":authority", authority.to_string()),
        Header::new("user-agent", "oxgrpc-h2_fetch"),
    ];
    let (mut send, mut response) = client.send_request(head, body.is_none())?;
    if let Some(body) = body {
        send.send_data(body, true).await?;
    }
    let head = response.head().await?;
    let status = head.iter().find(|h| h.name == ":status").map(|h| h.value.clone());
    let mut out: Box<dyn Write> = match &output {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => Box::new(std::io::sink()),
    };
    let mut length = 0usize;
    while let Some(chunk) = response.data().await {
        let chunk = chunk?;
        length += chunk.len();
        out.write_all(&chunk)?;
    }
    out.flush()?;
    println!("status: {}", String::from_utf8_lossy(&status.unwrap_or_default()));
    println!("length: {length}");
    client.close();
    Ok(())
}
