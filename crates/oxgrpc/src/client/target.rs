//! Channel targets: which URIs a channel accepts, and what each means.
//!
//! | target | dials | `:authority` | secure by default |
//! | --- | --- | --- | --- |
//! | `http://host:port`, `host:port` | TCP | `host:port` | no |
//! | `https://host:port` | TCP | `host:port` | yes (TLS, system roots) |
//! | `unix:path`, `unix:///abs/path` | unix socket file | `localhost` | no |
//! | `unix-abstract:name` | Linux abstract socket | `localhost` | no |

use crate::Status;

/// A parsed target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// The `:authority` of every request.
    pub(crate) authority: String,
    pub(crate) dial: Dial,
    /// `https://`: TLS with the default settings unless others are given.
    pub(crate) https: bool,
}

/// Where a channel's connections go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dial {
    /// TCP to the authority, resolved on each connect.
    Tcp,
    /// A unix domain socket.
    #[cfg(unix)]
    Unix(crate::transport::UnixAddr),
}

impl Target {
    pub(crate) fn parse(uri: &str) -> Result<Target, Status> {
        if let Some(rest) = uri.strip_prefix("unix-abstract:") {
            return unix(uri, rest, true);
        }
        if let Some(rest) = uri.strip_prefix("unix:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            return unix(uri, path, false);
        }
        let (rest, https) = if let Some(rest) = uri.strip_prefix("http://") {
            (rest, false)
        } else if let Some(rest) = uri.strip_prefix("https://") {
            (rest, true)
        } else {
            (uri, false)
        };
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') || !authority.contains(':') {
            return Err(Status::invalid_argument(format!(
                "invalid target {uri:?}: expected http://host:port, https://host:port or unix:path"
            )));
        }
        Ok(Target { authority: authority.to_string(), dial: Dial::Tcp, https })
    }
}

#[cfg(unix)]
fn unix(uri: &str, name: &str, abstract_name: bool) -> Result<Target, Status> {
    use crate::transport::UnixAddr;
    if name.is_empty() {
        return Err(Status::invalid_argument(format!("invalid target {uri:?}: no socket name")));
    }
    let addr = match abstract_name {
        true => UnixAddr::Abstract(name.to_owned()),
        false => UnixAddr::Path(name.to_owned()),
    };
    Ok(Target { authority: "localhost".into(), dial: Dial::Unix(addr), https: false })
}

#[cfg(not(unix))]
fn unix(uri: &str, _name: &str, _abstract_name: bool) -> Result<Target, Status> {
    Err(Status::unimplemented(format!("{uri:?}: unix sockets need a unix OS")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::UnixAddr;

    #[test]
    fn targets_parse() {
        let plain = Target::parse("http://127.0.0.1:50051/").unwrap();
        assert_eq!((plain.authority.as_str(), plain.https), ("127.0.0.1:50051", false));
        assert!(Target::parse("https://foo.test.google.fr:443").unwrap().https);
        assert_eq!(Target::parse("localhost:1").unwrap().dial, Dial::Tcp);
        let abs = Target::parse("unix:///tmp/s.sock").unwrap();
        assert_eq!(abs.dial, Dial::Unix(UnixAddr::Path("/tmp/s.sock".into())));
        assert_eq!(abs.authority, "localhost");
        let rel = Target::parse("unix:s.sock").unwrap();
        assert_eq!(rel.dial, Dial::Unix(UnixAddr::Path("s.sock".into())));
        let named = Target::parse("unix-abstract:oxgrpc").unwrap();
        assert_eq!(named.dial, Dial::Unix(UnixAddr::Abstract("oxgrpc".into())));
        for bad in ["http://", "https://host", "unix:", "http://h:1/x"] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }
}
