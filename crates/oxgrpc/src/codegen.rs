//! What generated code uses. Applications need none of this directly.

pub use crate::server::ServerCall;
use futures_util::Stream;
use std::future::Future;
use std::pin::Pin;

/// A handler future, as a generated service returns.
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A gRPC service as the server routes to it; generated `XxxServer` types
/// implement it.
pub trait Service: Send + Sync + 'static {
    /// The full service name, e.g. `bookstore.Bookstore`.
    fn name(&self) -> &'static str;
    /// The method names, e.g. `["GetBook", ...]`.
    fn methods(&self) -> &'static [&'static str];
    /// Starts `method`, or gives the call back if there is no such method.
    fn call(&self, method: &str, call: ServerCall) -> Result<BoxFuture, ServerCall>;
}

/// A stream over a vector, for blocking clients' streaming calls.
pub fn iter_stream<T: Send + 'static>(items: Vec<T>) -> impl Stream<Item = T> + Send + 'static {
    futures_util::stream::iter(items)
}
