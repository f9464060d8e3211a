//! What generated code uses. Applications need none of this directly.

pub use crate::server::{ServerCall, Service};
use futures_util::Stream;

/// A stream over a vector, for blocking clients' streaming calls.
pub fn iter_stream<T: Send + 'static>(items: Vec<T>) -> impl Stream<Item = T> + Send + 'static {
    futures_util::stream::iter(items)
}
