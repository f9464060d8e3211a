//! A [`Status`] as the `grpc-status`, `grpc-message` and
//! `grpc-status-details-bin` trailer fields, plus custom metadata.

use bytes::Bytes;

use super::{Code, Status, percent};
use crate::Metadata;
use crate::metadata::{decode_bin, encode_bin};

/// The `grpc-status` field name.
pub(crate) const GRPC_STATUS: &str = "grpc-status";
/// The `grpc-message` field name.
pub(crate) const GRPC_MESSAGE: &str = "grpc-message";
/// The `grpc-status-details-bin` field name.
pub(crate) const GRPC_STATUS_DETAILS: &str = "grpc-status-details-bin";

impl Status {
    /// The trailer fields for this status: `grpc-status`, then
    /// `grpc-message` and `grpc-status-details-bin` when not empty, then the
    /// custom metadata.
    pub(crate) fn to_header_fields(&self) -> Vec<(Bytes, Bytes)> {
        let mut fields = Vec::with_capacity(3 + self.metadata().len());
        fields.push((
            Bytes::from_static(GRPC_STATUS.as_bytes()),
            Bytes::from(self.code().as_i32().to_string()),
        ));
        if !self.message().is_empty() {
            fields.push((
                Bytes::from_static(GRPC_MESSAGE.as_bytes()),
                Bytes::from(percent::encode(self.message())),
            ));
        }
        if !self.details().is_empty() {
            fields.push((
                Bytes::from_static(GRPC_STATUS_DETAILS.as_bytes()),
                Bytes::from(encode_bin(self.details())),
            ));
        }
        fields.extend(self.metadata().to_wire());
        fields
    }

    /// Reads a status from received trailer fields (or a Trailers-Only
    /// response's headers).
    ///
    /// Returns `None` when there is no `grpc-status` field, so that the caller
    /// can synthesize one (e.g. with [`Status::from_http_status`]). A
    /// `grpc-status` that is not a number gives [`Code::Internal`]; invalid
    /// base64 details are dropped; the remaining custom fields become the
    /// status's metadata.
    pub(crate) fn from_header_fields<'a>(
        fields: impl IntoIterator<Item = (&'a [u8], &'a [u8])> + Clone,
    ) -> Option<Status> {
        let mut code = None;
        let mut message = String::new();
        let mut details = Bytes::new();
        for (name, value) in fields.clone() {
            match name {
                n if n == GRPC_STATUS.as_bytes() => {
                    code = Some(
                        Code::from_header_value(value)
                            .ok_or_else(|| String::from_utf8_lossy(value).into_owned()),
                    );
                }
                n if n == GRPC_MESSAGE.as_bytes() => message = percent::decode(value),
                n if n == GRPC_STATUS_DETAILS.as_bytes() => {
                    details = decode_bin(value).map(Bytes::from).unwrap_or_default();
                }
                _ => {}
            }
        }
        let status = match code? {
            Ok(code) => Status::new(code, message).with_raw_details(details),
            Err(raw) => Status::internal(format!("malformed grpc-status: {raw:?}")),
        };
        Some(status.with_metadata(Metadata::from_wire(fields)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::ErrorInfo;
    use crate::status::ErrorDetail;

    fn parse(fields: &[(&str, &str)]) -> Option<Status> {
        Status::from_header_fields(fields.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())))
    }

    fn round_trip(status: &Status) -> Status {
        let fields = status.to_header_fields();
        Status::from_header_fields(fields.iter().map(|(k, v)| (&k[..], &v[..]))).unwrap()
    }

    #[test]
    fn ok_is_just_the_code() {
        let fields = Status::ok("").to_header_fields();
        assert_eq!(fields, [(Bytes::from_static(b"grpc-status"), Bytes::from_static(b"0"))]);
    }

    #[test]
    fn full_status_round_trips() {
        let mut status = Status::with_details(
            Code::PermissionDenied,
            "denied: 100% ✗\nnext line",
            &[ErrorDetail::from(ErrorInfo { reason: "NOPE".into(), ..Default::default() })],
        );
        status.metadata_mut().insert("x-a", "b").unwrap();
        status.metadata_mut().insert_bin("x-b-bin", vec![0, 255]).unwrap();
        let fields = status.to_header_fields();
        assert_eq!(&fields[0].1[..], b"7");
        assert_eq!(&fields[1].1[..], b"denied: 100%25 %E2%9C%97%0Anext line");
        assert_eq!(&fields[2].0[..], b"grpc-status-details-bin");
        assert!(!fields[2].1.ends_with(b"="));
        let back = round_trip(&status);
        assert_eq!(back, status);
        assert_eq!(back.error_details().unwrap(), status.error_details().unwrap());
    }

    #[test]
    fn every_code_round_trips() {
        for code in Code::ALL {
            assert_eq!(round_trip(&Status::new(code, "m")).code(), code);
        }
    }

    #[test]
    fn missing_status_is_none() {
        assert_eq!(parse(&[("grpc-message", "x"), (":status", "200")]), None);
        assert_eq!(parse(&[]), None);
    }

    #[test]
    fn lenient_parsing() {
        let s = parse(&[("grpc-status", "99"), ("grpc-message", "bad %zz %E2")]).unwrap();
        assert_eq!(s.code(), Code::Unknown);
        assert_eq!(s.message(), "bad %zz \u{FFFD}");

        let s = parse(&[("grpc-status", "abc"), ("grpc-message", "x")]).unwrap();
        assert_eq!(s.code(), Code::Internal);
        assert!(s.message().contains("malformed grpc-status"));

        let s = parse(&[("grpc-status", "5"), ("grpc-status-details-bin", "!!!")]).unwrap();
        assert_eq!(s.code(), Code::NotFound);
        assert!(s.details().is_empty());

        let s = parse(&[("grpc-status", "5"), ("grpc-status-details-bin", "CAU=")]).unwrap();
        assert_eq!(&s.details()[..], b"\x08\x05");
    }

    #[test]
    fn other_fields_become_metadata() {
        let s = parse(&[
            (":status", "200"),
            ("content-type", "application/grpc"),
            ("grpc-status", "0"),
            ("grpc-encoding", "gzip"),
            ("x-trailer", "t"),
        ])
        .unwrap();
        let keys: Vec<_> = s.metadata().iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["x-trailer"]);
    }
}
