//! TLS for the example binaries, from `OXGRPC_TLS_*` environment variables
//! (PEM file paths).
//!
//! Servers: `OXGRPC_TLS_CERT` and `OXGRPC_TLS_KEY` turn TLS on;
//! `OXGRPC_TLS_CLIENT_CA` verifies client certificates, required unless
//! `OXGRPC_TLS_CLIENT_AUTH=optional`. The files are watched and reloaded.
//!
//! Clients: `OXGRPC_TLS_CA` turns TLS on and trusts that CA;
//! `OXGRPC_TLS_CERT` and `OXGRPC_TLS_KEY` present a client certificate;
//! `OXGRPC_TLS_SERVER_NAME` overrides the name checked (as
//! `--server_host_override`).

use oxgrpc::transport::tls::{
    Certificates, ClientAuth, ClientTlsConfig, Identity, ServerTls, TlsFiles,
};
use std::error::Error;
use std::time::Duration;

/// How often servers look for renewed certificate files.
const RELOAD_EVERY: Duration = Duration::from_secs(30);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn read(path: &str) -> Result<Vec<u8>, Box<dyn Error + Send + Sync>> {
    std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}").into())
}

/// The server's TLS handshaker, if `OXGRPC_TLS_CERT` is set; call within
/// a tokio runtime (it starts the file watch).
pub fn server() -> Result<Option<ServerTls>, Box<dyn Error + Send + Sync>> {
    let (Some(cert), Some(key)) = (var("OXGRPC_TLS_CERT"), var("OXGRPC_TLS_KEY")) else {
        return Ok(None);
    };
    let mut files = TlsFiles::new(cert, key);
    if let Some(ca) = var("OXGRPC_TLS_CLIENT_CA") {
        files = files.client_ca(ca);
    }
    if var("OXGRPC_TLS_CLIENT_AUTH").is_some_and(|v| v == "optional") {
        files = files.client_auth(ClientAuth::Optional);
    }
    let tls = ServerTls::new(files.load()?)?;
    tls.watch(files, RELOAD_EVERY);
    Ok(Some(tls))
}

/// The client's TLS settings, if `OXGRPC_TLS_CA` is set.
pub fn client() -> Result<Option<ClientTlsConfig>, Box<dyn Error + Send + Sync>> {
    let Some(ca) = var("OXGRPC_TLS_CA") else {
        return Ok(None);
    };
    let mut config = ClientTlsConfig::new().ca_certificate(Certificates::from_pem(read(&ca)?)?);
    if let (Some(cert), Some(key)) = (var("OXGRPC_TLS_CERT"), var("OXGRPC_TLS_KEY")) {
        config = config.identity(Identity::from_pem(read(&cert)?, read(&key)?)?);
    }
    if let Some(name) = var("OXGRPC_TLS_SERVER_NAME") {
        config = config.domain_name(name);
    }
    Ok(Some(config))
}

/// A channel builder for `addr`: `https://` with [`client`]'s settings
/// when `OXGRPC_TLS_CA` is set, `http://` otherwise.
pub fn channel(addr: std::net::SocketAddr) -> Result<oxgrpc::ChannelBuilder, oxgrpc::Status> {
    let tls = client().map_err(|e| oxgrpc::Status::invalid_argument(e.to_string()))?;
    match tls {
        Some(tls) => oxgrpc::Channel::builder(&format!("https://{addr}"))?.tls(tls),
        None => oxgrpc::Channel::builder(&format!("http://{addr}")),
    }
}
