//! The command line: oxgrpc's own subcommands, and grpcurl's spellings
//! rewritten into them.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// Call, inspect, health-check and load-test gRPC servers.
///
/// grpcurl's spellings work too: `oxgrpc -plaintext -d '{"id":"123"}'
/// localhost:50051 bookstore.Bookstore/GetBook`, `oxgrpc -plaintext
/// localhost:50051 list`, `oxgrpc -plaintext localhost:50051 describe X`.
#[derive(Debug, Parser)]
#[command(name = "oxgrpc", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Lists the server's services, or one service's methods.
    List {
        #[command(flatten)]
        conn: ConnArgs,
        /// The server: `host:port`, `http://host:port`, `https://host:port`,
        /// `unix:path`, `unix:///abs/path` or `unix-abstract:name`.
        target: String,
        /// A service, e.g. `bookstore.Bookstore`: list its methods.
        service: Option<String>,
    },
    /// Describes a service, method, message, enum or field; every service
    /// when no symbol is given.
    Describe {
        #[command(flatten)]
        conn: ConnArgs,
        /// The server.
        target: String,
        /// A fully-qualified symbol, e.g. `bookstore.Book`.
        symbol: Option<String>,
    },
    /// Calls a method with proto3 JSON in and out.
    Call {
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        data: DataArgs,
        /// The server.
        target: String,
        /// The method: `package.Service/Method` (or `package.Service.Method`).
        method: String,
    },
    /// Checks `grpc.health.v1.Health`: prints the status; exits 0 only when
    /// SERVING, so it can serve as a probe.
    Health {
        #[command(flatten)]
        conn: ConnArgs,
        /// The server.
        target: String,
        /// The service to check; the whole server ("") by default.
        #[arg(long, default_value = "")]
        service: String,
        /// Streams every status change (Watch) instead of checking once.
        #[arg(long)]
        watch: bool,
    },
    /// Load-tests a unary method (ghz-style): latency percentiles, req/s,
    /// and counts by status code.
    Bench {
        #[command(flatten)]
        conn: ConnArgs,
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        load: LoadArgs,
        /// The server.
        target: String,
        /// The method: `package.Service/Method`.
        method: String,
    },
}

impl Command {
    /// How many runtime threads the command asks for, if it does.
    pub(crate) fn threads(&self) -> Option<usize> {
        match self {
            Command::Bench { load, .. } => load.threads.map(usize::from),
            _ => None,
        }
    }
}

/// How to reach the server and what every call carries.
#[derive(Debug, Args, Clone)]
pub(crate) struct ConnArgs {
    /// Cleartext HTTP/2 (h2c). The default for `host:port` and `http://`
    /// targets; TLS options or `https://` select TLS.
    #[arg(long)]
    pub(crate) plaintext: bool,
    /// TLS (the grpcurl default): for `host:port` targets.
    #[arg(long, conflicts_with = "plaintext")]
    pub(crate) tls: bool,
    /// TLS without verifying the server's certificate.
    #[arg(long)]
    pub(crate) insecure: bool,
    /// PEM file of the CAs that sign the server's certificate.
    #[arg(long)]
    pub(crate) cacert: Option<PathBuf>,
    /// PEM file of the client certificate, for mutual TLS.
    #[arg(long, requires = "key")]
    pub(crate) cert: Option<PathBuf>,
    /// PEM file of the client certificate's private key.
    #[arg(long, requires = "cert")]
    pub(crate) key: Option<PathBuf>,
    /// The name the server's certificate is checked against (and SNI).
    #[arg(long)]
    pub(crate) servername: Option<String>,
    /// Metadata for each call, `key: value` (repeatable). Values of `-bin`
    /// keys are base64.
    #[arg(short = 'H', long = "header", value_name = "KEY: VALUE")]
    pub(crate) headers: Vec<String>,
    /// The deadline of each call, e.g. `5s`, `250ms` or `1.5`.
    #[arg(long = "timeout", value_parser = parse_duration)]
    pub(crate) timeout: Option<Duration>,
    /// How long to wait for the connection.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    pub(crate) connect_timeout: Duration,
    /// Compress requests: `gzip`, `deflate`, `zstd` or `identity`.
    #[arg(long)]
    pub(crate) compression: Option<String>,
    /// A .proto file to take descriptors from instead of reflection
    /// (repeatable).
    #[arg(long = "proto")]
    pub(crate) protos: Vec<PathBuf>,
    /// Where imports of `--proto` files are found (repeatable).
    #[arg(long = "import-path")]
    pub(crate) import_paths: Vec<PathBuf>,
    /// Prints response headers and trailers, and a count of messages.
    #[arg(short, long)]
    pub(crate) verbose: bool,
    /// Prints fields that have their default value.
    #[arg(long)]
    pub(crate) emit_defaults: bool,
}

