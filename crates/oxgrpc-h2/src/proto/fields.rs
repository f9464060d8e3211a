//! Validation of received field sections (RFC 9113 §8.2, §8.3).
//!
//! A malformed request or response is a stream error of type
//! PROTOCOL_ERROR (§8.1.1); these checks say whether a section is well formed.

use crate::Header;

/// What kind of section is being checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Request,
    Response,
    Trailers,
}

/// Facts extracted while validating.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub(crate) content_length: Option<u64>,
    /// The response `:status` (responses only).
    pub(crate) status: u16,
}

/// Checks a section; `Err` means malformed.
pub(crate) fn check(section: Section, fields: &[Header]) -> Result<Checked, &'static str> {
    let mut checked = Checked::default();
    let mut regular_seen = false;
    let (mut method, mut scheme, mut path, mut authority, mut status) =
        (false, false, false, false, false);
    let mut is_connect = false;
    for field in fields {
        check_name(&field.name)?;
        check_value(&field.value)?;
        if field.is_pseudo() {
            if regular_seen {
                return Err("pseudo-header after regular field");
            }
            let seen = match (section, &field.name[..]) {
                (Section::Request, b":method") => {
                    is_connect = &field.value[..] == b"CONNECT";
                    &mut method
                }
                (Section::Request, b":scheme") => &mut scheme,
                (Section::Request, b":path") => {
                    if field.value.is_empty() {
                        return Err("empty :path");
                    }
                    &mut path
                }
                (Section::Request, b":authority") => &mut authority,
                (Section::Response, b":status") => {
                    checked.status = parse_status(&field.value)?;
                    &mut status
                }
                _ => return Err("unknown or misplaced pseudo-header"),
            };
            if std::mem::replace(seen, true) {
                return Err("duplicate pseudo-header");
            }
            continue;
        }
        regular_seen = true;
        match &field.name[..] {
            b"connection" | b"keep-alive" | b"proxy-connection" | b"transfer-encoding"
            | b"upgrade" => return Err("connection-specific field"),
            b"te" if &field.value[..] != b"trailers" => return Err("te other than trailers"),
            b"content-length" if section != Section::Trailers => {
                let len = parse_decimal(&field.value).ok_or("invalid content-length")?;
                if checked.content_length.replace(len).is_some_and(|old| old != len) {
                    return Err("conflicting content-length");
                }
            }
            _ => {}
        }
    }
    match section {
        // §8.5. Extended CONNECT (RFC 8441) is never offered, so `:protocol`
        // is an unknown pseudo-header and plain CONNECT has neither
        // `:scheme` nor `:path`.
        Section::Request if is_connect && (!authority || scheme || path) => {
            return Err("malformed CONNECT");
        }
        Section::Request if is_connect => {}
        Section::Request if !(method && scheme && path) => return Err("missing pseudo-header"),
        Section::Response if !status => return Err("missing :status"),
        _ => {}
    }
    Ok(checked)
}

fn check_name(name: &[u8]) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty field name");
    }
    let body = if name[0] == b':' { &name[1..] } else { name };
    if body.iter().any(|&b| b <= 0x20 || b.is_ascii_uppercase() || b >= 0x7f || b == b':') {
        return Err("invalid field name");
    }
    Ok(())
}

fn check_value(value: &[u8]) -> Result<(), &'static str> {
    if value.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n') {
        return Err("invalid field value");
    }
    if value.first().is_some_and(|&b| b == b' ' || b == b'\t')
        || value.last().is_some_and(|&b| b == b' ' || b == b'\t')
    {
        return Err("field value with surrounding whitespace");
    }
    Ok(())
}

fn parse_status(value: &[u8]) -> Result<u16, &'static str> {
    match value {
        [a, b, c] if value.iter().all(u8::is_ascii_digit) => {
            Ok(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => Err("invalid :status"),
    }
}

fn parse_decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 19 {
        return None;
    }
    value
        .iter()
        .try_fold(0u64, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u64::from(b - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> Vec<Header> {
        pairs.iter().map(|&(n, v)| Header::new(n, v)).collect()
    }

    const GET: [(&str, &str); 3] = [(":method", "GET"), (":scheme", "http"), (":path", "/")];

    #[test]
    fn well_formed_request() {
        let mut fields = h(&GET);
        fields.push(Header::new("content-length", "12"));
        assert_eq!(check(Section::Request, &fields).unwrap().content_length, Some(12));
    }

    #[test]
    fn malformed_requests() {
        let cases: &[&[(&str, &str)]] = &[
            &[(":method", "GET"), (":path", "/")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "")],
            &[(":method", "GET"), (":method", "GET"), (":scheme", "http"), (":path", "/")],
            &[(":method", "GET"), ("x", "y"), (":scheme", "http"), (":path", "/")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "/"), (":status", "200")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("Upper", "x")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("connection", "close")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("te", "gzip")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("a", " padded")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("a", "x\ny")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "/"), ("content-length", "x")],
            &[(":method", "GET"), (":scheme", "http"), (":path", "/"), (":protocol", "websocket")],
            &[
                (":method", "CONNECT"),
                (":protocol", "websocket"),
                (":scheme", "https"),
                (":path", "/chat"),
                (":authority", "a:1"),
            ],
            &[(":method", "CONNECT"), (":authority", "a:1"), (":path", "/")],
        ];
        for case in cases {
            assert!(check(Section::Request, &h(case)).is_err(), "{case:?}");
        }
    }

    #[test]
    fn responses_and_trailers() {
        assert_eq!(check(Section::Response, &h(&[(":status", "200")])).unwrap().status, 200);
        assert!(check(Section::Response, &h(&[(":status", "20")])).is_err());
        assert!(check(Section::Response, &h(&[("a", "b")])).is_err());
        assert!(check(Section::Trailers, &h(&[("grpc-status", "0")])).is_ok());
        assert!(check(Section::Trailers, &h(&[(":status", "200")])).is_err());
        assert!(
            check(Section::Request, &h(&[(":method", "CONNECT"), (":authority", "a:1")])).is_ok()
        );
    }
}
