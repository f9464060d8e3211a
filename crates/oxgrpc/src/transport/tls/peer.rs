//! What a finished TLS handshake proved about the peer, as an [`AuthInfo`]:
//! the verified chain, and the subject and SANs of the peer's certificate.

use super::super::peer::AuthInfo;
use bytes::Bytes;
use rustls::CommonState;
use rustls_pki_types::CertificateDer;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The peer as this handshake saw it; `server_name` is the SNI a client sent.
pub(crate) fn auth_info(state: &CommonState, server_name: Option<&str>) -> AuthInfo {
    let chain = state.peer_certificates().unwrap_or_default();
    let mut auth = AuthInfo::new("tls")
        .with_certificates(chain.iter().map(|c| Bytes::copy_from_slice(c)).collect())
        .with_server_name(server_name.map(str::to_owned));
    if let Some((subject, sans)) = chain.first().and_then(describe) {
        auth = auth.with_subject(subject).with_sans(sans);
    }
    auth
}

/// The subject (RFC 4514) and SANs of `cert`; `None` if it does not parse
/// (it was verified already, so that means an extension we cannot read).
fn describe(cert: &CertificateDer<'_>) -> Option<(String, Vec<String>)> {
    let (_, cert) = X509Certificate::from_der(cert).ok()?;
    let subject = cert.subject().to_string();
    let sans = match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext.value.general_names.iter().filter_map(general_name).collect(),
        _ => Vec::new(),
    };
    Some((subject, sans))
}

fn general_name(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(dns) => Some((*dns).to_owned()),
        GeneralName::URI(uri) => Some((*uri).to_owned()),
        GeneralName::RFC822Name(email) => Some((*email).to_owned()),
        GeneralName::IPAddress(bytes) => ip(bytes).map(|ip| ip.to_string()),
        _ => None,
    }
}

fn ip(bytes: &[u8]) -> Option<std::net::IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(std::net::IpAddr::from),
        _ => None,
    }
}
