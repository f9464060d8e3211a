//! Writes test certificates into a directory, for peers in other languages:
//! `tls-certs DIR`.
//!
//! - `ca.pem`: the CA everyone trusts.
//! - `server.pem`, `server.key`: for `*.test.google.fr` (and `localhost`),
//!   so clients connect with a server-name override, as grpc's interop tests.
//! - `client.pem`, `client.key`: a client certificate (`CN=client`, SAN
//!   `client.test.google.fr`).
//! - `other-ca.pem`, `other-client.pem`, `other-client.key`: a client
//!   certificate from a CA nobody trusts.

use oxgrpc_examples::pki::{Ca, Pem, Usage};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: tls-certs DIR");
        std::process::exit(2);
    };
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir)?;
    let ca = Ca::new("oxgrpc test CA")?;
    let other = Ca::new("untrusted CA")?;
    std::fs::write(dir.join("ca.pem"), ca.cert_pem())?;
    std::fs::write(dir.join("other-ca.pem"), other.cert_pem())?;
    let write = |name: &str, pem: Pem| -> std::io::Result<()> {
        std::fs::write(dir.join(format!("{name}.pem")), pem.cert)?;
        std::fs::write(dir.join(format!("{name}.key")), pem.key)
    };
    write("server", ca.issue("server", &["*.test.google.fr", "localhost"], Usage::Server)?)?;
    write("client", ca.issue("client", &["client.test.google.fr"], Usage::Client)?)?;
    write("other-client", other.issue("intruder", &["intruder.test"], Usage::Client)?)?;
    println!("{}", dir.display());
    Ok(())
}
