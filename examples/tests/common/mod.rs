//! Shared helpers: start servers on free ports inside the test.

#![allow(dead_code, unreachable_pub)]

use oxgrpc::ServerBuilder;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;

/// A running server; dropping it (or `stop`) shuts it down gracefully.
pub struct Running {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub fn uri(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

pub async fn start(builder: ServerBuilder) -> Running {
    start_with_grace(builder, Duration::from_secs(5)).await
}

pub async fn start_with_grace(builder: ServerBuilder, grace: Duration) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let signal = async move {
        let _ = stopped.await;
    };
    let task = tokio::spawn(builder.serve_listener(listener, signal, grace));
    Running { addr, stop: Some(stop), task }
}
