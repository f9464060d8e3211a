//! Connection settings and protection limits.

use std::time::Duration;

/// A token bucket: `burst` events at once, refilled at `per_second`.
///
/// Used for the limits that protect a connection from a peer that sends
/// cheap frames which cost us work: resets (CVE-2023-44487), PINGs and
/// SETTINGS. Going over a budget ends the connection with
/// GOAWAY(ENHANCE_YOUR_CALM).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// How many events may arrive back to back.
    pub burst: u32,
    /// How many events per second are allowed in the long run.
    pub per_second: u32,
}

/// Settings, limits and timers of one connection. `Config::default()` is
/// sized for RPC traffic: 1 MiB stream windows and a 4 MiB connection
/// window, grown by the BDP estimator up to 16 MiB. The keepalive, idle,
/// age and grace timers are all off by default.
///
/// ```
/// use oxgrpc_h2::Config;
/// let config = Config { max_concurrent_streams: 256, ..Config::default() };
/// assert_eq!(config.initial_window_size, 1 << 20);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// SETTINGS_HEADER_TABLE_SIZE we advertise: the HPACK table the peer may use.
    pub header_table_size: u32,
    /// SETTINGS_MAX_CONCURRENT_STREAMS we advertise and enforce (REFUSED_STREAM past it).
    pub max_concurrent_streams: u32,
    /// SETTINGS_INITIAL_WINDOW_SIZE we advertise: each stream's receive window.
    pub initial_window_size: u32,
    /// The connection receive window, raised from 65,535 at start-up (at most 2^31-1).
    pub connection_window_size: u32,
    /// SETTINGS_MAX_FRAME_SIZE we advertise and enforce (FRAME_SIZE_ERROR past it).
    pub max_frame_size: u32,
    /// SETTINGS_MAX_HEADER_LIST_SIZE we advertise and enforce.
    pub max_header_list_size: u32,
    /// The largest HPACK table we keep for encoding, whatever the peer allows.
    pub max_encoder_table_size: u32,
    /// Upper bound of an encoded field block (HEADERS + CONTINUATION).
    pub max_header_block_size: u32,
    /// Upper bound of CONTINUATION frames after one HEADERS.
    pub max_continuation_frames: u32,
    /// Budget of stream resets, by the peer or by us on its errors (rapid reset).
    pub reset_limit: RateLimit,
    /// Budget of PINGs from the peer.
    pub ping_limit: RateLimit,
    /// Budget of SETTINGS frames from the peer.
    pub settings_limit: RateLimit,
    /// How long the peer has to acknowledge our SETTINGS.
    pub settings_timeout: Duration,
    /// Sends a keepalive PING once no frame has arrived for this long
    /// (gRPC keepalive, gRFC A8); every frame received restarts the clock.
    /// `None`, the default, sends none.
    pub keepalive_interval: Option<Duration>,
    /// How long the peer may stay silent after a keepalive PING: when
    /// neither the ack nor any other frame arrives in time, the connection
    /// fails with [`ConnectionError::KeepAliveTimeout`] after sending
    /// GOAWAY(NO_ERROR). Default 20 s.
    ///
    /// [`ConnectionError::KeepAliveTimeout`]: crate::ConnectionError::KeepAliveTimeout
    pub keepalive_timeout: Duration,
    /// Whether keepalive PINGs are also sent while no stream is open.
    /// Default `false`: gRFC A8 servers may answer such PINGs with
    /// GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings").
    pub keepalive_without_calls: bool,
    /// Sends GOAWAY(NO_ERROR, "max_idle") once no stream has been open for
    /// this long. `None`, the default, never does.
    pub max_idle: Option<Duration>,
    /// Sends GOAWAY(NO_ERROR, "max_age") this long after the connection
    /// started. `None`, the default, never does. The engine adds no
    /// jitter: spread the value yourself (grpc adds ±10%) so connections
    /// made together do not all go away together.
    pub max_age: Option<Duration>,
    /// After any graceful GOAWAY we sent ([`Connection::go_away`],
    /// `max_idle`, `max_age`), streams still open after this long are cut
    /// off: the connection fails with
    /// [`ConnectionError::GoAwayGraceExpired`] without sending anything
    /// more. It counts from the first GOAWAY of a server's two-step drain,
    /// as in grpc-go. `None`, the default, waits for them as long as they
    /// last.
    ///
    /// [`Connection::go_away`]: crate::Connection::go_away
    /// [`ConnectionError::GoAwayGraceExpired`]: crate::ConnectionError::GoAwayGraceExpired
    pub go_away_grace: Option<Duration>,
    /// Server role: how long our graceful GOAWAY waits for the ack of the
    /// PING sent after its first GOAWAY (last-stream-id 2^31-1) before it
    /// sends the final one anyway. The wait never outlasts
    /// [`go_away_grace`](Self::go_away_grace). Default 5 s, as grpc-go.
    pub go_away_ping_timeout: Duration,
    /// Server role: which PINGs the peer may send (gRFC A8 enforcement); a
    /// peer that sends them too often is sent
    /// GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings") and the connection fails
    /// with [`ConnectionError::TooManyPings`]. `None`, the default, enforces
    /// nothing; a client ignores the policy. The flood limit
    /// [`ping_limit`](Self::ping_limit) applies either way.
    ///
    /// [`ConnectionError::TooManyPings`]: crate::ConnectionError::TooManyPings
    pub ping_policy: Option<PingPolicy>,
    /// Grows the receive windows to the path's bandwidth-delay product, as
    /// grpc-go's BDP estimator does: after DATA arrives the engine sends a
    /// PING of its own and counts the bytes received until its ack; when
    /// that sample nears the window and the bandwidth is the highest seen,
    /// the windows become twice the sample (connection window by
    /// WINDOW_UPDATE, stream windows by a new SETTINGS_INITIAL_WINDOW_SIZE).
    /// Windows only ever grow, never below the configured sizes, and at
    /// most to [`max_window_size`](Self::max_window_size). Default `true`;
    /// `false` keeps the windows fixed and sends no such PING.
    pub adaptive_window: bool,
    /// The largest window the BDP estimator grows to. Default 16 MiB, as
    /// grpc-go's `bdpLimit`.
    pub max_window_size: u32,
}

