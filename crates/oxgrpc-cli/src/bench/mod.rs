//! `oxgrpc bench`: ghz-style load on a unary method over several
//! connections, with an HDR histogram of latencies.
//!
//! Each worker keeps one call in flight on its connection (workers are
//! spread over connections round-robin) and records into its own
//! histogram; they are merged at the end, so workers share nothing but
//! two counters.

mod plan;
mod report;

use crate::args::{ConnArgs, DataArgs, LoadArgs};
use crate::error::CliError;
use crate::json;
use crate::raw::RawMessage;
use crate::source;
use crate::target::{self, CallOptions};
use plan::Plan;
use report::{Report, Tally};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// ghz's default per-call deadline.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// ghz's default count when neither a count nor a duration is given.
const DEFAULT_TOTAL: u64 = 200;

/// Runs the load and prints the summary.
pub(crate) async fn run(
    conn: &ConnArgs,
    data: &DataArgs,
    load: &LoadArgs,
    target: &str,
    method: &str,
) -> Result<(), CliError> {
    let mut options = CallOptions::from_args(conn)?;
    if conn.timeout.is_none() {
        options = options.with_timeout(DEFAULT_TIMEOUT);
    }
    let first = target::connect(conn, target).await?;
    let mut source = source::for_args(conn, &first, &options)?;
    let method = source.method(method).await?;
    if method.is_client_streaming() || method.is_server_streaming() {
        return Err(CliError::Usage(format!(
            "bench calls unary methods; {} streams",
            method.full_name()
        )));
    }
    let mut requests = json::parse_all(&method.input(), data.data.as_deref().unwrap_or("{}"))?;
    if requests.len() != 1 {
        return Err(CliError::Usage(format!(
            "bench sends one request message, and the data has {}",
            requests.len()
        )));
    }
    let request = requests.remove(0);
    let mut channels = vec![first];
    for _ in 1..load.connections {
        channels.push(target::connect(conn, target).await?);
    }

    let total = load.total.or(if load.duration.is_none() { Some(DEFAULT_TOTAL) } else { None });
    let started = Instant::now();
    let plan = Arc::new(Plan::new(started, total, load.duration, load.rps));
    let done = Arc::new(AtomicU64::new(0));
    let path: Arc<str> = source::path_of(&method).into();
    let progress = report::progress(total, load.duration, done.clone());

    let mut workers = tokio::task::JoinSet::new();
    for i in 0..load.concurrency as usize {
        let channel = channels[i % channels.len()].clone();
        let work = Work { path: path.clone(), request: request.clone(), options: options.clone() };
        workers.spawn(worker(channel, work, plan.clone(), done.clone()));
    }
    let mut tally = Tally::new();
    while let Some(joined) = workers.join_next().await {
        match joined {
            Ok(part) => tally.merge(part),
            Err(e) => return Err(CliError::Io(std::io::Error::other(e))),
        }
    }
    let elapsed = started.elapsed();
    progress.finish();
    let report = Report::new(&tally, elapsed, load);
    if load.json {
        println!("{}", report.json());
    } else {
        print!("{}", report.text());
    }
    Ok(())
}

/// What every call of a run sends.
struct Work {
    path: Arc<str>,
    request: RawMessage,
    options: CallOptions,
}

async fn worker(
    channel: oxgrpc::Channel,
    work: Work,
    plan: Arc<Plan>,
    done: Arc<AtomicU64>,
) -> Tally {
    let mut tally = Tally::new();
    while let Some(slot) = plan.next() {
        if let Some(at) = slot {
            tokio::time::sleep_until(at.into()).await;
        }
        let request = work.options.request(work.request.clone());
        let started = Instant::now();
        let result = channel.unary::<_, RawMessage>(&work.path, request).await;
        tally.record(started.elapsed(), result.err());
        done.fetch_add(1, Ordering::Relaxed);
    }
    tally
}
