//! The gRPC client: [`Channel`] and the calls made through it.

mod call;
mod channel;

pub use channel::{Channel, ChannelBuilder};

#[cfg(test)]
mod tests;
