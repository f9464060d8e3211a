//! Why TLS failed, typed: a [`TlsErrorKind`] for code to match, a message
//! that names the cause for people, and the rustls error as the source.

use rustls::{AlertDescription, CertificateError};
use std::fmt;

/// What went wrong, as code can match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsErrorKind {
    /// The peer's certificate was not issued by a trusted CA.
    UnknownCa,
    /// The peer's certificate has expired (or is not valid yet).
    Expired,
    /// The server's certificate is not valid for the name asked for.
    NameMismatch,
    /// The server requires a client certificate and none was given.
    CertificateRequired,
    /// The peer's certificate is unusable for another reason, or the
    /// peer rejected ours.
    BadCertificate,
    /// The peers agreed on no application protocol: HTTP/2 (`h2`) over
    /// ALPN is required.
    Alpn,
    /// The peer does not speak TLS (e.g. a plaintext port).
    NotTls,
    /// The peer ended the handshake with an alert, or broke the protocol.
    Handshake,
    /// The handshake did not finish in time.
    Timeout,
    /// Certificates, keys or settings given to us are unusable.
    Config,
    /// The connection failed under TLS.
    Io,
}

/// A TLS failure: its [`kind`](TlsError::kind), and a message naming the cause.
///
/// ```
/// use oxgrpc::transport::tls::{Certificates, TlsErrorKind};
/// let error = Certificates::from_pem(b"not a certificate").unwrap_err();
/// assert_eq!(error.kind(), TlsErrorKind::Config);
/// ```
#[derive(Debug)]
pub struct TlsError {
    kind: TlsErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TlsError {
    pub(crate) fn new(kind: TlsErrorKind, message: impl Into<String>) -> TlsError {
        TlsError { kind, message: message.into(), source: None }
    }

    pub(crate) fn config(message: impl Into<String>) -> TlsError {
        TlsError::new(TlsErrorKind::Config, message)
    }

    fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> TlsError {
        self.source = Some(Box::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> TlsErrorKind {
        self.kind
    }

    /// A handshake's IO error: the rustls error inside it named, or the
    /// IO error itself.
    pub(crate) fn from_io(error: std::io::Error) -> TlsError {
        let rustls = error.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()).cloned();
        match rustls {
            Some(e) => TlsError::from(e),
            None => TlsError::new(TlsErrorKind::Io, format!("tls: {error}")).with_source(error),
        }
    }

    /// Turns `error` into an IO error carrying a [`TlsError`] when rustls
    /// caused it, so a connection that fails after the handshake (a TLS 1.3
    /// server refusing our certificate) names the cause.
    pub(crate) fn wrap_io(error: std::io::Error) -> std::io::Error {
        if error.get_ref().is_some_and(|e| e.is::<rustls::Error>()) {
            let kind = error.kind();
            std::io::Error::new(kind, TlsError::from_io(error))
        } else {
            error
        }
    }
}

impl From<rustls::Error> for TlsError {
    fn from(error: rustls::Error) -> TlsError {
        use TlsErrorKind as K;
        use rustls::Error as E;
        let (kind, message) = match &error {
            E::InvalidCertificate(cert) => certificate(cert),
            E::NoCertificatesPresented => {
                (K::CertificateRequired, "the client presented no certificate, and one is required")
            }
            E::AlertReceived(alert) => received(*alert),
            E::NoApplicationProtocol => (K::Alpn, "the peer does not offer HTTP/2 (ALPN h2)"),
            E::InvalidMessage(_) => (K::NotTls, "the peer does not speak TLS (a plaintext port?)"),
            E::InconsistentKeys(_) => (K::Config, "the private key does not match the certificate"),
            _ => (K::Handshake, "handshake failed"),
        };
        TlsError::new(kind, format!("tls: {message}: {error}")).with_source(error)
    }
}

fn certificate(error: &CertificateError) -> (TlsErrorKind, &'static str) {
    use CertificateError as C;
    use TlsErrorKind as K;
    match error {
        C::UnknownIssuer => (K::UnknownCa, "the peer's certificate is signed by an unknown CA"),
        C::Expired | C::ExpiredContext { .. } => (K::Expired, "the peer's certificate has expired"),
        C::NotValidYet | C::NotValidYetContext { .. } => {
            (K::Expired, "the peer's certificate is not valid yet")
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            (K::NameMismatch, "the server's certificate does not match the name asked for")
        }
        _ => (K::BadCertificate, "the peer's certificate is invalid"),
    }
}

fn received(alert: AlertDescription) -> (TlsErrorKind, &'static str) {
    use AlertDescription as A;
    use TlsErrorKind as K;
    match alert {
        A::CertificateRequired => {
            (K::CertificateRequired, "the server requires a client certificate")
        }
        A::UnknownCA => (K::UnknownCa, "the peer does not trust our certificate's CA"),
        A::CertificateExpired => (K::Expired, "the peer says our certificate has expired"),
        A::BadCertificate | A::UnsupportedCertificate | A::CertificateUnknown => {
            (K::BadCertificate, "the peer rejected our certificate")
        }
        A::NoApplicationProtocol => (K::Alpn, "the peer does not offer HTTP/2 (ALPN h2)"),
        A::HandshakeFailure => (
            K::Handshake,
            "the peer refused the handshake (no common parameters, or a client certificate required)",
        ),
        _ => (K::Handshake, "the peer ended the handshake"),
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TlsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustls_errors_name_their_cause() {
        let unknown =
            TlsError::from(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer));
        assert_eq!(unknown.kind(), TlsErrorKind::UnknownCa);
        assert!(unknown.to_string().contains("unknown CA"), "{unknown}");
        let required =
            TlsError::from(rustls::Error::AlertReceived(AlertDescription::CertificateRequired));
        assert_eq!(required.kind(), TlsErrorKind::CertificateRequired);
        let io = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::NotValidForName),
        );
        let wrapped = TlsError::wrap_io(io);
        let inner = wrapped.get_ref().and_then(|e| e.downcast_ref::<TlsError>());
        assert_eq!(inner.map(TlsError::kind), Some(TlsErrorKind::NameMismatch));
        let plain = TlsError::wrap_io(std::io::ErrorKind::BrokenPipe.into());
        assert!(plain.get_ref().is_none());
    }
}
