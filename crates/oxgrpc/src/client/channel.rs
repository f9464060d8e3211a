//! A channel: a (re)connecting HTTP/2 connection to one target.

use super::connect::{DEFAULT_CONNECT_TIMEOUT, Dialer};
use super::credentials::{CallCredentials, CallCredentialsList};
use super::target::Target;
use crate::Status;
use crate::codec::{CompressionEncoding, DEFAULT_MAX_MESSAGE_SIZE};
use crate::interceptor::{Interceptor, Interceptors};
use crate::transport::{Client, ClientHandshaker, Connect};
use oxgrpc_h2::Config;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A channel to one server: `http://host:port`, `https://host:port` (TLS),
/// `unix:path`, `unix:///abs/path` or `unix-abstract:name`.
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
    pub(crate) dialer: Dialer,
    pub(crate) credentials: CallCredentialsList,
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
            target: Target::parse(uri)?,
            connector: None,
            handshaker: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            credentials: CallCredentialsList::default(),
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
        let client = self.inner.dialer.connect(self.inner.http2.clone()).await?;
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
    target: Target,
    connector: Option<Arc<dyn Connect>>,
    handshaker: Option<Arc<dyn ClientHandshaker>>,
    connect_timeout: Duration,
    credentials: CallCredentialsList,
    http2: Config,
    interceptors: Vec<Arc<dyn Interceptor>>,
    compression: Option<CompressionEncoding>,
    max_receive_message_size: usize,
    max_send_message_size: usize,
}

impl std::fmt::Debug for ChannelBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelBuilder").field("authority", &self.target.authority).finish()
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

    /// Secures connections with TLS (the target may be `https://` or any
    /// other form); fails if the settings are unusable.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use oxgrpc::transport::tls::{Certificates, ClientTlsConfig};
    /// let ca = Certificates::from_pem(std::fs::read("ca.pem")?)?;
    /// let channel = oxgrpc::Channel::builder("https://127.0.0.1:50051")?
    ///     .tls(ClientTlsConfig::new().ca_certificate(ca).domain_name("foo.test.google.fr"))?
    ///     .connect_lazy();
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tls")]
    pub fn tls(self, config: crate::transport::tls::ClientTlsConfig) -> Result<Self, Status> {
        let tls = crate::transport::tls::ClientTls::new(config)
            .map_err(|e| Status::invalid_argument(e.to_string()).with_source(e))?;
        Ok(self.handshaker(tls))
    }

    /// Secures connections with `handshaker` (TLS, or another protocol).
    pub fn handshaker(mut self, handshaker: impl ClientHandshaker) -> Self {
        self.handshaker = Some(Arc::new(handshaker));
        self
    }

    /// Opens connections with `connector` instead of dialing the target
    /// (whose authority is still sent): an
    /// [`in_process`](crate::transport::in_process) server, or any byte
    /// stream of the application's.
    pub fn connector(mut self, connector: impl Connect) -> Self {
        self.connector = Some(Arc::new(connector));
        self
    }

    /// How long dialing and the handshake may take (default 20 s); past
    /// it the call fails with UNAVAILABLE.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Adds metadata to every call (e.g. a bearer token); several run in
    /// the order added. Refused on an insecure channel unless
    /// [`allow_insecure_call_credentials`](Self::allow_insecure_call_credentials).
    pub fn call_credentials(mut self, credentials: impl CallCredentials) -> Self {
        self.credentials.list.push(Arc::new(credentials));
        self
    }

    /// Sends call credentials over a plaintext channel too (local tests,
    /// or a network that is secured otherwise).
    pub fn allow_insecure_call_credentials(mut self) -> Self {
        self.credentials.allow_insecure = true;
        self
    }

    /// HTTP/2 settings and limits.
    pub fn http2_config(mut self, config: Config) -> Self {
        self.http2 = config;
        self
    }

    /// Builds the channel without connecting.
    pub fn connect_lazy(self) -> Channel {
        let https = self.target.https;
        let (handshaker, broken) = match self.handshaker {
            Some(handshaker) => (Some(handshaker), None),
            None if https => default_tls(),
            None => (None, None),
        };
        Channel {
            inner: Arc::new(Inner {
                authority: self.target.authority.clone(),
                dialer: Dialer {
                    target: self.target,
                    connector: self.connector,
                    handshaker,
                    broken,
                    timeout: self.connect_timeout,
                },
                credentials: self.credentials,
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

/// TLS with the default settings, for `https://` targets; when they are
/// unusable (no system roots), connecting reports why.
type DefaultTls = (Option<Arc<dyn ClientHandshaker>>, Option<Status>);

#[cfg(feature = "tls")]
fn default_tls() -> DefaultTls {
    use crate::transport::tls::{ClientTls, ClientTlsConfig};
    match ClientTls::new(ClientTlsConfig::new()) {
        Ok(tls) => (Some(Arc::new(tls)), None),
        Err(e) => (None, Some(Status::unavailable(e.to_string()))),
    }
}

#[cfg(not(feature = "tls"))]
fn default_tls() -> DefaultTls {
    (None, Some(Status::unimplemented("https:// needs oxgrpc's `tls` feature")))
}
