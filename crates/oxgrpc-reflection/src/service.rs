//! [`ReflectionService`]: the bidirectional `ServerReflectionInfo` stream,
//! for both protocol versions.
//!
//! Each request gets exactly one response, in order. Questions that find
//! nothing get an `error_response` (NOT_FOUND) and the stream goes on; only
//! the client closing its side, or the connection failing, ends it.

use std::sync::Arc;

use oxgrpc::{Request, ResponseSink, Status, Streaming};

use crate::index::{Answer, Index, Query};

/// Serves server reflection from the registered descriptors; made by
/// [`Builder`](crate::Builder). The same value answers `grpc.reflection.v1`
/// and `grpc.reflection.v1alpha` (their messages are the same but for the
/// package name).
#[derive(Debug, Clone)]
pub struct ReflectionService {
    index: Arc<Index>,
}

impl ReflectionService {
    pub(crate) fn new(index: Arc<Index>) -> Self {
        ReflectionService { index }
    }
}

/// Implements one version's generated trait over [`Index::answer`]; the
/// versions differ only in the module their message types live in.
macro_rules! reflection_version {
    ($version:ident) => {
        mod $version {
            use super::*;
            use crate::pb::$version::server_reflection_request::MessageRequest;
            use crate::pb::$version::server_reflection_response::MessageResponse;
            use crate::pb::$version::server_reflection_server::ServerReflection;
            use crate::pb::$version::{
                ErrorResponse, ExtensionNumberResponse, FileDescriptorResponse,
                ListServiceResponse, ServerReflectionRequest, ServerReflectionResponse,
                ServiceResponse,
            };

            fn query(request: &ServerReflectionRequest) -> Query<'_> {
                match &request.message_request {
                    Some(MessageRequest::FileByFilename(name)) => Query::FileByFilename(name),
                    Some(MessageRequest::FileContainingSymbol(symbol)) => {
                        Query::FileContainingSymbol(symbol)
                    }
                    Some(MessageRequest::FileContainingExtension(extension)) => {
                        Query::FileContainingExtension {
                            containing_type: &extension.containing_type,
                            number: extension.extension_number,
                        }
                    }
                    Some(MessageRequest::AllExtensionNumbersOfType(message)) => {
                        Query::AllExtensionNumbersOfType(message)
                    }
                    Some(MessageRequest::ListServices(_)) => Query::ListServices,
                    None => Query::Empty,
                }
            }

            fn message_response(answer: Answer) -> MessageResponse {
                match answer {
                    Answer::Files(file_descriptor_proto) => {
                        MessageResponse::FileDescriptorResponse(FileDescriptorResponse {
                            file_descriptor_proto,
                        })
                    }
                    Answer::ExtensionNumbers { base_type, numbers } => {
                        MessageResponse::AllExtensionNumbersResponse(ExtensionNumberResponse {
                            base_type_name: base_type,
                            extension_number: numbers,
                        })
                    }
                    Answer::Services(names) => {
                        MessageResponse::ListServicesResponse(ListServiceResponse {
                            service: names
                                .into_iter()
                                .map(|name| ServiceResponse { name })
                                .collect(),
                        })
                    }
                    Answer::Error { code, message } => {
                        MessageResponse::ErrorResponse(ErrorResponse {
                            error_code: code,
                            error_message: message,
                        })
                    }
                }
            }

            impl ServerReflection for ReflectionService {
                async fn server_reflection_info(
                    &self,
                    request: Request<Streaming<ServerReflectionRequest>>,
                    mut responses: ResponseSink<ServerReflectionResponse>,
                ) -> Result<(), Status> {
                    let mut requests = request.into_inner();
                    while let Some(request) = requests.message().await? {
                        let answer = self.index.answer(query(&request));
                        responses
                            .send(ServerReflectionResponse {
                                valid_host: request.host.clone(),
                                message_response: Some(message_response(answer)),
                                original_request: Some(request),
                            })
                            .await?;
                    }
                    Ok(())
                }
            }
        }
    };
}

reflection_version!(v1);
reflection_version!(v1alpha);
