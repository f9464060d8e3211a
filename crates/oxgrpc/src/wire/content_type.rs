//! `content-type: application/grpc[+format][;params]`.

/// The content-type both sides send.
pub(crate) const GRPC_CONTENT_TYPE: &str = "application/grpc";

/// `application/grpc`, optionally followed by `+proto`, `+json`, ... or
/// `;params`. The same rule on requests (server) and responses (client).
pub(crate) fn is_grpc_content_type(value: &[u8]) -> bool {
    value
        .strip_prefix(GRPC_CONTENT_TYPE.as_bytes())
        .is_some_and(|rest| rest.is_empty() || rest[0] == b'+' || rest[0] == b';')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_content_types() {
        for ok in ["application/grpc", "application/grpc+proto", "application/grpc;charset=x"] {
            assert!(is_grpc_content_type(ok.as_bytes()), "{ok}");
        }
        for bad in ["application/grpcx", "application/json", "application/grp", ""] {
            assert!(!is_grpc_content_type(bad.as_bytes()), "{bad}");
        }
    }
}
