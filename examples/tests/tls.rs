//! TLS end to end: mutual TLS, what handlers see of the peer, the errors a
//! client gets for each kind of failure, and the server's defences against
//! peers that stall, send garbage, or speak the wrong protocol.

mod common;

use common::{Running, start};
use oxgrpc::transport::tls::{
    Certificates, ClientAuth, ClientTlsConfig, Identity, ServerTls, ServerTlsConfig, TlsError,
    TlsErrorKind,
};
use oxgrpc::{Channel, Code, Request, Response, Server, Status};
use oxgrpc_examples::helloworld::greeter_client::GreeterClient;
use oxgrpc_examples::helloworld::greeter_server::{Greeter, GreeterServer};
use oxgrpc_examples::helloworld::{HelloReply, HelloRequest};
use oxgrpc_examples::pki::{Ca, Pem, Usage};
use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Answers with what it knows of the peer: `secure|subject|sans`.
struct WhoAmI;

impl Greeter for WhoAmI {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        let context = request.context();
        let auth = context.peer().auth();
        let message = format!(
            "{}|{}|{}",
            context.is_secure(),
            auth.and_then(|a| a.subject()).unwrap_or("-"),
            auth.map(|a| a.sans().join(",")).unwrap_or_default(),
        );
        Ok(Response::new(HelloReply { message }))
    }
}

struct Pki {
    ca: Ca,
    server: Pem,
    client: Pem,
}

impl Pki {
    fn new() -> Pki {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let ca = Ca::new(&format!("test CA {n}")).unwrap();
        let server = ca.issue("server", &["*.test.google.fr"], Usage::Server).unwrap();
        let client = ca.issue("client", &["client.test.google.fr"], Usage::Client).unwrap();
        Pki { ca, server, client }
    }

    fn ca(&self) -> Certificates {
        Certificates::from_pem(self.ca.cert_pem()).unwrap()
    }

    fn server_config(&self, auth: ClientAuth) -> ServerTlsConfig {
        let identity = identity(&self.server);
        ServerTlsConfig::new(identity).client_ca(self.ca()).client_auth(auth)
    }

    /// A client trusting our CA, checking the name `foo.test.google.fr`.
    fn client_config(&self) -> ClientTlsConfig {
        ClientTlsConfig::new().ca_certificate(self.ca()).domain_name("foo.test.google.fr")
    }
}

fn identity(pem: &Pem) -> Identity {
    Identity::from_pem(&pem.cert, &pem.key).unwrap()
}

async fn serve(tls: ServerTls) -> Running {
    start(Server::builder().handshaker(tls).add_service(GreeterServer::new(WhoAmI))).await
}

async fn hello(uri: &str, tls: ClientTlsConfig) -> Result<String, Status> {
    let channel =
        Channel::builder(uri)?.tls(tls)?.connect_timeout(Duration::from_secs(5)).connect_lazy();
    hello_on(&channel).await
}

async fn hello_on(channel: &Channel) -> Result<String, Status> {
    let client = GreeterClient::new(channel.clone());
    Ok(client.say_hello(HelloRequest { name: "tls".into() }).await?.into_inner().message)
}

fn https(server: &Running) -> String {
    format!("https://{}", server.addr)
}

