//! Generated code and shared helpers for the helloworld and bookstore examples.

/// The `helloworld` package: `Greeter`.
pub mod helloworld {
    oxgrpc::include_proto!("helloworld");
}

/// The `bookstore` package: `Bookstore`.
pub mod bookstore {
    oxgrpc::include_proto!("bookstore");
}

/// The reflection services (v1 and v1alpha) for a server of `package_set`
/// (a generated `FILE_DESCRIPTOR_SET`) with the health service.
pub fn reflection(package_set: &[u8]) -> std::io::Result<oxgrpc_reflection::Reflection> {
    oxgrpc_reflection::Builder::new()
        .register_encoded_file_descriptor_set(package_set)
        .register_encoded_file_descriptor_set(oxgrpc_health::FILE_DESCRIPTOR_SET)
        .build()
        .map_err(std::io::Error::other)
}

/// A maintenance switch, and the way tests drive `Watch`: each SIGUSR1
/// flips `service` between SERVING and NOT_SERVING. Call from inside the
/// runtime; does nothing where there are no Unix signals.
pub fn flip_health_on_sigusr1(health: oxgrpc_health::HealthReporter, service: &'static str) {
    #[cfg(unix)]
    tokio::spawn(async move {
        use oxgrpc_health::ServingStatus;
        let kind = tokio::signal::unix::SignalKind::user_defined1();
        let Ok(mut flips) = tokio::signal::unix::signal(kind) else { return };
        while flips.recv().await.is_some() {
            let flipped = match health.status(service) {
                Some(ServingStatus::Serving) => ServingStatus::NotServing,
                _ => ServingStatus::Serving,
            };
            health.set_status(service, flipped);
            eprintln!("health: {service} {}", flipped.as_str_name());
        }
    });
    #[cfg(not(unix))]
    let _ = (health, service);
}

/// Parses `--addr HOST:PORT` (default 127.0.0.1:50051) from the command line.
pub fn addr_arg() -> std::net::SocketAddr {
    let mut args = std::env::args().skip(1);
    let mut addr = "127.0.0.1:50051".to_string();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--addr", Some(value)) => addr = value,
            _ => {
                eprintln!("usage: {} [--addr HOST:PORT]", env!("CARGO_PKG_NAME"));
                std::process::exit(2);
            }
        }
    }
    match addr.parse() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("invalid --addr {addr:?}: {e}");
            std::process::exit(2);
        }
    }
}

/// Logs the library's events to stderr; `RUST_LOG` picks the level
/// (default `info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// Resolves on Ctrl-C or SIGTERM: the servers' graceful-shutdown signal.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            term.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
