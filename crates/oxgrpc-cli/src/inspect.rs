//! `oxgrpc list` and `oxgrpc describe`.

use crate::args::ConnArgs;
use crate::describe::Symbol;
use crate::error::{CliError, Missing};
use crate::source::{self, Source};
use crate::target::{self, CallOptions};
use std::io::Write as _;

async fn open(conn: &ConnArgs, target: &str) -> Result<Source, CliError> {
    let channel = target::connect(conn, target).await?;
    let options = CallOptions::from_args(conn)?;
    source::for_args(conn, &channel, &options)
}

/// Prints the services, or `service`'s methods (`pkg.Service.Method`),
/// one a line, sorted.
pub(crate) async fn list(
    conn: &ConnArgs,
    target: &str,
    service: Option<&str>,
) -> Result<(), CliError> {
    let mut source = open(conn, target).await?;
    let lines = match service {
        None => source.services().await?,
        Some(name) => {
            let service = source.service(name).await?;
            let mut methods: Vec<String> =
                service.methods().map(|m| m.full_name().to_string()).collect();
            methods.sort();
            methods
        }
    };
    let mut stdout = std::io::stdout().lock();
    for line in lines {
        writeln!(stdout, "{line}")?;
    }
    Ok(())
}

/// Prints `symbol` as protobuf source; every service when none is given.
pub(crate) async fn describe(
    conn: &ConnArgs,
    target: &str,
    symbol: Option<&str>,
) -> Result<(), CliError> {
    let mut source = open(conn, target).await?;
    let names = match symbol {
        Some(symbol) => vec![symbol.to_string()],
        None => source.services().await?,
    };
    let mut stdout = std::io::stdout().lock();
    for name in names {
        let pool = source.pool_for(&name).await?;
        let found = Symbol::resolve(&pool, &name)
            .ok_or_else(|| CliError::NotFound { what: Missing::Symbol, name: name.clone() })?;
        writeln!(stdout, "{}", found.describe())?;
    }
    Ok(())
}