/// The TLS failure inside a status, by walking its sources.
fn tls_kind(status: &Status) -> Option<TlsErrorKind> {
    let mut source = status.source();
    while let Some(error) = source {
        if let Some(tls) = error.downcast_ref::<TlsError>() {
            return Some(tls.kind());
        }
        // An IO error's `source` skips the error it carries.
        let carried = error.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        source = match carried {
            Some(inner) => Some(inner as &(dyn Error + 'static)),
            None => error.source(),
        };
    }
    None
}

#[tokio::test]
async fn mutual_tls_shows_the_verified_client_to_the_handler() {
    let pki = Pki::new();
    let server = serve(ServerTls::new(pki.server_config(ClientAuth::Required)).unwrap()).await;
    let reply = hello(&https(&server), pki.client_config().identity(identity(&pki.client))).await;
    let reply = reply.unwrap();
    let (secure, rest) = reply.split_once('|').unwrap();
    assert_eq!(secure, "true");
    assert!(rest.contains("CN=client"), "{reply}");
    assert!(rest.ends_with("|client.test.google.fr"), "{reply}");
}

#[tokio::test]
async fn optional_client_auth_lets_anonymous_clients_in() {
    let pki = Pki::new();
    let server = serve(ServerTls::new(pki.server_config(ClientAuth::Optional)).unwrap()).await;
    let reply = hello(&https(&server), pki.client_config()).await.unwrap();
    assert_eq!(reply, "true|-|");
}

#[tokio::test]
async fn each_tls_failure_is_unavailable_and_names_its_cause() {
    let pki = Pki::new();
    let server = serve(ServerTls::new(pki.server_config(ClientAuth::Required)).unwrap()).await;
    let uri = https(&server);
    let me = identity(&pki.client);

    let stranger = Ca::new("another CA").unwrap();
    let trusts_other = ClientTlsConfig::new()
        .ca_certificate(Certificates::from_pem(stranger.cert_pem()).unwrap())
        .domain_name("foo.test.google.fr")
        .identity(me.clone());
    let wrong_name = pki.client_config().domain_name("foo.example.com").identity(me.clone());
    let intruder = identity(&stranger.issue("intruder", &["x.test"], Usage::Client).unwrap());
    let cases = [
        (trusts_other, TlsErrorKind::UnknownCa, "unknown CA"),
        (wrong_name, TlsErrorKind::NameMismatch, "does not match"),
        (pki.client_config(), TlsErrorKind::CertificateRequired, "client certificate"),
        (pki.client_config().identity(intruder), TlsErrorKind::UnknownCa, "CA"),
    ];
    for (config, kind, words) in cases {
        let status = hello(&uri, config).await.unwrap_err();
        assert_eq!(status.code(), Code::Unavailable, "{status:?}");
        assert_eq!(tls_kind(&status), Some(kind), "{status:?}");
        assert!(status.message().contains(words), "{kind:?}: {}", status.message());
    }
    // The server kept serving through all of that.
    hello(&uri, pki.client_config().identity(me)).await.unwrap();
}

#[tokio::test]
async fn an_expired_server_certificate_is_named() {
    let pki = Pki::new();
    let expired = pki.ca.issue_expired(&["*.test.google.fr"]).unwrap();
    let server = serve(ServerTls::new(ServerTlsConfig::new(identity(&expired))).unwrap()).await;
    let status = hello(&https(&server), pki.client_config()).await.unwrap_err();
    assert_eq!(
        (status.code(), tls_kind(&status)),
        (Code::Unavailable, Some(TlsErrorKind::Expired))
    );
    assert!(status.message().contains("expired"), "{}", status.message());
}

#[tokio::test]
async fn wrong_protocol_on_either_side_fails_fast_and_clearly() {
    let pki = Pki::new();
    let tls_server = serve(ServerTls::new(pki.server_config(ClientAuth::Optional)).unwrap()).await;
    let plain_server = start(Server::builder().add_service(GreeterServer::new(WhoAmI))).await;

    let started = Instant::now();
    let plaintext = Channel::builder(&tls_server.uri()).unwrap().connect_lazy();
    let status = hello_on(&plaintext).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");

    let status = hello(&https(&plain_server), pki.client_config()).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    assert_eq!(tls_kind(&status), Some(TlsErrorKind::NotTls), "{status:?}");
    assert!(status.message().contains("does not speak TLS"), "{}", status.message());
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

/// A raw TLS client offering `alpn`, for what gRPC clients never send.
async fn raw_tls(
    addr: std::net::SocketAddr,
    pki: &Pki,
    alpn: &[&[u8]],
) -> std::io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    let ca = rustls::pki_types::CertificateDer::from_pem_slice(pki.ca.cert_pem().as_bytes());
    roots.add(ca.unwrap()).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let name = rustls::pki_types::ServerName::try_from("foo.test.google.fr").unwrap();
    let tcp = TcpStream::connect(addr).await?;
    tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await
}

/// Reads until the peer closes; `true` if it did within `within`.
async fn closes_within(io: &mut (impl tokio::io::AsyncRead + Unpin), within: Duration) -> bool {
    let mut sink = vec![0u8; 4096];
    let read_all = async {
        loop {
            match io.read(&mut sink).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, read_all).await.is_ok()
}

#[tokio::test]
async fn clients_without_h2_alpn_are_refused() {
    let pki = Pki::new();
    let server = serve(ServerTls::new(pki.server_config(ClientAuth::Optional)).unwrap()).await;
    let other = raw_tls(server.addr, &pki, &[b"http/1.1"]).await;
    assert!(other.is_err(), "a client offering only http/1.1 got in");
    let mut none = raw_tls(server.addr, &pki, &[]).await.unwrap();
    assert!(closes_within(&mut none, Duration::from_secs(2)).await);
    hello(&https(&server), pki.client_config()).await.unwrap();
}

#[tokio::test]
async fn stalled_and_garbage_handshakes_block_no_one() {
    let pki = Pki::new();
    let tls = ServerTls::new(pki.server_config(ClientAuth::Optional)).unwrap();
    let builder = Server::builder()
        .handshaker(tls)
        .handshake_timeout(Duration::from_millis(500))
        .add_service(GreeterServer::new(WhoAmI));
    let server = start(builder).await;
    let mut stalled = Vec::new();
    for _ in 0..300 {
        stalled.push(TcpStream::connect(server.addr).await.unwrap());
    }
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]).await.unwrap();
    let mut garbage = TcpStream::connect(server.addr).await.unwrap();
    garbage.write_all(&[0x42; 4096]).await.unwrap();

    let started = Instant::now();
    hello(&https(&server), pki.client_config()).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(400), "{:?}", started.elapsed());
    assert!(closes_within(&mut garbage, Duration::from_millis(400)).await);
    assert!(closes_within(&mut half, Duration::from_secs(3)).await);
    for peer in &mut stalled {
        assert!(closes_within(peer, Duration::from_secs(3)).await);
    }
}

