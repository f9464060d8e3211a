//! Interceptors: code that runs around every call, on servers and clients.
//!
//! One trait serves both sides. An interceptor may read and change the
//! request metadata or reject the call before it runs, change the response
//! metadata before it is sent (server) or seen (client), and see and change
//! the final status, trailing metadata included.
//!
//! The logging interceptor: method name in, outcome out.
//!
//! ```
//! use oxgrpc::{BoxFuture, CallInfo, Interceptor, Status};
//!
//! struct Log;
//! impl Interceptor for Log {
//!     fn on_finish<'a>(&'a self, call: &'a CallInfo, status: &'a mut Status) -> BoxFuture<'a, ()> {
//!         Box::pin(async move { println!("{} -> {}", call.method, status.code()) })
//!     }
//! }
//! ```

use crate::call::CallInfo;
use crate::metadata::Metadata;
use crate::rt::BoxFuture;
use crate::status::Status;

/// Runs around calls. Every method has a default that does nothing.
pub trait Interceptor: Send + Sync + 'static {
    /// Before the call runs: change `call.metadata`, or return a status to
    /// reject the call (the handler does not run; the client does not send).
    fn on_request<'a>(&'a self, call: &'a mut CallInfo) -> BoxFuture<'a, Result<(), Status>> {
        let _ = call;
        Box::pin(async { Ok(()) })
    }

    /// The response's initial metadata, before it is sent (server) or
    /// handed to the caller (client).
    fn on_response<'a>(
        &'a self,
        call: &'a CallInfo,
        metadata: &'a mut Metadata,
    ) -> BoxFuture<'a, ()> {
        let _ = (call, metadata);
        Box::pin(async {})
    }

    /// The final status, before it is sent (server) or returned (client);
    /// its metadata is the trailing metadata.
    fn on_finish<'a>(&'a self, call: &'a CallInfo, status: &'a mut Status) -> BoxFuture<'a, ()> {
        let _ = (call, status);
        Box::pin(async {})
    }
}

/// A list of interceptors run in order (`on_finish` in reverse).
#[derive(Clone, Default)]
pub(crate) struct Interceptors(pub(crate) Vec<std::sync::Arc<dyn Interceptor>>);

impl Interceptors {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) async fn on_request(&self, call: &mut CallInfo) -> Result<(), Status> {
        for i in &self.0 {
            i.on_request(call).await?;
        }
        Ok(())
    }

    pub(crate) async fn on_response(&self, call: &CallInfo, metadata: &mut Metadata) {
        for i in &self.0 {
            i.on_response(call, metadata).await;
        }
    }

    pub(crate) async fn on_finish(&self, call: &CallInfo, status: &mut Status) {
        for i in self.0.iter().rev() {
            i.on_finish(call, status).await;
        }
    }
}
