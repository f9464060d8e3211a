//! gRPC server reflection for oxgrpc servers: `grpc.reflection.v1` and
//! `grpc.reflection.v1alpha` `ServerReflection`, so tools such as grpcurl
//! (or the `oxgrpc` CLI) can list a server's services and fetch their
//! descriptors without the `.proto` files.
//!
//! Answers follow grpc's doc/server-reflection.md and behave as
//! grpcio-reflection does: every file answer carries the file and all its
//! transitive imports, each once, the file first; a symbol may name a
//! message (nested too), field, oneof, enum, enum value (scoped beside its
//! enum, as protobuf scopes them), service, method or extension; a question
//! that finds nothing gets an `error_response` with NOT_FOUND and the
//! stream stays open for the next one.
//!
//! ```no_run
//! # mod pb { pub const FILE_DESCRIPTOR_SET: &[u8] = &[]; }
//! # async fn run(bookstore: impl oxgrpc::codegen::Service) -> Result<(), Box<dyn std::error::Error>> {
//! use oxgrpc_reflection::ServerBuilderExt as _;
//! let reflection = oxgrpc_reflection::Builder::new()
//!     .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
//!     .register_encoded_file_descriptor_set(oxgrpc_health::FILE_DESCRIPTOR_SET)
//!     .build()?;
//! oxgrpc::Server::builder()
//!     .add_service(bookstore)
//!     .add_reflection(reflection)
//!     .serve("127.0.0.1:50051".parse()?)
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! The generated messages and clients of both versions are public in
//! [`pb`], for clients:
//!
//! ```no_run
//! # async fn run() -> Result<(), oxgrpc::Status> {
//! use oxgrpc_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
//! use oxgrpc_reflection::pb::v1::server_reflection_request::MessageRequest;
//! use oxgrpc_reflection::pb::v1::ServerReflectionRequest;
//! let client = ServerReflectionClient::connect("http://127.0.0.1:50051").await?;
//! let ask = ServerReflectionRequest {
//!     host: String::new(),
//!     message_request: Some(MessageRequest::ListServices(String::new())),
//! };
//! let mut answers = client.server_reflection_info(futures_util::stream::iter([ask])).await?.into_inner();
//! while let Some(answer) = answers.message().await? {
//!     println!("{answer:?}");
//! }
//! # Ok(())
//! # }
//! ```

mod builder;
mod error;
mod index;
mod service;

/// The generated reflection packages: messages, `server_reflection_server`
/// and `server_reflection_client` (async and blocking), and each
/// package's `FILE_DESCRIPTOR_SET`.
pub mod pb {
    /// `grpc.reflection.v1`.
    #[allow(missing_docs)]
    pub mod v1 {
        oxgrpc::include_proto!("grpc.reflection.v1");
    }
    /// `grpc.reflection.v1alpha`, the version older clients use.
    #[allow(missing_docs)]
    pub mod v1alpha {
        oxgrpc::include_proto!("grpc.reflection.v1alpha");
    }
}

pub use builder::{Builder, Reflection, ServerBuilderExt};
pub use error::Error;
pub use service::ReflectionService;

/// The full name of the v1 reflection service.
pub const SERVICE_NAME_V1: &str = "grpc.reflection.v1.ServerReflection";
/// The full name of the v1alpha reflection service.
pub const SERVICE_NAME_V1ALPHA: &str = "grpc.reflection.v1alpha.ServerReflection";