/// The request messages.
#[derive(Debug, Args, Clone)]
pub(crate) struct DataArgs {
    /// The request as proto3 JSON; several messages in a row for streaming
    /// calls; `@` reads them from stdin as they come. Without it, one empty
    /// message is sent.
    #[arg(short = 'd', long = "data")]
    pub(crate) data: Option<String>,
}

/// How much load `bench` makes.
#[derive(Debug, Args, Clone)]
pub(crate) struct LoadArgs {
    /// Connections to open; workers are spread over them.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub(crate) connections: u32,
    /// Calls in flight at once.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub(crate) concurrency: u32,
    /// Calls to make (default 200 unless --duration is given).
    #[arg(long, short = 'n')]
    pub(crate) total: Option<u64>,
    /// How long to run; with --total too, whichever ends first.
    #[arg(long, short = 'z', value_parser = parse_duration)]
    pub(crate) duration: Option<Duration>,
    /// At most this many calls a second, over all workers.
    #[arg(long)]
    pub(crate) rps: Option<u32>,
    /// Prints the summary as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// Threads that make the calls (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub(crate) threads: Option<u16>,
}

/// `5`, `1.5`, `5s`, `250ms`, `2m`, `100us`: a duration.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().map_err(|_| format!("invalid duration {text:?}"))?;
    let seconds = match unit {
        "" | "s" => value,
        "ms" => value / 1e3,
        "us" | "µs" => value / 1e6,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("invalid duration unit in {text:?} (use h, m, s, ms or us)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("invalid duration {text:?}"))
}

/// The names of oxgrpc's own subcommands (and help/version), which are
/// parsed as they are; anything else is grpcurl's spelling.
const NATIVE: &[&str] =
    &["list", "describe", "call", "health", "bench", "help", "-h", "--help", "-V", "--version"];

/// grpcurl's flags that take a value, by name (without dashes), and the
/// native spelling of each.
const GRPCURL_VALUE_FLAGS: &[(&str, &str)] = &[
    ("d", "-d"),
    ("H", "-H"),
    ("rpc-header", "-H"),
    ("reflect-header", "-H"),
    ("max-time", "--timeout"),
    ("connect-timeout", "--connect-timeout"),
    ("proto", "--proto"),
    ("import-path", "--import-path"),
    ("cacert", "--cacert"),
    ("cert", "--cert"),
    ("key", "--key"),
    ("servername", "--servername"),
    ("authority", "--servername"),
];

/// grpcurl's boolean flags and their native spelling.
const GRPCURL_BOOL_FLAGS: &[(&str, &str)] = &[
    ("plaintext", "--plaintext"),
    ("insecure", "--insecure"),
    ("v", "--verbose"),
    ("emit-defaults", "--emit-defaults"),
];

/// Rewrites grpcurl's command line (`[flags] ADDR (list|describe|METHOD)
/// [SYMBOL]`, single-dash long flags, `-flag=value`) into the native one.
/// Native command lines come back as they are.
pub(crate) fn rewrite_grpcurl(args: Vec<String>) -> Result<Vec<String>, String> {
    let Some(first) = args.get(1) else { return Ok(args) };
    if NATIVE.contains(&first.as_str()) {
        return Ok(args);
    }
    let mut flags = Vec::new();
    let mut positional = Vec::new();
    let mut plaintext = false;
    let mut tls_asked = false;
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        if !positional.is_empty() || !arg.starts_with('-') || arg == "-" {
            positional.push(arg.clone());
            continue;
        }
        let name = arg.trim_start_matches('-');
        let (name, inline) = match name.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (name, None),
        };
        if let Some((_, native)) = GRPCURL_BOOL_FLAGS.iter().find(|(n, _)| *n == name) {
            if inline.as_deref().is_some_and(|v| v == "false") {
                continue;
            }
            plaintext |= name == "plaintext";
            tls_asked |= name == "insecure";
            flags.push(native.to_string());
        } else if let Some((_, native)) = GRPCURL_VALUE_FLAGS.iter().find(|(n, _)| *n == name) {
            let value = match inline {
                Some(value) => value,
                None => {
                    rest.next().ok_or_else(|| format!("flag needs an argument: -{name}"))?.clone()
                }
            };
            tls_asked |= matches!(name, "cacert" | "cert" | "key" | "servername");
            flags.push(native.to_string());
            flags.push(if name == "max-time" { seconds_or_unit(value) } else { value });
        } else {
            return Err(format!("flag provided but not defined: -{name}"));
        }
    }
    let mut positional = positional.into_iter();
    let Some(target) = positional.next() else {
        return Err("too few arguments: expected ADDR and a method, `list` or `describe`".into());
    };
    let (command, symbol) = match positional.next() {
        Some(verb) if verb == "list" || verb == "describe" => (verb, positional.next()),
        Some(method) => ("call".to_string(), Some(method)),
        None => {
            return Err(format!(
                "too few arguments after {target:?}: expected a method, `list` or `describe`"
            ));
        }
    };
    if let Some(extra) = positional.next() {
        return Err(format!("too many arguments: {extra:?}"));
    }
    // grpcurl speaks TLS unless told otherwise.
    let has_scheme = target.contains("://") || target.starts_with("unix");
    if !plaintext && !tls_asked && !has_scheme {
        flags.push("--tls".to_string());
    }
    let mut native = vec![args[0].clone(), command];
    native.extend(flags);
    native.push(target);
    native.extend(symbol);
    Ok(native)
}

