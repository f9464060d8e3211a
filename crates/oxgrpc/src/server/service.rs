//! The trait the router dispatches to; generated `XxxServer` types implement it.

use super::ServerCall;
use crate::rt::BoxFuture;

/// A gRPC service as the server routes to it; generated `XxxServer` types
/// implement it.
pub trait Service: Send + Sync + 'static {
    /// The full service name, e.g. `bookstore.Bookstore`.
    fn name(&self) -> &'static str;
    /// The method names, e.g. `["GetBook", ...]`.
    fn methods(&self) -> &'static [&'static str];
    /// Starts `method`, or gives the call back if there is no such method.
    fn call(&self, method: &str, call: ServerCall) -> Result<BoxFuture<'static, ()>, ServerCall>;
}
