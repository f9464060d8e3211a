//! Per-message compression (`grpc-encoding`, `grpc-accept-encoding`).

use std::fmt;
use std::io::{self, Read, Write};
use std::str::FromStr;

use bytes::{BufMut, BytesMut};

use crate::Status;

/// A message compression algorithm; no compression (`identity`) is `None`.
///
/// ```
/// use oxgrpc::CompressionEncoding;
///
/// assert_eq!(CompressionEncoding::Gzip.as_str(), "gzip");
/// assert_eq!("zstd".parse::<CompressionEncoding>(), Ok(CompressionEncoding::Zstd));
/// assert_eq!(CompressionEncoding::from_header(b"identity"), Ok(None));
/// assert!("snappy".parse::<CompressionEncoding>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CompressionEncoding {
    /// `gzip` (RFC 1952).
    Gzip,
    /// `deflate`: zlib-wrapped DEFLATE (RFC 1950), as gRPC uses it.
    Deflate,
    /// `zstd` (RFC 8878).
    Zstd,
}

impl CompressionEncoding {
    /// Every supported encoding, in this crate's order of preference.
    pub const ALL: [CompressionEncoding; 3] =
        [CompressionEncoding::Zstd, CompressionEncoding::Gzip, CompressionEncoding::Deflate];

    /// The name used in `grpc-encoding`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CompressionEncoding::Gzip => "gzip",
            CompressionEncoding::Deflate => "deflate",
            CompressionEncoding::Zstd => "zstd",
        }
    }

    /// Parses a `grpc-encoding` value: `identity` is `Ok(None)`; names are
    /// case-insensitive and may be surrounded by whitespace.
    pub fn from_header(value: &[u8]) -> Result<Option<CompressionEncoding>, UnsupportedEncoding> {
        let name = value.trim_ascii();
        if name.eq_ignore_ascii_case(b"identity") {
            return Ok(None);
        }
        CompressionEncoding::ALL
            .into_iter()
            .find(|e| name.eq_ignore_ascii_case(e.as_str().as_bytes()))
            .map(Some)
            .ok_or_else(|| UnsupportedEncoding(String::from_utf8_lossy(name).into_owned()))
    }
}

impl fmt::Display for CompressionEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompressionEncoding {
    type Err = UnsupportedEncoding;

    /// Parses a compression name; `identity` is refused here since it is
    /// not a compression (use [`CompressionEncoding::from_header`]).
    fn from_str(s: &str) -> Result<CompressionEncoding, UnsupportedEncoding> {
        CompressionEncoding::from_header(s.as_bytes())?
            .ok_or_else(|| UnsupportedEncoding(s.to_owned()))
    }
}

/// A message encoding this crate does not implement.
///
/// Converts into the [`Status`] a server answers with: `UNIMPLEMENTED`.
///
/// ```
/// use oxgrpc::codec::UnsupportedEncoding;
/// use oxgrpc::{Code, CompressionEncoding, Status};
///
/// let err: UnsupportedEncoding = "br".parse::<CompressionEncoding>().unwrap_err();
/// assert_eq!(err.name(), "br");
/// assert_eq!(Status::from(err).code(), Code::Unimplemented);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsupportedEncoding(String);

impl UnsupportedEncoding {
    /// The name as received.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnsupportedEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsupported message encoding {:?}", self.0)
    }
}

impl std::error::Error for UnsupportedEncoding {}

impl From<UnsupportedEncoding> for Status {
    fn from(err: UnsupportedEncoding) -> Status {
        Status::unimplemented(format!(
            "grpc: message compressed with {:?}, which is not supported",
            err.0
        ))
    }
}

/// The list of encodings in a `grpc-accept-encoding` header.
///
/// ```
/// use oxgrpc::CompressionEncoding;
/// use oxgrpc::codec::AcceptEncoding;
///
/// let ours = AcceptEncoding::all();
/// assert_eq!(ours.to_string(), "zstd,gzip,deflate");
/// let theirs = AcceptEncoding::parse(b"identity, gzip ,br");
/// assert!(theirs.contains(CompressionEncoding::Gzip));
/// assert_eq!(ours.negotiate(&theirs), Some(CompressionEncoding::Gzip));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptEncoding {
    encodings: Vec<CompressionEncoding>,
}

impl AcceptEncoding {
    /// A list of the given encodings, in order of preference, without duplicates.
    pub fn new(encodings: &[CompressionEncoding]) -> AcceptEncoding {
        let mut list = AcceptEncoding::default();
        for &e in encodings {
            list.push(e);
        }
        list
    }

    /// Every encoding this crate supports.
    pub fn all() -> AcceptEncoding {
        AcceptEncoding::new(&CompressionEncoding::ALL)
    }

    fn push(&mut self, encoding: CompressionEncoding) {
        if !self.encodings.contains(&encoding) {
            self.encodings.push(encoding);
        }
    }

