//! A channel: a (re)connecting HTTP/2 connection to one target.

use crate::Status;
use crate::codec::{CompressionEncoding, DEFAULT_MAX_MESSAGE_SIZE};
use crate::interceptor::{Interceptor, Interceptors};
use crate::transport::Client;
use oxgrpc_h2::Config;
use std::sync::{Arc, Mutex};

/// A channel to one server, e.g. `http://127.0.0.1:50051`.
///
/// Cheap to clone (clones share the connection); calls go through `&self`
/// and run concurrently over one HTTP/2 connection. When the connection
/// fails or the server sends GOAWAY, the next call connects again.
///
/// ```no_run
/// # async fn run() -> Result<(), oxgrpc::Status> {
/// let channel = oxgrpc::Channel::connect("http://127.0.0.1:50051").await?;
/// let lazy = oxgrpc::Channel::builder("http://127.0.0.1:50051")?
///     .compression(oxgrpc::CompressionEncoding::Gzip)
///     .connect_lazy();
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Channel {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) authority: String,
    pub(crate) http2: Config,
    pub(crate) interceptors: Interceptors,
    pub(crate) compression: Option<CompressionEncoding>,
    pub(crate) max_receive_message_size: usize,
    pub(crate) max_send_message_size: usize,
    current: Mutex<Option<Client>>,
    connecting: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel").field("authority", &self.inner.authority).finish()
    }
}

impl Channel {
    /// Connects now; fails with UNAVAILABLE if the server cannot be reached.
    pub async fn connect(uri: &str) -> Result<Channel, Status> {
        Channel::builder(uri)?.connect().await
    }

    /// A channel that connects on its first call.
    pub fn lazy(uri: &str) -> Result<Channel, Status> {
        Ok(Channel::builder(uri)?.connect_lazy())
    }

    /// A channel with settings.
    pub fn builder(uri: &str) -> Result<ChannelBuilder, Status> {
        Ok(ChannelBuilder {
            authority: parse_uri(uri)?,
            http2: Config::default(),
            interceptors: Vec::new(),
            compression: None,
            max_receive_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            max_send_message_size: usize::MAX,
        })
    }

    /// The `host:port` this channel talks to.
    pub fn authority(&self) -> &str {
        &self.inner.authority
    }

    /// The live connection, connecting (once, for all waiting callers) if needed.
    pub(crate) async fn client(&self) -> Result<Client, Status> {
        if let Some(client) = self.usable() {
            return Ok(client);
        }
        let _connecting = self.inner.connecting.lock().await;
        if let Some(client) = self.usable() {
            return Ok(client);
        }
        let unavailable = |e: std::io::Error| {
            Status::unavailable(format!("failed to connect to {}: {e}", self.inner.authority))
                .with_source(e)
        };
        let addr = tokio::net::lookup_host(&self.inner.authority)
            .await
            .map_err(unavailable)?
            .next()
            .ok_or_else(|| {
                Status::unavailable(format!("{} has no address", self.inner.authority))
            })?;
        let client = Client::connect(addr, self.inner.http2.clone()).await.map_err(unavailable)?;
        *self.inner.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(client.clone());
        Ok(client)
    }

    fn usable(&self) -> Option<Client> {
        let current = self.inner.current.lock().unwrap_or_else(|p| p.into_inner());
        current.as_ref().filter(|c| !c.is_closed() && !c.is_going_away()).cloned()
    }
}

/// Settings for a [`Channel`].
pub struct ChannelBuilder {
    authority: String,
    http2: Config,
    interceptors: Vec<Arc<dyn Interceptor>>,
    compression: Option<CompressionEncoding>,
    max_receive_message_size: usize,
    max_send_message_size: usize,
}

impl std::fmt::Debug for ChannelBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelBuilder").field("authority", &self.authority).finish()
    }
}

impl ChannelBuilder {
    /// Adds a client interceptor; they run in the order added.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Compresses every request with `encoding` (a call's own choice wins).
    pub fn compression(mut self, encoding: CompressionEncoding) -> Self {
        self.compression = Some(encoding);
        self
    }

    /// The largest response message accepted (default 4 MiB).
    pub fn max_receive_message_size(mut self, bytes: usize) -> Self {
        self.max_receive_message_size = bytes;
        self
    }

    /// The largest request message sent (default unlimited).
    pub fn max_send_message_size(mut self, bytes: usize) -> Self {
        self.max_send_message_size = bytes;
        self
    }

    /// HTTP/2 settings and limits.
    pub fn http2_config(mut self, config: Config) -> Self {
        self.http2 = config;
        self
    }

    /// Builds the channel without connecting.
    pub fn connect_lazy(self) -> Channel {
        Channel {
            inner: Arc::new(Inner {
                authority: self.authority,
                http2: self.http2,
                interceptors: Interceptors(self.interceptors),
                compression: self.compression,
                max_receive_message_size: self.max_receive_message_size,
                max_send_message_size: self.max_send_message_size,
                current: Mutex::new(None),
                connecting: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// Builds the channel and connects now.
    pub async fn connect(self) -> Result<Channel, Status> {
        let channel = self.connect_lazy();
        channel.client().await?;
        Ok(channel)
    }
}

/// `http://host:port[/]` or `host:port` → `host:port`.
fn parse_uri(uri: &str) -> Result<String, Status> {
    let rest = if let Some(rest) = uri.strip_prefix("http://") {
        rest
    } else if uri.starts_with("https://") {
        return Err(Status::unimplemented("TLS (https://) is not supported yet"));
    } else {
        uri
    };
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains('/') || !authority.contains(':') {
        return Err(Status::invalid_argument(format!(
            "invalid target {uri:?}: expected http://host:port"
        )));
    }
    Ok(authority.to_string())
}