/// How often a client may PING a server (gRFC A8, "Server Enforcement"),
/// as grpc-go's `keepalive.EnforcementPolicy`.
///
/// A PING received sooner than `min_interval` after the previous one is a
/// strike; while no stream is open and `permit_without_calls` is false,
/// sooner than 2 hours is. The third strike fails the connection. Sending
/// HEADERS or DATA forgives: the strikes are cleared and the next PING is
/// free.
///
/// More fields may come; build it from the default:
///
/// ```
/// use oxgrpc_h2::PingPolicy;
/// use std::time::Duration;
/// let policy = PingPolicy { min_interval: Duration::from_secs(10), ..PingPolicy::default() };
/// assert!(!policy.permit_without_calls);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PingPolicy {
    /// The shortest allowed time between two PINGs. Default 5 minutes
    /// (grpc-go's `MinTime`, gRFC A8's `PERMIT_KEEPALIVE_TIME`).
    pub min_interval: Duration,
    /// Whether `min_interval` also applies while no stream is open; when
    /// false, the default, PINGs on a connection without streams must be
    /// 2 hours apart.
    pub permit_without_calls: bool,
}

impl Default for PingPolicy {
    fn default() -> Self {
        PingPolicy { min_interval: Duration::from_secs(5 * 60), permit_without_calls: false }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            header_table_size: 4096,
            max_concurrent_streams: 100,
            initial_window_size: 1 << 20,
            connection_window_size: 4 << 20,
            max_frame_size: 16_384,
            max_header_list_size: 16_384,
            max_encoder_table_size: 4096,
            max_header_block_size: 64 * 1024,
            max_continuation_frames: 64,
            reset_limit: RateLimit { burst: 1000, per_second: 1000 },
            ping_limit: RateLimit { burst: 500, per_second: 100 },
            settings_limit: RateLimit { burst: 100, per_second: 10 },
            settings_timeout: Duration::from_secs(10),
            keepalive_interval: None,
            keepalive_timeout: Duration::from_secs(20),
            keepalive_without_calls: false,
            max_idle: None,
            max_age: None,
            go_away_grace: None,
            go_away_ping_timeout: Duration::from_secs(5),
            ping_policy: None,
            adaptive_window: true,
            max_window_size: 16 << 20,
        }
    }
}
