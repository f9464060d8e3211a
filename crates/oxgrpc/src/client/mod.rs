//! The gRPC client: [`Channel`] and the calls made through it.

mod call;
mod channel;
mod connect;
mod credentials;
mod target;

pub use channel::{Channel, ChannelBuilder};
pub use credentials::{CallCredentials, CredentialsContext};

#[cfg(test)]
mod call_tests;
#[cfg(test)]
mod tests;