/// grpcurl's `-max-time` is in (fractional) seconds.
fn seconds_or_unit(value: String) -> String {
    if value.ends_with(|c: char| c.is_ascii_digit()) { format!("{value}s") } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(line: &str) -> Vec<String> {
        rewrite_grpcurl(line.split(' ').map(String::from).collect()).unwrap()
    }

    #[test]
    fn the_articles_call_becomes_a_call() {
        let args = rewrite(
            r#"oxgrpc -plaintext -d {"id":"123"} localhost:50051 bookstore.Bookstore/GetBook"#,
        );
        assert_eq!(
            args,
            [
                "oxgrpc",
                "call",
                "--plaintext",
                "-d",
                r#"{"id":"123"}"#,
                "localhost:50051",
                "bookstore.Bookstore/GetBook"
            ]
        );
        let cli = Cli::try_parse_from(args).unwrap();
        assert!(
            matches!(cli.command, Command::Call { ref method, .. } if method == "bookstore.Bookstore/GetBook")
        );
    }

    #[test]
    fn list_and_describe_keep_their_symbol() {
        assert_eq!(
            rewrite("oxgrpc -plaintext localhost:50051 list"),
            ["oxgrpc", "list", "--plaintext", "localhost:50051"]
        );
        assert_eq!(
            rewrite("oxgrpc --plaintext localhost:50051 describe bookstore.Bookstore"),
            ["oxgrpc", "describe", "--plaintext", "localhost:50051", "bookstore.Bookstore"]
        );
    }

    #[test]
    fn grpcurl_defaults_to_tls_and_takes_inline_values() {
        assert_eq!(
            rewrite("oxgrpc -max-time=1.5 -H=a:b example.com:443 list"),
            ["oxgrpc", "list", "--timeout", "1.5s", "-H", "a:b", "--tls", "example.com:443"]
        );
    }

    #[test]
    fn native_lines_pass_and_bad_flags_are_named() {
        assert_eq!(rewrite("oxgrpc list localhost:1"), ["oxgrpc", "list", "localhost:1"]);
        let err = rewrite_grpcurl(vec!["oxgrpc".into(), "-bogus".into()]).unwrap_err();
        assert_eq!(err, "flag provided but not defined: -bogus");
        assert!(rewrite_grpcurl(vec!["oxgrpc".into(), "-d".into()]).is_err());
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("3 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
