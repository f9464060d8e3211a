//! The client side: one connection, many concurrent streams.

use super::driver::{ConnState, Driver};
use super::error::StreamError;
use super::shared::{Command, Shared};
use super::stream::{RecvStream, SendStream};
use crate::rt;
use oxgrpc_h2::{Config, Connection, Header, Role};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedSender;

/// A handle to one client HTTP/2 connection. Cheap to clone; requests go
/// through `&self` and may run concurrently. The connection task ends when
/// every handle is gone and no stream is left.
///
/// ```no_run
/// use oxgrpc::transport::Client;
/// use oxgrpc_h2::{Config, Header};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let client = Client::connect("127.0.0.1:8080".parse()?, Config::default()).await?;
/// let head = vec![
///     Header::new(":method", "GET"),
///     Header::new(":scheme", "http"),
///     Header::new(":path", "/"),
///     Header::new(":authority", "127.0.0.1:8080"),
/// ];
/// let (_send, mut response) = client.send_request(head, true)?;
/// let status = response.head().await?;
/// while let Some(chunk) = response.data().await {
///     println!("{} bytes", chunk?.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    commands: UnboundedSender<Command>,
    state: Arc<ConnState>,
}

impl Client {
    /// Connects over TCP (with TCP_NODELAY) and starts the connection task.
    pub async fn connect(addr: SocketAddr, config: Config) -> std::io::Result<Client> {
        let tcp = TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        Ok(Client::handshake(tcp, config))
    }

    /// Starts HTTP/2 over an established byte stream (TLS goes here).
    pub fn handshake<T>(io: T, config: Config) -> Client
    where
        T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let conn = Connection::client(config, rt::now());
        let (driver, commands) = Driver::client(io, conn);
        let client = Client { commands, state: driver.state() };
        rt::spawn(driver.run(std::future::pending()));
        client
    }

    /// Starts a request. Returns at once; the stream opens as soon as the
    /// server's concurrency limit allows.
    pub fn send_request(
        &self,
        head: Vec<Header>,
        end_stream: bool,
    ) -> Result<(SendStream, RecvStream), StreamError> {
        if self.is_closed() {
            return Err(StreamError::closed());
        }
        let shared = Shared::new(0);
        let command = Command::Open { shared: shared.clone(), fields: head, end_stream };
        self.commands.send(command).map_err(|_| StreamError::closed())?;
        Ok((
            if end_stream {
                SendStream::ended(shared.clone(), self.commands.clone())
            } else {
                SendStream::new(shared.clone(), self.commands.clone())
            },
            RecvStream::new(shared, self.commands.clone(), Role::Client),
        ))
    }

    /// Whether the connection is gone.
    pub fn is_closed(&self) -> bool {
        self.state.closed.load(Ordering::Acquire)
    }

    /// Whether the server sent GOAWAY: no new requests will be accepted here.
    pub fn is_going_away(&self) -> bool {
        self.state.going_away.load(Ordering::Acquire)
    }

    /// Sends GOAWAY: in-flight streams finish, then the connection closes.
    pub fn close(&self) {
        let _ = self.commands.send(Command::GoAway);
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("closed", &self.is_closed()).finish()
    }
}
