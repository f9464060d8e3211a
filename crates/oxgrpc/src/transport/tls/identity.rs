//! Certificates and keys, read from PEM or DER: an [`Identity`] (a chain
//! and its private key) and a bundle of [`Certificates`] (trusted CAs).

use super::error::TlsError;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

/// A certificate chain and its private key: what a server presents, or a
/// client for mutual TLS. Cheap to clone.
///
/// ```no_run
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use oxgrpc::transport::tls::Identity;
/// let identity = Identity::from_pem(std::fs::read("server.pem")?, std::fs::read("server.key")?)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Identity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: Arc<PrivateKeyDer<'static>>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("certificates", &self.chain.len()).finish_non_exhaustive()
    }
}

impl Identity {
    /// A chain (leaf first) and a key (PKCS#8, PKCS#1 or SEC1), PEM.
    pub fn from_pem(chain: impl AsRef<[u8]>, key: impl AsRef<[u8]>) -> Result<Identity, TlsError> {
        let chain = Certificates::from_pem(chain)?.0;
        let key = PrivateKeyDer::from_pem_slice(key.as_ref())
            .map_err(|e| TlsError::config(format!("tls: no usable private key in the PEM: {e}")))?;
        Ok(Identity { chain, key: Arc::new(key) })
    }

    /// A chain (leaf first) and a key, DER.
    pub fn from_der(chain: Vec<Vec<u8>>, key: Vec<u8>) -> Result<Identity, TlsError> {
        let key = PrivateKeyDer::try_from(key)
            .map_err(|e| TlsError::config(format!("tls: unusable DER private key: {e}")))?;
        let chain = Certificates::from_der(chain)?.0;
        Ok(Identity { chain, key: Arc::new(key) })
    }

    pub(crate) fn key(&self) -> PrivateKeyDer<'static> {
        self.key.clone_key()
    }
}

/// A bundle of certificates, e.g. the CAs to trust.
///
/// ```
/// use oxgrpc::transport::tls::Certificates;
/// assert!(Certificates::from_pem("").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Certificates(pub(crate) Vec<CertificateDer<'static>>);

impl Certificates {
    /// Every `CERTIFICATE` block of a PEM bundle; at least one.
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<Certificates, TlsError> {
        let certs = CertificateDer::pem_slice_iter(pem.as_ref())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::config(format!("tls: unreadable PEM certificates: {e}")))?;
        if certs.is_empty() {
            return Err(TlsError::config("tls: no certificate in the PEM"));
        }
        Ok(Certificates(certs))
    }

    /// DER certificates; at least one.
    pub fn from_der(certs: Vec<Vec<u8>>) -> Result<Certificates, TlsError> {
        if certs.is_empty() {
            return Err(TlsError::config("tls: no certificate given"));
        }
        Ok(Certificates(certs.into_iter().map(CertificateDer::from).collect()))
    }

    pub(crate) fn roots(&self) -> Result<rustls::RootCertStore, TlsError> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in &self.0 {
            roots.add(cert.clone()).map_err(TlsError::from)?;
        }
        Ok(roots)
    }
}
