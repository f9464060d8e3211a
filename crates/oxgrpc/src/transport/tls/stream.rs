//! A client's TLS stream whose IO errors name their TLS cause: a TLS 1.3
//! server checks the client's certificate after the client has finished
//! its handshake, so a refusal arrives on the first read.

use super::error::TlsError;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// `T`, with rustls errors turned into [`TlsError`]s.
pub(crate) struct NamedErrors<T>(pub(crate) T);

fn named<T>(poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
    poll.map_err(TlsError::wrap_io)
}

impl<T: AsyncRead + Unpin> AsyncRead for NamedErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        named(Pin::new(&mut self.0).poll_read(cx, buf))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for NamedErrors<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        named(Pin::new(&mut self.0).poll_write(cx, buf))
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        named(Pin::new(&mut self.0).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        named(Pin::new(&mut self.0).poll_flush(cx))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        named(Pin::new(&mut self.0).poll_shutdown(cx))
    }
}
