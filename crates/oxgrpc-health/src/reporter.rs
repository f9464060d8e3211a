//! [`HealthReporter`]: the serving status of each service, shared by the
//! application (which sets it) and the health service (which reports it).
//!
//! All methods take `&self`, never block on I/O and may be called from any
//! thread or task; the lock they take is held only to update a map and
//! queue the change for each open `Watch` call.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::ServingStatus;
use crate::pb::health_server::HealthServer;
use crate::service::HealthService;
use crate::watch::Watcher;

/// Sets the serving status of each service, and of the whole server (the
/// service name `""`), for the [`HealthService`] it made.
///
/// Cheap to clone; every clone reports to the same services.
///
/// A new reporter has `""` SERVING and no other service: a `Check` of any
/// other name gets NOT_FOUND until it is set. Kubernetes' gRPC probes (and
/// `grpc_health_probe`) call `Check` with `""` or the configured service
/// name and pass only on SERVING.
///
/// ```no_run
/// # async fn run(service: impl oxgrpc::codegen::Service) -> std::io::Result<()> {
/// let health = oxgrpc_health::HealthReporter::new();
/// health.set_serving("bookstore.Bookstore");
/// let signal = async {
///     let _ = tokio::signal::ctrl_c().await;
/// };
/// oxgrpc::Server::builder()
///     .add_service(health.service())
///     .add_service(service)
///     .serve_with_shutdown(
///         "127.0.0.1:50051".parse().unwrap(),
///         // NOT_SERVING everywhere as soon as Ctrl-C comes, then the drain.
///         health.shutdown_on(signal),
///         std::time::Duration::from_secs(5),
///     )
///     .await
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct HealthReporter {
    shared: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    statuses: BTreeMap<String, ServingStatus>,
    /// The open `Watch` calls, by service name, then by watch id.
    watchers: HashMap<String, HashMap<u64, Arc<Watcher>>>,
    next_watch: u64,
    /// After [`HealthReporter::shutdown`]: every status is NOT_SERVING and
    /// stays so.
    shut_down: bool,
}

impl Default for HealthReporter {
    fn default() -> Self {
        Self::new()
    }
}

impl HealthReporter {
    /// A reporter with the whole server (`""`) SERVING.
    pub fn new() -> Self {
        let reporter = HealthReporter { shared: Arc::default() };
        reporter.set_status("", ServingStatus::Serving);
        reporter
    }