    /// Parses a received header value; `identity` and unknown names are skipped.
    pub fn parse(value: &[u8]) -> AcceptEncoding {
        let mut list = AcceptEncoding::default();
        for name in value.split(|&b| b == b',') {
            if let Ok(Some(e)) = CompressionEncoding::from_header(name) {
                list.push(e);
            }
        }
        list
    }

    /// Whether the list holds an encoding.
    pub fn contains(&self, encoding: CompressionEncoding) -> bool {
        self.encodings.contains(&encoding)
    }

    /// The encodings in order.
    pub fn iter(&self) -> impl Iterator<Item = CompressionEncoding> + '_ {
        self.encodings.iter().copied()
    }

    /// Whether the list is empty (only `identity` is accepted).
    pub fn is_empty(&self) -> bool {
        self.encodings.is_empty()
    }

    /// Our first encoding that the peer also accepts.
    pub fn negotiate(&self, peer: &AcceptEncoding) -> Option<CompressionEncoding> {
        self.iter().find(|&e| peer.contains(e))
    }
}

impl fmt::Display for AcceptEncoding {
    /// The header value: names joined by `,`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.encodings.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(e.as_str())?;
        }
        Ok(())
    }
}

fn compress_error(encoding: CompressionEncoding, err: &io::Error) -> Status {
    Status::internal(format!("grpc: failed to compress message with {encoding}: {err}"))
}

/// Compresses `src` with `encoding`, appending to `dst`.
///
/// ```
/// use bytes::BytesMut;
/// use oxgrpc::CompressionEncoding;
/// use oxgrpc::codec::{compress, decompress};
///
/// let mut packed = BytesMut::new();
/// compress(CompressionEncoding::Gzip, &[b'a'; 1000], &mut packed)?;
/// assert!(packed.len() < 100);
/// let mut plain = BytesMut::new();
/// decompress(CompressionEncoding::Gzip, &packed, 4096, &mut plain)?;
/// assert_eq!(&plain[..], &[b'a'; 1000][..]);
/// # Ok::<(), oxgrpc::Status>(())
/// ```
pub fn compress(
    encoding: CompressionEncoding,
    src: &[u8],
    dst: &mut BytesMut,
) -> Result<(), Status> {
    let start = dst.len();
    let result = match encoding {
        CompressionEncoding::Gzip => {
            let mut e = flate2::write::GzEncoder::new(dst.writer(), flate2::Compression::default());
            e.write_all(src).and_then(|()| e.finish()).map(drop)
        }
        CompressionEncoding::Deflate => {
            let mut e =
                flate2::write::ZlibEncoder::new(dst.writer(), flate2::Compression::default());
            e.write_all(src).and_then(|()| e.finish()).map(drop)
        }
        CompressionEncoding::Zstd => {
            zstd::stream::Encoder::new(dst.writer(), 0).and_then(|mut e| {
                e.set_pledged_src_size(Some(src.len() as u64))?;
                e.include_contentsize(true)?;
                e.include_checksum(true)?;
                e.write_all(src)?;
                e.finish().map(drop)
            })
        }
    };
    result.map_err(|err| {
        dst.truncate(start);
        compress_error(encoding, &err)
    })
}

/// The largest zstd window (as a power of two) accepted for a size limit:
/// enough for the limit, and never less than what common encoders use.
fn zstd_window_log_max(limit: usize) -> u32 {
    let needed = usize::BITS - limit.leading_zeros();
    needed.clamp(23, 30)
}

/// Decompresses `src`, appending at most `limit` bytes to `dst`.
///
/// Output past `limit` stops the decoder at once and gives
/// `RESOURCE_EXHAUSTED`, so a small "zip bomb" cannot use more than `limit`
/// bytes of memory. Corrupt or truncated input gives `INTERNAL`. On error
/// `dst` is left as it was.
pub fn decompress(
    encoding: CompressionEncoding,
    src: &[u8],
    limit: usize,
    dst: &mut BytesMut,
) -> Result<(), Status> {
    let start = dst.len();
    let result = match encoding {
        CompressionEncoding::Gzip => {
            copy_limited(flate2::read::MultiGzDecoder::new(src), limit, dst)
        }
        CompressionEncoding::Deflate => {
            copy_limited(flate2::read::ZlibDecoder::new(src), limit, dst)
        }
        CompressionEncoding::Zstd => zstd::stream::read::Decoder::with_buffer(src)
            .and_then(|mut d| {
                d.window_log_max(zstd_window_log_max(limit))?;
                Ok(d)
            })
            .and_then(|d| copy_limited(d, limit, dst)),
    };
    match result {
        Ok(written) if written <= limit => Ok(()),
        Ok(_) => {
            dst.truncate(start);
            Err(Status::resource_exhausted(format!(
                "grpc: received message after decompression larger than max ({limit})"
            )))
        }
        Err(err) => {
            dst.truncate(start);
            Err(Status::internal(format!(
                "grpc: failed to decompress message with {encoding}: {err}"
            )))
        }
    }
}

