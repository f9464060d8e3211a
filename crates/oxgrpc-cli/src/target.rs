//! Reaching the server, and what every call carries.

use crate::args::ConnArgs;
use crate::error::CliError;
use base64::Engine as _;
use oxgrpc::transport::tls::{Certificates, ClientTlsConfig, Identity};
use oxgrpc::{Channel, CompressionEncoding, Metadata, Request, Status};
use std::time::Duration;

/// Connects to `target` as the arguments say; a failure is a
/// [`CliError::Dial`] naming the cause as grpcurl does.
pub(crate) async fn connect(args: &ConnArgs, target: &str) -> Result<Channel, CliError> {
    let builder = builder(args, target)?;
    let dial_error = |cause: String| CliError::Dial { target: target.to_string(), cause };
    match tokio::time::timeout(args.connect_timeout, builder.connect()).await {
        Ok(Ok(channel)) => Ok(channel),
        Ok(Err(status)) => Err(dial_error(dial_cause(&status))),
        Err(_) => Err(dial_error("context deadline exceeded".to_string())),
    }
}

/// A channel builder for `target`: cleartext unless TLS is asked for.
pub(crate) fn builder(args: &ConnArgs, target: &str) -> Result<oxgrpc::ChannelBuilder, CliError> {
    let wants_tls = args.tls
        || args.insecure
        || args.cacert.is_some()
        || args.cert.is_some()
        || args.servername.is_some()
        || target.starts_with("https://");
    let named_scheme = ["http://", "https://", "unix:", "unix-abstract:"]
        .iter()
        .any(|scheme| target.starts_with(scheme));
    let uri = if named_scheme {
        target.to_string()
    } else if wants_tls {
        format!("https://{target}")
    } else {
        format!("http://{target}")
    };
    if wants_tls && uri.starts_with("http://") {
        return Err(CliError::Usage(format!(
            "{target:?} is a cleartext target; TLS options need https://"
        )));
    }
    let builder =
        Channel::builder(&uri).map_err(|status| CliError::Usage(status.message().to_string()))?;
    let builder = builder.connect_timeout(args.connect_timeout);
    if !uri.starts_with("https://") {
        return Ok(builder);
    }
    builder.tls(tls_config(args)?).map_err(|status| CliError::Usage(status.message().to_string()))
}

/// `--cacert`, `--cert`/`--key`, `--servername` and `--insecure` as a TLS
/// configuration.
fn tls_config(args: &ConnArgs) -> Result<ClientTlsConfig, CliError> {
    let read = |path: &std::path::Path| {
        std::fs::read(path)
            .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))
    };
    let tls_error = |e: oxgrpc::transport::tls::TlsError| CliError::Usage(e.to_string());
    let mut config = ClientTlsConfig::new();
    if let Some(path) = &args.cacert {
        config = config.ca_certificate(Certificates::from_pem(read(path)?).map_err(tls_error)?);
    }
    if let (Some(cert), Some(key)) = (&args.cert, &args.key) {
        config = config.identity(Identity::from_pem(read(cert)?, read(key)?).map_err(tls_error)?);
    }
    if let Some(name) = &args.servername {
        config = config.domain_name(name.clone());
    }
    if args.insecure {
        config = config.danger_accept_any_certificate();
    }
    Ok(config)
}

/// Why a connection failed, in grpc-go's words where it has them.
fn dial_cause(status: &Status) -> String {
    let mut source = std::error::Error::source(status);
    while let Some(error) = source {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
                std::io::ErrorKind::TimedOut => "context deadline exceeded".to_string(),
                _ => io.to_string(),
            };
        }
        source = error.source();
    }
    status.message().to_string()
}

/// What every call carries: metadata, deadline, compression.
#[derive(Debug, Clone)]
pub(crate) struct CallOptions {
    metadata: Metadata,
    timeout: Option<Duration>,
    compression: Option<CompressionEncoding>,
}

impl CallOptions {
    /// Reads `-H`, `--timeout` and `--compression`.
    pub(crate) fn from_args(args: &ConnArgs) -> Result<CallOptions, CliError> {
        let mut metadata = Metadata::new();
        for header in &args.headers {
            let Some((key, value)) = header.split_once(':') else {
                return Err(CliError::Usage(format!("header {header:?} is not `key: value`")));
            };
            let (key, value) = (key.trim(), value.trim());
            let inserted = if key.to_ascii_lowercase().ends_with("-bin") {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(value)
                    .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(value))
                    .map_err(|e| {
                        CliError::Usage(format!("header {key:?}: value is not base64: {e}"))
                    })?;
                metadata.append_bin(key, bytes)
            } else {
                metadata.append(key, value)
            };
            inserted.map_err(|e| CliError::Usage(format!("header {header:?}: {e}")))?;
        }
        let compression = match args.compression.as_deref() {
            None | Some("identity") | Some("none") => None,
            Some(name) => Some(
                name.parse::<CompressionEncoding>()
                    .map_err(|e| CliError::Usage(format!("--compression {name}: {e}")))?,
            ),
        };
        Ok(CallOptions { metadata, timeout: args.timeout, compression })
    }

    /// A request for `message` with these options.
    pub(crate) fn request<T>(&self, message: T) -> Request<T> {
        let mut request = Request::new(message);
        request.metadata_mut().extend(self.metadata.clone());
        if let Some(timeout) = self.timeout {
            request.set_timeout(timeout);
        }
        if let Some(encoding) = self.compression {
            request.set_compression(encoding);
        }
        request
    }

    /// The same options with `timeout` as the deadline of each call.
    pub(crate) fn with_timeout(&self, timeout: Duration) -> CallOptions {
        CallOptions { timeout: Some(timeout), ..self.clone() }
    }

    /// The same options with no deadline.
    pub(crate) fn without_timeout(&self) -> CallOptions {
        CallOptions { timeout: None, ..self.clone() }
    }

    /// The metadata sent with each call.
    pub(crate) fn metadata(&self) -> &Metadata {
        &self.metadata
    }
}