    /// The `grpc.health.v1.Health` service reporting this reporter's
    /// statuses; add it to a `Server::builder()`.
    pub fn service(&self) -> HealthServer<HealthService> {
        HealthServer::new(HealthService::new(self.clone()))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Marks `service` SERVING.
    pub fn set_serving(&self, service: &str) {
        self.set_status(service, ServingStatus::Serving);
    }

    /// Marks `service` NOT_SERVING.
    pub fn set_not_serving(&self, service: &str) {
        self.set_status(service, ServingStatus::NotServing);
    }

    /// Sets the status of `service` (`""`: the whole server) and sends it to
    /// every `Watch` of that service. [`ServingStatus::ServiceUnknown`]
    /// forgets the service, as [`clear`](Self::clear) does. Ignored once
    /// [`shutdown`](Self::shutdown) has run: a server that is going away
    /// stays NOT_SERVING.
    pub fn set_status(&self, service: &str, status: ServingStatus) {
        if status == ServingStatus::ServiceUnknown {
            return self.clear(service);
        }
        let mut state = self.lock();
        if state.shut_down {
            return;
        }
        state.statuses.insert(service.to_owned(), status);
        state.notify(service, status);
    }

    /// Forgets `service`: `Check` answers NOT_FOUND again, and its watchers
    /// get SERVICE_UNKNOWN (and stay open). Ignored after
    /// [`shutdown`](Self::shutdown).
    pub fn clear(&self, service: &str) {
        let mut state = self.lock();
        if state.shut_down || state.statuses.remove(service).is_none() {
            return;
        }
        state.notify(service, ServingStatus::ServiceUnknown);
    }

    /// The current status of `service`, or `None` if it is unknown.
    pub fn status(&self, service: &str) -> Option<ServingStatus> {
        self.lock().statuses.get(service).copied()
    }

    /// Every known service and its status, `""` included, sorted by name.
    pub fn statuses(&self) -> Vec<(String, ServingStatus)> {
        self.lock().statuses.iter().map(|(name, status)| (name.clone(), *status)).collect()
    }

    /// The server is going away: every known service (and `""`) becomes
    /// NOT_SERVING for good, later `set_*` calls are ignored, and each open
    /// `Watch` gets NOT_SERVING and then ends with OK, so the server's
    /// graceful drain does not wait on them. Watches of unknown services end
    /// too. A `Watch` started later gets the current status and ends.
    ///
    /// Call it before the server starts draining, so clients and load
    /// balancers learn it first; [`shutdown_on`](Self::shutdown_on) does
    /// that for a shutdown signal.
    pub fn shutdown(&self) {
        let mut state = self.lock();
        if std::mem::replace(&mut state.shut_down, true) {
            return;
        }
        let State { statuses, watchers, .. } = &mut *state;
        for (service, status) in statuses.iter_mut() {
            *status = ServingStatus::NotServing;
            for watcher in watchers.get(service).into_iter().flat_map(HashMap::values) {
                watcher.push(ServingStatus::NotServing);
            }
        }
        for watcher in watchers.values().flat_map(HashMap::values) {
            watcher.close();
        }
    }

    /// Wraps a graceful-shutdown signal for `Server::serve_with_shutdown`
    /// (or `serve_listener`): when `signal` resolves, this runs
    /// [`shutdown`](Self::shutdown) and only then resolves, so every
    /// service reads NOT_SERVING before the server sends GOAWAY and drains.
    pub fn shutdown_on(
        &self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> impl Future<Output = ()> + Send + 'static {
        let reporter = self.clone();
        async move {
            signal.await;
            reporter.shutdown();
        }
    }

    /// Registers a watch of `service`; its queue starts with the current
    /// status (SERVICE_UNKNOWN for an unknown service). After shutdown the
    /// queue is closed at once, behind that status.
    pub(crate) fn watch(&self, service: &str) -> WatchGuard {
        let watcher = Arc::new(Watcher::default());
        let mut state = self.lock();
        let current = state.statuses.get(service).copied();
        watcher.push(current.unwrap_or(ServingStatus::ServiceUnknown));
        if state.shut_down {
            watcher.close();
        }
        let id = state.next_watch;
        state.next_watch += 1;
        state.watchers.entry(service.to_owned()).or_default().insert(id, Arc::clone(&watcher));
        drop(state);
        WatchGuard { reporter: self.clone(), service: service.to_owned(), id, watcher }
    }

    fn unwatch(&self, service: &str, id: u64) {
        let mut state = self.lock();
        if let Some(watchers) = state.watchers.get_mut(service) {
            watchers.remove(&id);
            if watchers.is_empty() {
                state.watchers.remove(service);
            }
        }
    }
}

impl State {
    fn notify(&self, service: &str, status: ServingStatus) {
        for watcher in self.watchers.get(service).into_iter().flat_map(HashMap::values) {
            watcher.push(status);
        }
    }
}

/// One open `Watch` call: its queue, unregistered when the call ends.
#[derive(Debug)]
pub(crate) struct WatchGuard {
    reporter: HealthReporter,
    service: String,
    id: u64,
    watcher: Arc<Watcher>,
}

impl WatchGuard {
    /// The next status to send; `None` once the watch is over (shutdown).
    pub(crate) async fn next(&self) -> Option<ServingStatus> {
        self.watcher.next().await
    }
}

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.reporter.unwatch(&self.service, self.id);
    }
}