/// Copies at most `limit + 1` bytes from `reader`; returns how many.
fn copy_limited(reader: impl Read, limit: usize, dst: &mut BytesMut) -> io::Result<usize> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let copied = io::copy(&mut reader.take(cap), &mut dst.writer())?;
    Ok(usize::try_from(copied).unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    const ALL: [CompressionEncoding; 3] = CompressionEncoding::ALL;

    fn packed(encoding: CompressionEncoding, data: &[u8]) -> BytesMut {
        let mut out = BytesMut::new();
        compress(encoding, data, &mut out).unwrap();
        out
    }

    #[test]
    fn names() {
        for e in ALL {
            assert_eq!(e.as_str().parse::<CompressionEncoding>(), Ok(e));
            assert_eq!(CompressionEncoding::from_header(e.as_str().as_bytes()), Ok(Some(e)));
            assert_eq!(e.to_string(), e.as_str());
        }
        assert_eq!(
            CompressionEncoding::from_header(b" GZIP "),
            Ok(Some(CompressionEncoding::Gzip))
        );
        assert_eq!(CompressionEncoding::from_header(b"Identity"), Ok(None));
        assert!("identity".parse::<CompressionEncoding>().is_err());
        assert_eq!(CompressionEncoding::from_header(b"snappy").unwrap_err().name(), "snappy");
        assert!(CompressionEncoding::from_header(b"").is_err());
    }

    #[test]
    fn accept_encoding() {
        let list = AcceptEncoding::parse(b"deflate,,gzip, deflate ,identity,x");
        assert_eq!(
            list.iter().collect::<Vec<_>>(),
            [CompressionEncoding::Deflate, CompressionEncoding::Gzip]
        );
        assert_eq!(list.to_string(), "deflate,gzip");
        assert_eq!(AcceptEncoding::parse(&list.to_string().into_bytes()), list);
        assert!(AcceptEncoding::parse(b"identity").is_empty());
        assert_eq!(AcceptEncoding::default().to_string(), "");
        let zstd_only = AcceptEncoding::new(&[CompressionEncoding::Zstd]);
        assert_eq!(zstd_only.negotiate(&list), None);
        assert_eq!(list.negotiate(&AcceptEncoding::all()), Some(CompressionEncoding::Deflate));
    }

    #[test]
    fn round_trips() {
        let inputs: [&[u8]; 3] = [b"", b"x", &[7u8; 100_000]];
        for e in ALL {
            for input in inputs {
                let mut out = BytesMut::from(&b"prefix"[..]);
                decompress(e, &packed(e, input), input.len(), &mut out).unwrap();
                assert_eq!(&out[6..], input, "{e}");
            }
        }
    }

    #[test]
    fn deflate_is_zlib_and_gzip_has_magic() {
        let z = packed(CompressionEncoding::Deflate, b"hello");
        assert_eq!(z[0] & 0x0f, 8, "zlib CM=8");
        assert_eq!((u16::from(z[0]) << 8 | u16::from(z[1])) % 31, 0, "zlib FCHECK");
        assert_eq!(&packed(CompressionEncoding::Gzip, b"hello")[..2], &[0x1f, 0x8b]);
        assert_eq!(&packed(CompressionEncoding::Zstd, b"hello")[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
    }

    #[test]
    fn zip_bombs_stop_at_the_limit() {
        let bomb = vec![0u8; 64 << 20];
        for e in ALL {
            let packed = packed(e, &bomb);
            assert!(packed.len() < 1 << 20, "{e}: {}", packed.len());
            let mut out = BytesMut::from(&b"keep"[..]);
            let err = decompress(e, &packed, 1 << 20, &mut out).unwrap_err();
            assert_eq!(err.code(), Code::ResourceExhausted, "{e}");
            assert_eq!(&out[..], b"keep");
            assert!(out.capacity() < 4 << 20, "{e}: buffered {}", out.capacity());
        }
    }

    #[test]
    fn exact_limit_is_allowed() {
        for e in ALL {
            let mut out = BytesMut::new();
            decompress(e, &packed(e, &[1; 1000]), 1000, &mut out).unwrap();
            assert_eq!(out.len(), 1000);
            let err =
                decompress(e, &packed(e, &[1; 1001]), 1000, &mut BytesMut::new()).unwrap_err();
            assert_eq!(err.code(), Code::ResourceExhausted);
        }
    }

    #[test]
    fn corrupt_input_is_internal() {
        for e in ALL {
            let good =
                packed(e, b"some reasonably long text to compress, some reasonably long text");
            let truncated = &good[..good.len() - 3];
            let mut garbage = good.to_vec();
            garbage[good.len() / 2] ^= 0xff;
            for bad in [truncated, &garbage[..], b"\xff\xff\xff\xff\xff\xff"] {
                let mut out = BytesMut::new();
                let err = decompress(e, bad, 1 << 20, &mut out).unwrap_err();
                assert_eq!(err.code(), Code::Internal, "{e}: {err}");
                assert!(out.is_empty());
            }
        }
    }

    #[test]
    fn unsupported_encoding_is_unimplemented() {
        let status = Status::from(UnsupportedEncoding("br".into()));
        assert_eq!(status.code(), Code::Unimplemented);
        assert!(status.message().contains("br"));
    }
}
