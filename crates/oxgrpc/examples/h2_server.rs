//! A plain HTTP/2 (h2c) server on oxgrpc's engine, for testing it against
//! real HTTP/2 peers (nghttp, h2load, Python h2).
//!
//! Routes: `GET /` → `hello, world\n`; `POST /echo` streams the body back;
//! `GET /bytes/N` → N bytes (byte i = i % 251); anything else → 404.
//!
//! Usage: `h2_server [--addr 127.0.0.1:8080] [--threads N]`

use bytes::Bytes;
use oxgrpc::transport::{self, IncomingRequest};
use oxgrpc_h2::{Config, Header};

fn main() -> std::io::Result<()> {
    let mut addr = "127.0.0.1:8080".to_string();
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--addr", Some(v)) => addr = v,
            ("--threads", Some(v)) => threads = v.parse().unwrap_or(threads),
            _ => {
                eprintln!("usage: h2_server [--addr HOST:PORT] [--threads N]");
                std::process::exit(2);
            }
        }
    }
    let runtime = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()?
    };
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        eprintln!("h2_server listening on {}", listener.local_addr()?);
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        transport::serve(listener, Config::default(), handle, ctrl_c).await
    })
}

fn status(code: &'static str, content_type: &'static str) -> Vec<Header> {
    vec![Header::new(":status", code), Header::new("content-type", content_type)]
}

async fn handle(mut req: IncomingRequest) {
    let method = req.field(":method").cloned().unwrap_or_default();
    let path = req.field(":path").cloned().unwrap_or_default();
    let response = &mut req.response;
    match (&method[..], &path[..]) {
        (b"GET", b"/") => {
            let _ = response.send_headers(status("200", "text/plain"), false);
            let _ = response.send_data(Bytes::from_static(b"hello, world\n"), true).await;
        }
        (b"POST", b"/echo") => {
            let _ = response.send_headers(status("200", "application/octet-stream"), false);
            while let Some(chunk) = req.body.data().await {
                let Ok(chunk) = chunk else { return };
                if response.send_data(chunk, false).await.is_err() {
                    return;
                }
            }
            let _ = response.send_data(Bytes::new(), true).await;
        }
        (b"GET", p) if p.starts_with(b"/bytes/") => {
            let n = std::str::from_utf8(&p[7..]).ok().and_then(|s| s.parse::<usize>().ok());
            let Some(n) = n else {
                let _ = response.send_headers(status("400", "text/plain"), true);
                return;
            };
            let _ = response.send_headers(status("200", "application/octet-stream"), false);
            let mut sent = 0;
            while sent < n {
                let len = (n - sent).min(64 * 1024);
                let chunk: Bytes = (sent..sent + len).map(|i| (i % 251) as u8).collect();
                sent += len;
                if response.send_data(chunk, sent == n).await.is_err() {
                    return;
                }
            }
            if n == 0 {
                let _ = response.send_data(Bytes::new(), true).await;
            }
        }
        _ => {
            let _ = response.send_headers(status("404", "text/plain"), false);
            let _ = response.send_data(Bytes::from_static(b"not found\n"), true).await;
        }
    }
}