#[tokio::test]
async fn garbage_after_the_handshake_closes_that_connection_only() {
    let pki = Pki::new();
    let server = serve(ServerTls::new(pki.server_config(ClientAuth::Optional)).unwrap()).await;
    let mut tls = raw_tls(server.addr, &pki, &[b"h2"]).await.unwrap();
    let flood = vec![0x17u8; 64 * 1024];
    let _ = tls.write_all(&flood).await;
    assert!(closes_within(&mut tls, Duration::from_secs(3)).await);
    hello(&https(&server), pki.client_config()).await.unwrap();
}

#[tokio::test]
async fn reloaded_certificates_serve_new_connections_and_old_ones_keep_theirs() {
    let (old, new) = (Pki::new(), Pki::new());
    let tls = ServerTls::new(old.server_config(ClientAuth::Optional)).unwrap();
    let server = serve(tls.clone()).await;
    let uri = https(&server);
    let before = Channel::builder(&uri).unwrap().tls(old.client_config()).unwrap().connect_lazy();
    hello_on(&before).await.unwrap();

    tls.reload(new.server_config(ClientAuth::Optional)).unwrap();
    hello(&uri, new.client_config()).await.unwrap();
    let status = hello(&uri, old.client_config()).await.unwrap_err();
    assert_eq!(tls_kind(&status), Some(TlsErrorKind::UnknownCa), "{status:?}");
    hello_on(&before).await.unwrap();

    let mismatched =
        ServerTlsConfig::new(Identity::from_pem(&new.server.cert, &old.server.key).unwrap());
    assert_eq!(tls.reload(mismatched).unwrap_err().kind(), TlsErrorKind::Config);
    hello(&uri, new.client_config()).await.unwrap();
}

#[tokio::test]
async fn watched_files_reload_when_they_change() {
    let (old, new) = (Pki::new(), Pki::new());
    let dir = std::env::temp_dir().join(format!("oxgrpc-tls-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&cert, &old.server.cert).unwrap();
    std::fs::write(&key, &old.server.key).unwrap();
    let files = oxgrpc::transport::tls::TlsFiles::new(&cert, &key);
    let tls = ServerTls::new(files.load().unwrap()).unwrap();
    tls.watch(files, Duration::from_millis(50));
    let server = serve(tls).await;
    hello(&https(&server), old.client_config()).await.unwrap();

    tokio::time::sleep(Duration::from_millis(20)).await;
    std::fs::write(&key, &new.server.key).unwrap();
    std::fs::write(&cert, &new.server.cert).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while hello(&https(&server), new.client_config()).await.is_err() {
        assert!(Instant::now() < deadline, "the renewed certificate was never served");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fixed bearer token.
struct Bearer;

impl oxgrpc::CallCredentials for Bearer {
    fn metadata<'a>(
        &'a self,
        _call: oxgrpc::CredentialsContext<'a>,
    ) -> oxgrpc::BoxFuture<'a, Result<oxgrpc::Metadata, Status>> {
        Box::pin(async {
            let mut metadata = oxgrpc::Metadata::new();
            metadata.insert("authorization", "Bearer t0ken").unwrap();
            Ok(metadata)
        })
    }
}

#[tokio::test]
async fn call_credentials_compose_with_tls() {
    let pki = Pki::new();
    let tls = ServerTls::new(pki.server_config(ClientAuth::Required)).unwrap();
    let builder = Server::builder()
        .handshaker(tls)
        .interceptor(oxgrpc_examples::auth::BearerAuth::new(["t0ken"]))
        .add_service(GreeterServer::new(WhoAmI));
    let server = start(builder).await;
    let config = pki.client_config().identity(identity(&pki.client));
    let channel = Channel::builder(&https(&server)).unwrap().tls(config.clone()).unwrap();
    let reply = hello_on(&channel.call_credentials(Bearer).connect_lazy()).await.unwrap();
    assert!(reply.starts_with("true|"), "{reply}");
    let status = hello(&https(&server), config).await.unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
}
