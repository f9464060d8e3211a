//! Who is on the other end of a connection: its address, and what the
//! transport proved about it (a TLS certificate, unix credentials).
//!
//! A server builds one [`Peer`] per connection, when it is accepted and
//! secured; every call on that connection shares it through
//! [`CallContext::peer`](crate::CallContext::peer).

use bytes::Bytes;
use std::net::SocketAddr;

/// The peer of a connection.
///
/// ```
/// use oxgrpc::transport::Peer;
/// let peer = Peer::default();
/// assert!(!peer.is_secure());
/// assert!(peer.auth().is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Peer {
    remote_addr: Option<SocketAddr>,
    unix: Option<UnixPeer>,
    auth: Option<AuthInfo>,
}

impl Peer {
    /// A peer reached over TCP from `addr`.
    pub fn tcp(addr: SocketAddr) -> Peer {
        Peer { remote_addr: Some(addr), ..Peer::default() }
    }

    /// A peer on a unix domain socket.
    pub fn unix(unix: UnixPeer) -> Peer {
        Peer { unix: Some(unix), ..Peer::default() }
    }

    /// This peer, authenticated by a handshake.
    pub fn with_auth(mut self, auth: AuthInfo) -> Peer {
        self.auth = Some(auth);
        self
    }

    /// The peer's IP address and port, on TCP.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// The peer's process, on a unix domain socket.
    pub fn unix_peer(&self) -> Option<&UnixPeer> {
        self.unix.as_ref()
    }

    /// What the handshake proved, when the connection is secured.
    pub fn auth(&self) -> Option<&AuthInfo> {
        self.auth.as_ref()
    }

    /// Whether a handshaker secured the connection (TLS, or another).
    pub fn is_secure(&self) -> bool {
        self.auth.is_some()
    }
}

/// The credentials the kernel gives for a unix-socket peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnixPeer {
    /// The peer process's user id.
    pub uid: u32,
    /// The peer process's group id.
    pub gid: u32,
    /// The peer process's id, where the OS gives it.
    pub pid: Option<i32>,
}

/// What a handshake proved about the peer: the security protocol, and the
/// certificate chain it presented and the handshake verified.
///
/// ```
/// use oxgrpc::transport::AuthInfo;
/// let auth = AuthInfo::new("tls").with_subject("CN=client").with_sans(vec!["client.test".into()]);
/// assert_eq!(auth.protocol(), "tls");
/// assert_eq!(auth.subject(), Some("CN=client"));
/// assert!(auth.certificates().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct AuthInfo {
    protocol: &'static str,
    certificates: Vec<Bytes>,
    subject: Option<String>,
    sans: Vec<String>,
    server_name: Option<String>,
}

impl AuthInfo {
    /// A peer secured by `protocol` (e.g. `"tls"`), with no certificate yet.
    pub fn new(protocol: &'static str) -> AuthInfo {
        AuthInfo {
            protocol,
            certificates: Vec::new(),
            subject: None,
            sans: Vec::new(),
            server_name: None,
        }
    }

    /// The verified certificate chain, DER, the peer's own certificate first.
    pub fn with_certificates(mut self, chain: Vec<Bytes>) -> AuthInfo {
        self.certificates = chain;
        self
    }

    /// The subject of the peer's certificate, as an RFC 4514 string.
    pub fn with_subject(mut self, subject: impl Into<String>) -> AuthInfo {
        self.subject = Some(subject.into());
        self
    }

    /// The subject alternative names of the peer's certificate.
    pub fn with_sans(mut self, sans: Vec<String>) -> AuthInfo {
        self.sans = sans;
        self
    }

    /// The server name the client asked for (TLS SNI), on a server.
    pub fn with_server_name(mut self, name: Option<String>) -> AuthInfo {
        self.server_name = name;
        self
    }

    /// The security protocol, e.g. `"tls"`.
    pub fn protocol(&self) -> &'static str {
        self.protocol
    }

    /// The peer's verified certificate chain (DER), its own first; empty
    /// when it presented none (a client, when certificates are optional).
    pub fn certificates(&self) -> &[Bytes] {
        &self.certificates
    }

    /// The subject of the peer's certificate (e.g. `CN=client,O=Example`).
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The subject alternative names of the peer's certificate: DNS
    /// names, IP addresses, URIs (SPIFFE ids) and email addresses.
    pub fn sans(&self) -> &[String] {
        &self.sans
    }

    /// The name the client asked for with SNI, on a server.
    pub fn server_name(&self) -> Option<&str> {
        self.server_name.as_deref()
    }
}
