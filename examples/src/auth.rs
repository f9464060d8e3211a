//! Authentication and authorization in a server interceptor.
//!
//! [`BearerAuth`] checks `authorization: Bearer <token>` on every call and
//! rejects the others with UNAUTHENTICATED. Authorization per method
//! follows the same shape: once the caller is known (its token, or its
//! client certificate through [`CallInfo::peer`]), look the method up in a
//! table of who may call it and answer PERMISSION_DENIED otherwise:
//!
//! ```
//! use oxgrpc::{BoxFuture, CallInfo, Interceptor, Status};
//!
//! /// `/helloworld.Greeter/SayHello` for anyone with a client certificate;
//! /// every other method only for `admin.test.google.fr`.
//! struct PerMethod;
//!
//! impl Interceptor for PerMethod {
//!     fn on_request<'a>(&'a self, call: &'a mut CallInfo) -> BoxFuture<'a, Result<(), Status>> {
//!         Box::pin(async move {
//!             let auth = call.peer.as_ref().and_then(|p| p.auth());
//!             let Some(auth) = auth.filter(|a| !a.certificates().is_empty()) else {
//!                 return Err(Status::unauthenticated("a client certificate is required"));
//!             };
//!             let admin = auth.sans().iter().any(|san| san == "admin.test.google.fr");
//!             match call.method.as_str() {
//!                 "/helloworld.Greeter/SayHello" => Ok(()),
//!                 _ if admin => Ok(()),
//!                 method => Err(Status::permission_denied(format!("{method} is for admins"))),
//!             }
//!         })
//!     }
//! }
//! ```

use oxgrpc::{BoxFuture, CallInfo, Interceptor, Status};

/// Lets in only calls that carry `authorization: Bearer <token>` with
/// one of the accepted tokens.
#[derive(Debug, Clone)]
pub struct BearerAuth {
    tokens: Vec<String>,
}

impl BearerAuth {
    /// Accepts these tokens.
    pub fn new(tokens: impl IntoIterator<Item = impl Into<String>>) -> BearerAuth {
        BearerAuth { tokens: tokens.into_iter().map(Into::into).collect() }
    }
}

impl Interceptor for BearerAuth {
    fn on_request<'a>(&'a self, call: &'a mut CallInfo) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(async move {
            let header = call.metadata.get("authorization").unwrap_or_default();
            let Some(token) = header.strip_prefix("Bearer ") else {
                return Err(Status::unauthenticated("missing bearer token"));
            };
            if !self.tokens.iter().any(|t| t == token) {
                return Err(Status::unauthenticated("invalid bearer token"));
            }
            call.metadata.remove("authorization");
            Ok(())
        })
    }
}
