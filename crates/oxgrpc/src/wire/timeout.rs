//! The `grpc-timeout` request header: `1*8DIGIT` followed by a unit
//! (`H`, `M`, `S`, `m`, `u`, `n`).

use std::fmt;
use std::time::Duration;

/// The largest value the header can carry: eight digits.
const MAX_VALUE: u128 = 99_999_999;

/// Units from the most to the least precise, with their size in nanoseconds.
const UNITS: [(char, u128); 6] = [
    ('n', 1),
    ('u', 1_000),
    ('m', 1_000_000),
    ('S', 1_000_000_000),
    ('M', 60 * 1_000_000_000),
    ('H', 3_600 * 1_000_000_000),
];

/// A `grpc-timeout` value that does not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InvalidTimeout {
    /// The value is empty or has no digits before the unit.
    Empty,
    /// More than eight digits.
    TooLong,
    /// A byte before the unit is not an ASCII digit.
    InvalidDigit,
    /// The last byte is not one of `H M S m u n`.
    UnknownUnit,
}

impl fmt::Display for InvalidTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidTimeout::Empty => "grpc-timeout has no value",
            InvalidTimeout::TooLong => "grpc-timeout has more than 8 digits",
            InvalidTimeout::InvalidDigit => "grpc-timeout value is not a decimal number",
            InvalidTimeout::UnknownUnit => "grpc-timeout has an unknown unit",
        })
    }
}

impl std::error::Error for InvalidTimeout {}

/// Formats a timeout in the most precise unit whose value fits in eight
/// digits, rounding up so that the peer never sees a shorter deadline.
/// Timeouts beyond `99999999H` are clamped to it.
pub(crate) fn encode_timeout(timeout: Duration) -> String {
    let nanos = timeout.as_nanos();
    for (unit, size) in UNITS {
        let value = nanos.div_ceil(size);
        if value <= MAX_VALUE {
            return format!("{value}{unit}");
        }
    }
    format!("{MAX_VALUE}H")
}

/// Parses a `grpc-timeout` value.
pub(crate) fn decode_timeout(value: &[u8]) -> Result<Duration, InvalidTimeout> {
    let Some((&unit, digits)) = value.split_last() else {
        return Err(InvalidTimeout::Empty);
    };
    if digits.is_empty() {
        return Err(InvalidTimeout::Empty);
    }
    if digits.len() > 8 {
        return Err(InvalidTimeout::TooLong);
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err(InvalidTimeout::InvalidDigit);
    }
    let n = digits.iter().fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
    Ok(match unit {
        b'H' => Duration::from_secs(n * 3_600),
        b'M' => Duration::from_secs(n * 60),
        b'S' => Duration::from_secs(n),
        b'm' => Duration::from_millis(n),
        b'u' => Duration::from_micros(n),
        b'n' => Duration::from_nanos(n),
        _ => return Err(InvalidTimeout::UnknownUnit),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_in_the_most_precise_unit() {
        assert_eq!(encode_timeout(Duration::ZERO), "0n");
        assert_eq!(encode_timeout(Duration::from_nanos(1)), "1n");
        assert_eq!(encode_timeout(Duration::from_nanos(99_999_999)), "99999999n");
        assert_eq!(encode_timeout(Duration::from_nanos(100_000_000)), "100000u");
        assert_eq!(encode_timeout(Duration::from_secs(1)), "1000000u");
        assert_eq!(encode_timeout(Duration::from_secs(99)), "99000000u");
        assert_eq!(encode_timeout(Duration::from_secs(100)), "100000m");
        assert_eq!(encode_timeout(Duration::from_secs(100_000)), "100000S");
        assert_eq!(encode_timeout(Duration::from_secs(99_999_999)), "99999999S");
        assert_eq!(encode_timeout(Duration::from_secs(100_000_000)), "1666667M");
        assert_eq!(encode_timeout(Duration::from_secs(60 * 99_999_999)), "99999999M");
        assert_eq!(encode_timeout(Duration::from_secs(60 * 100_000_000)), "1666667H");
        assert_eq!(encode_timeout(Duration::from_secs(3_600 * 99_999_999)), "99999999H");
        assert_eq!(encode_timeout(Duration::MAX), "99999999H");
    }

    #[test]
    fn encoding_rounds_up() {
        // 100ms + 1ns cannot be said in nanoseconds; microseconds round up.
        assert_eq!(encode_timeout(Duration::new(0, 100_000_001)), "100001u");
        assert_eq!(encode_timeout(Duration::new(100, 1)), "100001m");
        assert_eq!(encode_timeout(Duration::new(100_000_000, 1)), "1666667M");
    }

    #[test]
    fn never_shorter_and_always_eight_digits() {
        let mut d = Duration::from_nanos(1);
        while d < Duration::from_secs(3_600 * 99_999_999) {
            let encoded = encode_timeout(d);
            let digits = encoded.len() - 1;
            assert!((1..=8).contains(&digits), "{encoded}");
            let back = decode_timeout(encoded.as_bytes()).unwrap();
            assert!(back >= d, "{d:?} -> {encoded} -> {back:?}");
            d = d * 3 + Duration::from_nanos(7);
        }
    }

    #[test]
    fn decodes_every_unit() {
        assert_eq!(decode_timeout(b"2H"), Ok(Duration::from_secs(7_200)));
        assert_eq!(decode_timeout(b"3M"), Ok(Duration::from_secs(180)));
        assert_eq!(decode_timeout(b"4S"), Ok(Duration::from_secs(4)));
        assert_eq!(decode_timeout(b"5m"), Ok(Duration::from_millis(5)));
        assert_eq!(decode_timeout(b"6u"), Ok(Duration::from_micros(6)));
        assert_eq!(decode_timeout(b"7n"), Ok(Duration::from_nanos(7)));
        assert_eq!(decode_timeout(b"0n"), Ok(Duration::ZERO));
        assert_eq!(decode_timeout(b"00000001S"), Ok(Duration::from_secs(1)));
        assert_eq!(decode_timeout(b"99999999H"), Ok(Duration::from_secs(3_600 * 99_999_999)));
    }

    #[test]
    fn rejects_malformed_values() {
        assert_eq!(decode_timeout(b""), Err(InvalidTimeout::Empty));
        assert_eq!(decode_timeout(b"S"), Err(InvalidTimeout::Empty));
        assert_eq!(decode_timeout(b"123456789S"), Err(InvalidTimeout::TooLong));
        assert_eq!(decode_timeout(b"1x"), Err(InvalidTimeout::UnknownUnit));
        assert_eq!(decode_timeout(b"1s"), Err(InvalidTimeout::UnknownUnit));
        assert_eq!(decode_timeout(b"10"), Err(InvalidTimeout::UnknownUnit));
        assert_eq!(decode_timeout(b"-1S"), Err(InvalidTimeout::InvalidDigit));
        assert_eq!(decode_timeout(b"+1S"), Err(InvalidTimeout::InvalidDigit));
        assert_eq!(decode_timeout(b" 1S"), Err(InvalidTimeout::InvalidDigit));
        assert_eq!(decode_timeout(b"1.5S"), Err(InvalidTimeout::InvalidDigit));
        assert_eq!(decode_timeout("١S".as_bytes()), Err(InvalidTimeout::InvalidDigit));
        assert!(!InvalidTimeout::TooLong.to_string().is_empty());
    }
}
