//! The request head: what a client sends, and how a server reads it.

use super::{GRPC_CONTENT_TYPE, accept_encoding, is_grpc_content_type, timeout};
use crate::call::CallInfo;
use crate::codec::{AcceptEncoding, CompressionEncoding};
use crate::metadata::Metadata;
use crate::rt;
use crate::status::Status;
use crate::transport::Peer;
use oxgrpc_h2::Header;
use std::sync::Arc;
use std::time::Duration;

/// Deadlines further away than this are treated as this far (100 years).
const MAX_DEADLINE: Duration = Duration::from_secs(100 * 365 * 86_400);

/// The head a client sends for `info` to `authority`; `scheme` is `http`
/// or `https`.
pub(crate) fn client_request_head(
    scheme: &'static str,
    authority: &str,
    info: &CallInfo,
    compression: Option<CompressionEncoding>,
) -> Vec<Header> {
    let mut head = Vec::with_capacity(10 + info.metadata.len());
    head.push(Header::new(":method", "POST"));
    head.push(Header::new(":scheme", scheme));
    head.push(Header::new(":path", info.method.clone()));
    head.push(Header::new(":authority", authority.to_owned()));
    head.push(Header::new("content-type", GRPC_CONTENT_TYPE));
    head.push(Header::new("te", "trailers"));
    head.push(Header::new("user-agent", concat!("oxgrpc/", env!("CARGO_PKG_VERSION"))));
    if let Some(deadline) = info.deadline {
        let left = deadline.saturating_duration_since(rt::now());
        head.push(Header::new("grpc-timeout", timeout::encode_timeout(left)));
    }
    if let Some(encoding) = compression {
        head.push(Header::new("grpc-encoding", encoding.as_str()));
    }
    head.push(Header::new("grpc-accept-encoding", accept_encoding()));
    head.extend(info.metadata.to_wire().map(|(n, v)| Header::new(n, v)));
    head
}

/// What went wrong before a call could start: answered without a handler.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// An HTTP-level answer (415 for a content-type that is not gRPC).
    Http(&'static str),
    /// A gRPC status, sent as a Trailers-Only response.
    Status(Status),
}

/// A request head as a server reads it.
#[derive(Debug)]
pub(crate) struct RequestHead {
    pub(crate) info: CallInfo,
    /// How the client compresses its messages.
    pub(crate) request_encoding: Option<CompressionEncoding>,
    /// How the responses will be compressed: the service's preference, or
    /// the request's encoding, if the client accepts it.
    pub(crate) response_encoding: Option<CompressionEncoding>,
}

impl RequestHead {
    /// Reads a request head for `path`. `preferred` is the compression the
    /// service asks for.
    pub(crate) fn parse(
        head: &[Header],
        peer: Arc<Peer>,
        path: &str,
        preferred: Option<CompressionEncoding>,
    ) -> Result<RequestHead, Rejection> {
        let mut content_type_ok = false;
        let mut deadline = None;
        let mut request_encoding = None;
        let mut accept = None;
        for field in head {
            match &field.name[..] {
                b"content-type" => content_type_ok = is_grpc_content_type(&field.value),
                b"grpc-timeout" => {
                    let timeout = timeout::decode_timeout(&field.value).map_err(|e| {
                        Rejection::Status(Status::internal(format!("malformed grpc-timeout: {e}")))
                    })?;
                    deadline = rt::now().checked_add(timeout.min(MAX_DEADLINE));
                }
                b"grpc-encoding" => {
                    request_encoding =
                        CompressionEncoding::from_header(&field.value).map_err(|e| {
                            Rejection::Status(Status::unimplemented(format!(
                                "grpc: compression {} is not supported",
                                e.name()
                            )))
                        })?;
                }
                b"grpc-accept-encoding" => accept = Some(AcceptEncoding::parse(&field.value)),
                _ => {}
            }
        }
        if !content_type_ok {
            return Err(Rejection::Http("415"));
        }
        let accept = accept.unwrap_or_else(|| AcceptEncoding::new(&[]));
        let response_encoding = match preferred.or(request_encoding) {
            Some(encoding) if accept.contains(encoding) => Some(encoding),
            _ => None,
        };
        let metadata = Metadata::from_wire(head.iter().map(|h| (&h.name[..], &h.value[..])));
        let info = CallInfo {
            method: path.to_string(),
            metadata,
            deadline,
            remote_addr: peer.remote_addr(),
            peer: Some(peer),
        };
        Ok(RequestHead { info, request_encoding, response_encoding })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    fn info(deadline: Option<std::time::Instant>) -> CallInfo {
        let mut metadata = Metadata::new();
        metadata.insert("x-id", "7").unwrap();
        CallInfo { method: "/p.S/M".into(), metadata, deadline, remote_addr: None, peer: None }
    }

    #[tokio::test(start_paused = true)]
    async fn what_a_client_sends_a_server_reads() {
        let sent = info(Some(rt::now() + Duration::from_secs(3)));
        let head = client_request_head("http", "h:1", &sent, Some(CompressionEncoding::Gzip));
        let read = RequestHead::parse(&head, Arc::default(), "/p.S/M", None).unwrap();
        assert_eq!(read.info.metadata.get("x-id"), Some("7"));
        assert_eq!(read.info.deadline, sent.deadline);
        assert_eq!(read.request_encoding, Some(CompressionEncoding::Gzip));
        assert_eq!(read.response_encoding, Some(CompressionEncoding::Gzip));
    }

    #[test]
    fn wrong_content_type_is_415_and_bad_timeout_internal() {
        let head = vec![Header::new("content-type", "text/plain")];
        assert!(matches!(
            RequestHead::parse(&head, Arc::default(), "/", None),
            Err(Rejection::Http("415"))
        ));
        let head = vec![
            Header::new("content-type", "application/grpc"),
            Header::new("grpc-timeout", "forever"),
        ];
        let Err(Rejection::Status(status)) = RequestHead::parse(&head, Arc::default(), "/", None)
        else {
            panic!("accepted a malformed grpc-timeout")
        };
        assert_eq!(status.code(), Code::Internal);
    }

    #[test]
    fn unknown_encoding_is_unimplemented_and_unaccepted_is_not_used() {
        let head = vec![
            Header::new("content-type", "application/grpc"),
            Header::new("grpc-encoding", "br"),
        ];
        let Err(Rejection::Status(status)) = RequestHead::parse(&head, Arc::default(), "/", None)
        else {
            panic!("accepted brotli")
        };
        assert_eq!(status.code(), Code::Unimplemented);
        let head = vec![
            Header::new("content-type", "application/grpc"),
            Header::new("grpc-accept-encoding", "identity"),
        ];
        let read = RequestHead::parse(&head, Arc::default(), "/", Some(CompressionEncoding::Zstd))
            .unwrap();
        assert_eq!(read.response_encoding, None);
    }
}
