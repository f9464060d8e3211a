//! What a run measured, and how it is shown: ghz's summary, or JSON.

use crate::args::LoadArgs;
use crate::error::code_name;
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use oxgrpc::{Code, Status};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The longest latency the histogram holds (longer ones count as this).
const MAX_LATENCY_NS: u64 = 3_600_000_000_000;
/// How many different error messages are kept per run.
const MAX_ERROR_KINDS: usize = 10;

/// One worker's (or the merged) measurements.
pub(super) struct Tally {
    latency: Histogram<u64>,
    codes: BTreeMap<i32, u64>,
    errors: BTreeMap<(i32, String), u64>,
}

impl Tally {
    pub(super) fn new() -> Tally {
        let latency = Histogram::new_with_bounds(1, MAX_LATENCY_NS, 3)
            .expect("constant histogram bounds are valid");
        Tally { latency, codes: BTreeMap::new(), errors: BTreeMap::new() }
    }

    /// Records one call.
    pub(super) fn record(&mut self, took: Duration, error: Option<Status>) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX).clamp(1, MAX_LATENCY_NS);
        self.latency.saturating_record(ns);
        let code = error.as_ref().map_or(Code::Ok, Status::code);
        *self.codes.entry(i32::from(code)).or_default() += 1;
        if let Some(status) = error {
            let key = (i32::from(code), status.message().to_string());
            if self.errors.contains_key(&key) || self.errors.len() < MAX_ERROR_KINDS {
                *self.errors.entry(key).or_default() += 1;
            }
        }
    }

    /// Adds another tally to this one.
    pub(super) fn merge(&mut self, other: Tally) {
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        for (code, n) in other.codes {
            *self.codes.entry(code).or_default() += n;
        }
        for (key, n) in other.errors {
            if self.errors.contains_key(&key) || self.errors.len() < MAX_ERROR_KINDS {
                *self.errors.entry(key).or_default() += n;
            }
        }
    }
}

/// The summary of a run.
pub(super) struct Report {
    count: u64,
    elapsed: Duration,
    latency_ns: Vec<(&'static str, u64)>,
    mean_ns: f64,
    codes: Vec<(&'static str, u64)>,
    errors: Vec<(&'static str, String, u64)>,
    connections: u32,
    concurrency: u32,
}

impl Report {
    pub(super) fn new(tally: &Tally, elapsed: Duration, load: &LoadArgs) -> Report {
        let h = &tally.latency;
        let latency_ns = if h.is_empty() {
            Vec::new()
        } else {
            vec![
                ("min", h.min()),
                ("p50", h.value_at_quantile(0.50)),
                ("p90", h.value_at_quantile(0.90)),
                ("p99", h.value_at_quantile(0.99)),
                ("p99.9", h.value_at_quantile(0.999)),
                ("max", h.max()),
            ]
        };
        let name = |code: i32| code_name(Code::from_i32(code));
        Report {
            count: h.len(),
            elapsed,
            latency_ns,
            mean_ns: if h.is_empty() { 0.0 } else { h.mean() },
            codes: tally.codes.iter().map(|(c, n)| (name(*c), *n)).collect(),
            errors: tally.errors.iter().map(|((c, m), n)| (name(*c), m.clone(), *n)).collect(),
            connections: load.connections,
            concurrency: load.concurrency,
        }
    }

    fn rate(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 { self.count as f64 / secs } else { 0.0 }
    }

    /// ghz's text summary.
    pub(super) fn text(&self) -> String {
        let mut out = String::from("\nSummary:\n");
        let _ = writeln!(out, "  Count:\t{}", self.count);
        let _ = writeln!(out, "  Total:\t{}", millis(self.elapsed.as_nanos() as f64));
        let _ = writeln!(out, "  Average:\t{}", millis(self.mean_ns));
        let _ = writeln!(out, "  Requests/sec:\t{:.2}", self.rate());
        let _ = writeln!(
            out,
            "  Connections:\t{}\n  Concurrency:\t{}",
            self.connections, self.concurrency
        );
        out.push_str("\nLatency distribution:\n");
        for (name, ns) in &self.latency_ns {
            let _ = writeln!(out, "  {name:>5}:\t{}", millis(*ns as f64));
        }
        out.push_str("\nStatus code distribution:\n");
        for (name, n) in &self.codes {
            let _ = writeln!(out, "  [{name}]\t{n} responses");
        }
        if !self.errors.is_empty() {
            out.push_str("\nError distribution:\n");
            for (name, message, n) in &self.errors {
                let _ = writeln!(out, "  [{n}]\t{name}: {message}");
            }
        }
        out
    }

    /// The summary as one JSON object; times in microseconds.
    pub(super) fn json(&self) -> serde_json::Value {
        let us = |ns: f64| (ns / 1e3 * 1000.0).round() / 1000.0;
        let latency: serde_json::Map<_, _> =
            self.latency_ns.iter().map(|(k, ns)| (k.to_string(), us(*ns as f64).into())).collect();
        let codes: serde_json::Map<_, _> =
            self.codes.iter().map(|(k, n)| (k.to_string(), (*n).into())).collect();
        let errors: Vec<_> = self
            .errors
            .iter()
            .map(|(code, message, n)| serde_json::json!({"code": code, "message": message, "count": n}))
            .collect();
        serde_json::json!({
            "count": self.count,
            "total_us": us(self.elapsed.as_nanos() as f64),
            "rps": (self.rate() * 100.0).round() / 100.0,
            "average_us": us(self.mean_ns),
            "latency_us": latency,
            "status_codes": codes,
            "errors": errors,
            "connections": self.connections,
            "concurrency": self.concurrency,
        })
    }
}

fn millis(ns: f64) -> String {
    if ns >= 1e9 { format!("{:.2} s", ns / 1e9) } else { format!("{:.2} ms", ns / 1e6) }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
pub(super) struct Progress {
    bar: ProgressBar,
    ticker: tokio::task::JoinHandle<()>,
}

impl Progress {
    pub(super) fn finish(self) {
        self.ticker.abort();
        self.bar.finish_and_clear();
    }
}

/// Starts the bar: calls done out of `total`, or seconds out of `duration`.
pub(super) fn progress(
    total: Option<u64>,
    duration: Option<Duration>,
    done: Arc<AtomicU64>,
) -> Progress {
    let by_time = total.is_none();
    let bar = match (total, duration) {
        (Some(total), _) => ProgressBar::new(total),
        (None, Some(duration)) => ProgressBar::new(duration.as_secs().max(1)),
        (None, None) => ProgressBar::new_spinner(),
    };
    let template = if by_time {
        "{elapsed_precise} [{wide_bar}] {pos}/{len} s {msg}"
    } else {
        "{elapsed_precise} [{wide_bar}] {pos}/{len} calls {msg}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    let shown = bar.clone();
    let ticker = tokio::spawn(async move {
        let started = std::time::Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if by_time {
                shown.set_position(started.elapsed().as_secs());
            } else {
                shown.set_position(done.load(Ordering::Relaxed));
            }
        }
    });
    Progress { bar, ticker }
}
