//! The client's TLS: which servers it trusts ([`ClientTlsConfig`]), and the
//! handshaker that connects ([`ClientTls`]).

use super::error::{TlsError, TlsErrorKind};
use super::identity::{Certificates, Identity};
use super::stream::NamedErrors;
use super::{ALPN_H2, peer, provider};
use crate::rt::BoxFuture;
use crate::transport::{BoxIo, ClientHandshaker, HandshakeError, Secured};
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use std::sync::Arc;

/// A client's TLS settings. By default it trusts the system's root
/// certificates, presents no certificate, and checks the server's
/// certificate against the target's host name.
///
/// ```no_run
/// # async fn run(ca: oxgrpc::transport::tls::Certificates, me: oxgrpc::transport::tls::Identity)
/// # -> Result<(), oxgrpc::Status> {
/// use oxgrpc::transport::tls::ClientTlsConfig;
/// let channel = oxgrpc::Channel::builder("https://10.0.0.7:443")?
///     .tls(ClientTlsConfig::new().ca_certificate(ca).identity(me).domain_name("foo.test.google.fr"))?
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientTlsConfig {
    ca: Option<Certificates>,
    native_roots: bool,
    identity: Option<Identity>,
    domain: Option<String>,
    accept_any_certificate: bool,
}

impl ClientTlsConfig {
    /// Trusts the system's roots; no client certificate.
    pub fn new() -> ClientTlsConfig {
        ClientTlsConfig::default()
    }

    /// Trusts these CAs instead of the system's roots.
    pub fn ca_certificate(mut self, ca: Certificates) -> ClientTlsConfig {
        self.ca = Some(ca);
        self
    }

    /// Trusts the system's roots too, beside a given CA.
    pub fn with_native_roots(mut self) -> ClientTlsConfig {
        self.native_roots = true;
        self
    }

    /// Presents this certificate when the server asks (mutual TLS).
    pub fn identity(mut self, identity: Identity) -> ClientTlsConfig {
        self.identity = Some(identity);
        self
    }

    /// The name sent in SNI and checked against the server's certificate,
    /// instead of the target's host (gRPC's `--server_host_override`).
    pub fn domain_name(mut self, name: impl Into<String>) -> ClientTlsConfig {
        self.domain = Some(name.into());
        self
    }

    /// Accepts any server certificate, unverified (grpcurl's `-insecure`).
    /// The connection is encrypted but the server is not authenticated:
    /// for tools and tests, never for production.
    pub fn danger_accept_any_certificate(mut self) -> ClientTlsConfig {
        self.accept_any_certificate = true;
        self
    }

    fn roots(&self) -> Result<rustls::RootCertStore, TlsError> {
        let mut roots = match &self.ca {
            Some(ca) => ca.roots()?,
            None => rustls::RootCertStore::empty(),
        };
        if (self.ca.is_none() || self.native_roots) && !self.accept_any_certificate {
            let native = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(native.certs);
            if added == 0 {
                return Err(TlsError::config(
                    "tls: no system root certificates found; give a CA with ca_certificate",
                ));
            }
        }
        Ok(roots)
    }
}

/// The client's TLS handshaker, as [`ChannelBuilder::tls`](crate::ChannelBuilder::tls)
/// makes it; give it to [`ChannelBuilder::handshaker`](crate::ChannelBuilder::handshaker)
/// to share one among channels.
#[derive(Clone)]
pub struct ClientTls {
    config: Arc<ClientConfig>,
    domain: Option<String>,
}

impl std::fmt::Debug for ClientTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientTls").field("domain", &self.domain).finish_non_exhaustive()
    }
}

impl ClientTls {
    /// A handshaker with these settings; fails if they are unusable.
    pub fn new(config: ClientTlsConfig) -> Result<ClientTls, TlsError> {
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(config.roots()?);
        let mut tls = match &config.identity {
            Some(id) => builder.with_client_auth_cert(id.chain.clone(), id.key())?,
            None => builder.with_no_client_auth(),
        };
        if config.accept_any_certificate {
            let verifier = super::insecure::AcceptAnyCertificate(provider());
            tls.dangerous().set_certificate_verifier(Arc::new(verifier));
        }
        tls.alpn_protocols = vec![ALPN_H2.to_vec()];
        Ok(ClientTls { config: Arc::new(tls), domain: config.domain })
    }
}

impl ClientHandshaker for ClientTls {
    fn handshake(
        &self,
        io: BoxIo,
        authority: &str,
    ) -> BoxFuture<'static, Result<Secured, HandshakeError>> {
        let name = self.domain.clone().unwrap_or_else(|| host(authority).to_owned());
        let connector = tokio_rustls::TlsConnector::from(self.config.clone());
        Box::pin(async move {
            let server_name = ServerName::try_from(name.clone()).map_err(|_| {
                TlsError::config(format!("tls: {name:?} is not a valid server name"))
            })?;
            let tls = connector.connect(server_name, io).await.map_err(TlsError::from_io)?;
            let (_, conn) = tls.get_ref();
            if conn.alpn_protocol() != Some(ALPN_H2) {
                let message = "tls: the server negotiated no ALPN protocol; gRPC needs h2";
                return Err(TlsError::new(TlsErrorKind::Alpn, message).into());
            }
            let auth = peer::auth_info(conn, Some(&name));
            Ok(Secured { io: Box::new(NamedErrors(tls)), auth })
        })
    }
}

/// The host of `host:port` or `[v6]:port`.
fn host(authority: &str) -> &str {
    let host = authority.rsplit_once(':').map_or(authority, |(host, _)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}

#[cfg(test)]
mod tests {
    #[test]
    fn hosts_of_authorities() {
        assert_eq!(super::host("foo.test.google.fr:443"), "foo.test.google.fr");
        assert_eq!(super::host("[::1]:50051"), "::1");
        assert_eq!(super::host("localhost"), "localhost");
    }
}
