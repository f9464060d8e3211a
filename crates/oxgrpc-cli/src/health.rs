//! `oxgrpc health`: `grpc.health.v1.Health` Check or Watch, usable as a
//! probe (exit status 0 only when SERVING).

use crate::args::ConnArgs;
use crate::error::CliError;
use crate::target::{self, CallOptions};
use oxgrpc_health::ServingStatus;
use oxgrpc_health::pb::{HealthCheckRequest, HealthCheckResponse};
use std::io::Write as _;

const CHECK: &str = "/grpc.health.v1.Health/Check";
const WATCH: &str = "/grpc.health.v1.Health/Watch";

/// Checks (or watches) `service` and prints each status by name.
pub(crate) async fn run(
    conn: &ConnArgs,
    target: &str,
    service: &str,
    watch: bool,
) -> Result<(), CliError> {
    let channel = target::connect(conn, target).await?;
    let options = CallOptions::from_args(conn)?;
    let request = HealthCheckRequest { service: service.to_string() };
    let last = if watch {
        let response =
            channel.server_streaming::<_, HealthCheckResponse>(WATCH, options.request(request));
        let mut stream = response.await.map_err(CliError::Rpc)?.into_inner();
        let mut last = ServingStatus::Unknown;
        while let Some(answer) = stream.message().await.map_err(CliError::Rpc)? {
            last = print(&answer)?;
        }
        last
    } else {
        let response = channel.unary::<_, HealthCheckResponse>(CHECK, options.request(request));
        print(response.await.map_err(CliError::Rpc)?.get_ref())?
    };
    match last {
        ServingStatus::Serving => Ok(()),
        other => Err(CliError::Unhealthy(other)),
    }
}

fn print(answer: &HealthCheckResponse) -> Result<ServingStatus, CliError> {
    let status = ServingStatus::try_from(answer.status).unwrap_or(ServingStatus::Unknown);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", status.as_str_name())?;
    stdout.flush()?;
    Ok(status)
}
