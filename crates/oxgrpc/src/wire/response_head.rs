//! The response head: what a server sends, and how a client reads it.

use super::{GRPC_CONTENT_TYPE, accept_encoding, is_grpc_content_type};
use crate::Code;
use crate::codec::CompressionEncoding;
use crate::metadata::Metadata;
use crate::status::Status;
use oxgrpc_h2::Header;

/// The head a server sends before its first message.
pub(crate) fn response_head(
    encoding: Option<CompressionEncoding>,
    metadata: &Metadata,
) -> Vec<Header> {
    let mut fields = Vec::with_capacity(7 + metadata.len());
    fields.push(Header::new(":status", "200"));
    fields.push(Header::new("content-type", GRPC_CONTENT_TYPE));
    if let Some(encoding) = encoding {
        fields.push(Header::new("grpc-encoding", encoding.as_str()));
    }
    fields.push(Header::new("grpc-accept-encoding", accept_encoding()));
    fields.extend(metadata.to_wire().map(|(n, v)| Header::new(n, v)));
    fields
}

/// A Trailers-Only response: the head and the status in one HEADERS frame.
pub(crate) fn trailers_only(metadata: &Metadata, status: &Status) -> Vec<Header> {
    let mut fields = response_head(None, metadata);
    fields.extend(status.to_header_fields().into_iter().map(|(n, v)| Header::new(n, v)));
    fields
}

/// A response head as a client reads it.
#[derive(Debug)]
pub(crate) struct ResponseHead {
    pub(crate) metadata: Metadata,
    pub(crate) encoding: Option<CompressionEncoding>,
    /// A Trailers-Only OK response: the stream ended in its head, with no
    /// message. Valid for streaming calls; a unary call still needs one.
    pub(crate) trailers_only: bool,
}

impl ResponseHead {
    /// Reads `:status`, `content-type`, `grpc-encoding` and metadata. A head
    /// that carries `grpc-status` is a Trailers-Only response: an error
    /// status ends the call here; an OK one is a stream with no message
    /// (`trailers_only`), whose status the caller reads from these fields.
    pub(crate) fn parse(head: &[Header]) -> Result<ResponseHead, Status> {
        let field =
            |name: &str| head.iter().find(|h| h.name == name.as_bytes()).map(|h| &h.value[..]);
        let fields = || head.iter().map(|h| (&h.name[..], &h.value[..]));
        let http_status = field(":status")
            .and_then(|s| std::str::from_utf8(s).ok()?.parse::<u16>().ok())
            .unwrap_or(0);
        let status = Status::from_header_fields(fields());
        if let Some(status) = status.as_ref().filter(|s| s.code() != Code::Ok) {
            return Err(status.clone());
        }
        let trailers_only = status.is_some() && http_status == 200;
        if http_status != 200 {
            return Err(Status::from_http_status(http_status));
        }
        if !field("content-type").is_some_and(is_grpc_content_type) {
            return Err(Status::unknown("response content-type is not application/grpc"));
        }
        let encoding = match field("grpc-encoding") {
            Some(value) => CompressionEncoding::from_header(value).map_err(|e| {
                Status::internal(format!("server used unsupported compression {}", e.name()))
            })?,
            None => None,
        };
        Ok(ResponseHead { metadata: Metadata::from_wire(fields()), encoding, trailers_only })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_server_sends_a_client_reads() {
        let mut metadata = Metadata::new();
        metadata.insert("x-cache", "hit").unwrap();
        let head = response_head(Some(CompressionEncoding::Zstd), &metadata);
        let read = ResponseHead::parse(&head).unwrap();
        assert_eq!(read.encoding, Some(CompressionEncoding::Zstd));
        assert_eq!(read.metadata.get("x-cache"), Some("hit"));
    }

    #[test]
    fn trailers_only_ends_the_call_with_its_status() {
        let head = trailers_only(&Metadata::new(), &Status::not_found("no book"));
        let status = ResponseHead::parse(&head).unwrap_err();
        assert_eq!((status.code(), status.message()), (Code::NotFound, "no book"));
    }

    #[test]
    fn a_trailers_only_ok_is_an_empty_stream() {
        let head = trailers_only(&Metadata::new(), &Status::ok(""));
        assert!(ResponseHead::parse(&head).unwrap().trailers_only);
        assert!(
            !ResponseHead::parse(&response_head(None, &Metadata::new())).unwrap().trailers_only
        );
    }

    #[test]
    fn http_errors_and_foreign_content_types() {
        let head = vec![Header::new(":status", "503")];
        assert_eq!(ResponseHead::parse(&head).unwrap_err().code(), Code::Unavailable);
        let head = vec![Header::new(":status", "200"), Header::new("content-type", "text/html")];
        assert_eq!(ResponseHead::parse(&head).unwrap_err().code(), Code::Unknown);
        let head =
            vec![Header::new(":status", "200"), Header::new("content-type", "application/grpcx")];
        assert_eq!(ResponseHead::parse(&head).unwrap_err().code(), Code::Unknown);
    }
}
