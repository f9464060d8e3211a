//! The server's TLS: its settings ([`ServerTlsConfig`]) and the handshaker
//! that applies them ([`ServerTls`]), whose settings can be swapped while
//! the server runs: new connections take the new ones, open connections
//! keep theirs.

use super::error::{TlsError, TlsErrorKind};
use super::identity::{Certificates, Identity};
use super::{ALPN_H2, peer, provider};
use crate::rt::BoxFuture;
use crate::transport::{BoxIo, HandshakeError, Secured, ServerHandshaker};
use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Whether clients must present a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuth {
    /// Clients are not asked for one (the default without a client CA).
    #[default]
    None,
    /// Clients may present one; if they do, it must verify.
    Optional,
    /// Clients must present one that verifies (the default with a client CA).
    Required,
}

/// A server's TLS settings: its identity, and how clients are verified.
/// TLS 1.2 and 1.3; ALPN `h2` is required of every client.
///
/// ```no_run
/// # fn run(identity: oxgrpc::transport::tls::Identity, ca: oxgrpc::transport::tls::Certificates)
/// # -> Result<(), oxgrpc::transport::tls::TlsError> {
/// use oxgrpc::transport::tls::{ClientAuth, ServerTlsConfig};
/// let server = oxgrpc::Server::builder()
///     .tls(ServerTlsConfig::new(identity).client_ca(ca).client_auth(ClientAuth::Optional))?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ServerTlsConfig {
    identity: Identity,
    client_ca: Option<Certificates>,
    client_auth: Option<ClientAuth>,
}

impl ServerTlsConfig {
    /// Presents `identity`; asks clients for no certificate.
    pub fn new(identity: Identity) -> ServerTlsConfig {
        ServerTlsConfig { identity, client_ca: None, client_auth: None }
    }

    /// Verifies client certificates against these CAs; clients must then
    /// present one unless [`client_auth`](Self::client_auth) says otherwise.
    pub fn client_ca(mut self, ca: Certificates) -> ServerTlsConfig {
        self.client_ca = Some(ca);
        self
    }

    /// Whether clients must present a certificate.
    pub fn client_auth(mut self, auth: ClientAuth) -> ServerTlsConfig {
        self.client_auth = Some(auth);
        self
    }

    fn build(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let auth = self.client_auth.unwrap_or(match self.client_ca {
            Some(_) => ClientAuth::Required,
            None => ClientAuth::None,
        });
        let builder = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?;
        let builder = match (auth, &self.client_ca) {
            (ClientAuth::None, _) => builder.with_no_client_auth(),
            (_, None) => {
                return Err(TlsError::config("tls: client certificates need a client CA"));
            }
            (auth, Some(ca)) => {
                let verifier =
                    WebPkiClientVerifier::builder_with_provider(Arc::new(ca.roots()?), provider());
                let verifier = match auth {
                    ClientAuth::Optional => verifier.allow_unauthenticated(),
                    _ => verifier,
                };
                let verifier = verifier
                    .build()
                    .map_err(|e| TlsError::config(format!("tls: unusable client CA: {e}")))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config =
            builder.with_single_cert(self.identity.chain.clone(), self.identity.key())?;
        config.alpn_protocols = vec![ALPN_H2.to_vec()];
        Ok(Arc::new(config))
    }
}

/// The server's TLS handshaker: give it to
/// [`ServerBuilder::handshaker`](crate::ServerBuilder::handshaker), keep a
/// clone to [`reload`](Self::reload) certificates without a restart.
///
/// ```no_run
/// # async fn run(config: oxgrpc::transport::tls::ServerTlsConfig, renewed: oxgrpc::transport::tls::ServerTlsConfig)
/// # -> Result<(), Box<dyn std::error::Error>> {
/// use oxgrpc::transport::tls::ServerTls;
/// let tls = ServerTls::new(config)?;
/// let server = oxgrpc::Server::builder().handshaker(tls.clone());
/// // Later: new connections present the renewed certificate.
/// tls.reload(renewed)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ServerTls {
    pub(crate) current: Arc<RwLock<Arc<ServerConfig>>>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls").finish_non_exhaustive()
    }
}

impl ServerTls {
    /// A handshaker with these settings; fails if they are unusable (a key
    /// that does not match its certificate, an empty CA bundle).
    pub fn new(config: ServerTlsConfig) -> Result<ServerTls, TlsError> {
        Ok(ServerTls { current: Arc::new(RwLock::new(config.build()?)) })
    }

    /// Swaps the settings: connections accepted from now on use `config`;
    /// open ones keep theirs. Unusable settings change nothing.
    pub fn reload(&self, config: ServerTlsConfig) -> Result<(), TlsError> {
        let built = config.build()?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = built;
        Ok(())
    }

    fn config(&self) -> Arc<ServerConfig> {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl ServerHandshaker for ServerTls {
    fn handshake(&self, io: BoxIo) -> BoxFuture<'static, Result<Secured, HandshakeError>> {
        let acceptor = tokio_rustls::TlsAcceptor::from(self.config());
        Box::pin(async move {
            let tls = match acceptor.accept(io).into_fallible().await {
                Ok(tls) => tls,
                Err((error, io)) => {
                    close_after_alert(io).await;
                    return Err(refused(TlsError::from_io(error)));
                }
            };
            let (_, conn) = tls.get_ref();
            if conn.alpn_protocol() != Some(ALPN_H2) {
                let error = TlsError::new(
                    TlsErrorKind::Alpn,
                    "tls: the client negotiated no ALPN protocol; gRPC needs h2",
                );
                return Err(refused(error));
            }
            let auth = peer::auth_info(conn, conn.server_name());
            Ok(Secured { io: Box::new(tls), auth })
        })
    }
}

/// How long a refused client's bytes are drained before its socket closes.
const DRAIN_AFTER_ALERT: Duration = Duration::from_millis(500);
/// At most this much of them.
const DRAIN_LIMIT: usize = 64 << 10;

/// Closes a refused connection so its alert arrives. A TLS 1.3 client
/// finishes its side of the handshake before the server checks its
/// certificate, and sends its first bytes at once; closing with those
/// unread would reset the connection, and a reset can discard the alert
/// before the client reads it. So: FIN after the alert, then read what the
/// client sent (bounded in time and size), then close.
async fn close_after_alert(mut io: BoxIo) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let _ = io.shutdown().await;
    let drain = async {
        let mut buf = [0u8; 4096];
        let mut drained = 0;
        while drained < DRAIN_LIMIT {
            match io.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => drained += n,
            }
        }
    };
    let _ = crate::rt::timeout_at(crate::rt::now().checked_add(DRAIN_AFTER_ALERT), drain).await;
}

/// Logs a refused client; ALPN mismatches at WARN, as a misconfigured
/// client keeps failing that way.
fn refused(error: TlsError) -> HandshakeError {
    if error.kind() == TlsErrorKind::Alpn {
        tracing::warn!(%error, "refused a TLS client: it does not offer HTTP/2 (ALPN h2)");
    } else {
        tracing::debug!(%error, "TLS handshake failed");
    }
    Box::new(error)
}
