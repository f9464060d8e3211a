//! Reloading certificates from files: [`ServerTls::watch`] polls the
//! files' modification times and swaps the settings when they change.
//! Polling, not inotify: it works the same on every OS and on the
//! symlink swaps Kubernetes does for mounted secrets.

use super::error::TlsError;
use super::identity::{Certificates, Identity};
use super::server::{ClientAuth, ServerTls, ServerTlsConfig};
use crate::rt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The PEM files a server's TLS settings come from.
///
/// ```no_run
/// # fn run() -> Result<(), oxgrpc::transport::tls::TlsError> {
/// use oxgrpc::transport::tls::{ServerTls, TlsFiles};
/// let files = TlsFiles::new("server.pem", "server.key").client_ca("ca.pem");
/// let tls = ServerTls::new(files.load()?)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct TlsFiles {
    cert: PathBuf,
    key: PathBuf,
    client_ca: Option<PathBuf>,
    client_auth: Option<ClientAuth>,
}

impl TlsFiles {
    /// A certificate chain and its key.
    pub fn new(cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> TlsFiles {
        TlsFiles { cert: cert.into(), key: key.into(), client_ca: None, client_auth: None }
    }

    /// The CAs client certificates are checked against.
    pub fn client_ca(mut self, ca: impl Into<PathBuf>) -> TlsFiles {
        self.client_ca = Some(ca.into());
        self
    }

    /// Whether clients must present a certificate (see [`ServerTlsConfig::client_auth`]).
    pub fn client_auth(mut self, auth: ClientAuth) -> TlsFiles {
        self.client_auth = Some(auth);
        self
    }

    /// Reads the files into settings.
    pub fn load(&self) -> Result<ServerTlsConfig, TlsError> {
        let read = |path: &PathBuf| {
            std::fs::read(path)
                .map_err(|e| TlsError::config(format!("tls: cannot read {}: {e}", path.display())))
        };
        let mut config =
            ServerTlsConfig::new(Identity::from_pem(read(&self.cert)?, read(&self.key)?)?);
        if let Some(ca) = &self.client_ca {
            config = config.client_ca(Certificates::from_pem(read(ca)?)?);
        }
        if let Some(auth) = self.client_auth {
            config = config.client_auth(auth);
        }
        Ok(config)
    }

    /// The files' modification times, to notice a change.
    fn stamp(&self) -> Vec<Option<SystemTime>> {
        let paths = [Some(&self.cert), Some(&self.key), self.client_ca.as_ref()];
        paths
            .into_iter()
            .flatten()
            .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .collect()
    }
}

impl ServerTls {
    /// Checks `files` every `every` and reloads when they change; settings
    /// that fail to load are logged and the old ones kept. The watch ends
    /// when every clone of this handshaker is gone. Call within a tokio
    /// runtime.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), oxgrpc::transport::tls::TlsError> {
    /// use oxgrpc::transport::tls::{ServerTls, TlsFiles};
    /// let files = TlsFiles::new("server.pem", "server.key");
    /// let tls = ServerTls::new(files.load()?)?;
    /// tls.watch(files, std::time::Duration::from_secs(60));
    /// let server = oxgrpc::Server::builder().handshaker(tls);
    /// # Ok(()) }
    /// ```
    pub fn watch(&self, files: TlsFiles, every: Duration) {
        let current = Arc::downgrade(&self.current);
        let mut seen = files.stamp();
        rt::spawn(async move {
            loop {
                rt::sleep(every).await;
                let Some(current) = current.upgrade() else { return };
                let stamp = files.stamp();
                if stamp == seen {
                    continue;
                }
                seen = stamp;
                let tls = ServerTls { current };
                match tls.reload_from(&files) {
                    Ok(()) => {
                        tracing::info!(cert = %files.cert.display(), "TLS certificates reloaded")
                    }
                    Err(error) => {
                        tracing::warn!(%error, "TLS reload failed; keeping the old certificates")
                    }
                }
            }
        });
    }

    fn reload_from(&self, files: &TlsFiles) -> Result<(), TlsError> {
        self.reload(files.load()?)
    }
}
