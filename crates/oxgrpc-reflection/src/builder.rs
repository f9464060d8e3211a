//! [`Builder`]: descriptor sets in, reflection services out.

use std::sync::Arc;

use prost::Message as _;
use prost_types::{FileDescriptorProto, FileDescriptorSet};

use crate::error::Error;
use crate::index::Index;
use crate::pb::v1::server_reflection_server::ServerReflectionServer as V1Server;
use crate::pb::v1alpha::server_reflection_server::ServerReflectionServer as V1AlphaServer;
use crate::service::ReflectionService;

/// Collects the descriptors a server wants to describe, then builds the
/// reflection service.
///
/// Register each package's generated `FILE_DESCRIPTOR_SET` (oxgrpc-build
/// puts the package's imports in it, `google/protobuf/*.proto` included).
/// The service lists every service of the registered files, and itself.
///
/// ```no_run
/// # mod pb { pub const FILE_DESCRIPTOR_SET: &[u8] = &[]; }
/// # async fn run(bookstore: impl oxgrpc::codegen::Service) -> Result<(), Box<dyn std::error::Error>> {
/// use oxgrpc_reflection::ServerBuilderExt as _;
/// let reflection = oxgrpc_reflection::Builder::new()
///     .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
///     .build()?;
/// oxgrpc::Server::builder()
///     .add_service(bookstore)
///     .add_reflection(reflection) // grpc.reflection.v1 and v1alpha
///     .serve("127.0.0.1:50051".parse()?)
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Default)]
pub struct Builder {
    files: Vec<FileDescriptorProto>,
    error: Option<Error>,
}

/// Both versions of the reflection service over the same descriptors; add
/// them with [`ServerBuilderExt::add_reflection`](crate::ServerBuilderExt::add_reflection).
#[derive(Debug)]
pub struct Reflection {
    /// The `grpc.reflection.v1.ServerReflection` service.
    pub v1: V1Server<ReflectionService>,
    /// The `grpc.reflection.v1alpha.ServerReflection` service, which older
    /// clients (grpcurl before 1.9, grpcio's descriptor database) use.
    pub v1alpha: V1AlphaServer<ReflectionService>,
}

impl Builder {
    /// A builder with no descriptors.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers an encoded `google.protobuf.FileDescriptorSet`, such as a
    /// generated `FILE_DESCRIPTOR_SET`. One that does not decode makes
    /// [`build`](Self::build) fail with [`Error::Decode`].
    pub fn register_encoded_file_descriptor_set(mut self, encoded: &[u8]) -> Self {
        match FileDescriptorSet::decode(encoded) {
            Ok(set) => self.files.extend(set.file),
            Err(err) => {
                self.error.get_or_insert(Error::Decode(err));
            }
        }
        self
    }

    /// Registers a decoded descriptor set.
    pub fn register_file_descriptor_set(mut self, set: FileDescriptorSet) -> Self {
        self.files.extend(set.file);
        self
    }

    /// Both versions, listing both among the services.
    pub fn build(self) -> Result<Reflection, Error> {
        let service = self
            .register_encoded_file_descriptor_set(crate::pb::v1::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(crate::pb::v1alpha::FILE_DESCRIPTOR_SET)
            .service()?;
        Ok(Reflection { v1: V1Server::new(service.clone()), v1alpha: V1AlphaServer::new(service) })
    }

    /// `grpc.reflection.v1` alone, listing itself among the services.
    pub fn build_v1(self) -> Result<V1Server<ReflectionService>, Error> {
        let builder = self.register_encoded_file_descriptor_set(crate::pb::v1::FILE_DESCRIPTOR_SET);
        Ok(V1Server::new(builder.service()?))
    }

    /// `grpc.reflection.v1alpha` alone, listing itself among the services.
    pub fn build_v1alpha(self) -> Result<V1AlphaServer<ReflectionService>, Error> {
        let builder =
            self.register_encoded_file_descriptor_set(crate::pb::v1alpha::FILE_DESCRIPTOR_SET);
        Ok(V1AlphaServer::new(builder.service()?))
    }

    fn service(self) -> Result<ReflectionService, Error> {
        if let Some(err) = self.error {
            return Err(err);
        }
        Ok(ReflectionService::new(Arc::new(Index::new(self.files)?)))
    }
}

/// Adds a [`Reflection`] (both versions) to a server in one call.
pub trait ServerBuilderExt {
    /// Adds `grpc.reflection.v1` and `grpc.reflection.v1alpha`.
    fn add_reflection(self, reflection: Reflection) -> Self;
}

impl ServerBuilderExt for oxgrpc::ServerBuilder {
    fn add_reflection(self, reflection: Reflection) -> Self {
        self.add_service(reflection.v1).add_service(reflection.v1alpha)
    }
}
