//! Call credentials: per-call metadata (a bearer token, a signature) that
//! the application supplies asynchronously, e.g. refreshing a token.
//!
//! They compose with the channel's credentials (TLS): a channel may have
//! both, and several call credentials, which all run, in order. As in
//! gRPC, they are refused on an insecure channel unless the application
//! opts in ([`ChannelBuilder::allow_insecure_call_credentials`](super::ChannelBuilder::allow_insecure_call_credentials)),
//! so a token never crosses the network in cleartext by mistake.

use crate::metadata::Metadata;
use crate::rt::BoxFuture;
use crate::status::{Code, Status};

/// What call credentials see of the call they are asked for.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CredentialsContext<'a> {
    /// The full method path, e.g. `/helloworld.Greeter/SayHello`.
    pub method: &'a str,
    /// The `:authority` the call goes to.
    pub authority: &'a str,
}

/// Adds metadata to every call of a channel.
///
/// An error ends the call: with UNAUTHENTICATED if its code is that,
/// otherwise with UNAVAILABLE (the credentials could not be had now).
///
/// ```
/// use oxgrpc::{BoxFuture, CallCredentials, CredentialsContext, Metadata, Status};
/// use std::sync::{Arc, RwLock};
///
/// /// A bearer token the application refreshes in the background.
/// struct Bearer(Arc<RwLock<String>>);
///
/// impl CallCredentials for Bearer {
///     fn metadata<'a>(&'a self, _call: CredentialsContext<'a>) -> BoxFuture<'a, Result<Metadata, Status>> {
///         Box::pin(async move {
///             let token = self.0.read().map_err(|_| Status::unavailable("token store broken"))?;
///             let mut metadata = Metadata::new();
///             metadata
///                 .insert("authorization", &format!("Bearer {token}"))
///                 .map_err(|_| Status::unauthenticated("token is not valid metadata"))?;
///             Ok(metadata)
///         })
///     }
/// }
/// ```
pub trait CallCredentials: Send + Sync + 'static {
    /// The metadata to add to `call`.
    fn metadata<'a>(
        &'a self,
        call: CredentialsContext<'a>,
    ) -> BoxFuture<'a, Result<Metadata, Status>>;
}

/// A channel's call credentials, run in order.
#[derive(Clone, Default)]
pub(crate) struct CallCredentialsList {
    pub(crate) list: Vec<std::sync::Arc<dyn CallCredentials>>,
    pub(crate) allow_insecure: bool,
}

impl CallCredentialsList {
    /// Adds every credential's metadata to `metadata`.
    pub(crate) async fn apply(
        &self,
        call: CredentialsContext<'_>,
        secure: bool,
        metadata: &mut Metadata,
    ) -> Result<(), Status> {
        if self.list.is_empty() {
            return Ok(());
        }
        if !secure && !self.allow_insecure {
            return Err(Status::unauthenticated(
                "call credentials need a secure channel (TLS); \
                 ChannelBuilder::allow_insecure_call_credentials opts out",
            ));
        }
        for credentials in &self.list {
            let added = credentials.metadata(call).await.map_err(|status| match status.code() {
                Code::Unauthenticated => status,
                _ => Status::unavailable(format!(
                    "getting call credentials failed: {}",
                    status.message()
                )),
            })?;
            metadata.extend(added);
        }
        Ok(())
    }
}
