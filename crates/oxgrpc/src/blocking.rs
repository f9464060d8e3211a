//! Running async clients from code that is not async.

use crate::Status;
use std::future::Future;

/// A small runtime for blocking clients: one worker thread keeps the
/// connection alive between calls; `block_on` waits for one call.
///
/// ```no_run
/// let rt = oxgrpc::blocking::Runtime::new()?;
/// let channel = rt.block_on(oxgrpc::Channel::connect("http://127.0.0.1:50051"))?;
/// # Ok::<(), oxgrpc::Status>(())
/// ```
#[derive(Debug)]
pub struct Runtime {
    rt: tokio::runtime::Runtime,
}

impl Runtime {
    /// Starts the runtime.
    pub fn new() -> Result<Runtime, Status> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("oxgrpc-blocking")
            .enable_all()
            .build()
            .map_err(|e| Status::internal(format!("cannot start a runtime: {e}")))?;
        Ok(Runtime { rt })
    }

    /// Runs `fut` to completion on this runtime.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        self.rt.block_on(fut)
    }
}
