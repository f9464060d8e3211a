//! Flow-control windows (RFC 9113 §5.2, §6.9).
//!
//! A [`Window`] counts the bytes a sender may still send, on one stream or
//! on the whole connection. We keep one per direction: the send windows
//! (the peer's credit to us, grown by its WINDOW_UPDATEs and by its
//! SETTINGS_INITIAL_WINDOW_SIZE) and the receive windows (our credit to the
//! peer). A window never exceeds 2^31-1 (§6.9.1); [`Window::adjust`] is the
//! one place that checks it.
//!
//! A [`RecvWindow`] adds the release bookkeeping of the receive side:
//! received bytes stay counted against the window until the application
//! *releases* them (it consumed the data); released bytes are announced in
//! a WINDOW_UPDATE once they reach half the window, so a slow reader
//! back-pressures its sender while a fast one never drains the window to
//! zero.

use crate::frame::MAX_WINDOW_SIZE;

/// A window would grow past 2^31-1: a FLOW_CONTROL_ERROR (§6.9.1), of the
/// stream or of the connection depending on the window.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct WindowOverflow;

/// One flow-control window. It may be negative after the peer lowered
/// SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2); nothing may be sent until it is
/// positive again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window(i64);

impl Window {
    /// A window of `size` bytes.
    pub(crate) fn new(size: u32) -> Window {
        Window(i64::from(size))
    }

    /// Whether at least one byte may be sent.
    pub(crate) fn is_open(self) -> bool {
        self.0 > 0
    }

    /// How many bytes may be sent now.
    pub(crate) fn available(self) -> usize {
        usize::try_from(self.0).unwrap_or(0)
    }

    /// Changes the window by `delta`: a WINDOW_UPDATE increment, a
    /// SETTINGS_INITIAL_WINDOW_SIZE change (possibly negative) or released
    /// receive credit. The window is unchanged when it would overflow.
    pub(crate) fn adjust(&mut self, delta: i64) -> Result<(), WindowOverflow> {
        let next = self.0 + delta;
        if next > i64::from(MAX_WINDOW_SIZE) {
            return Err(WindowOverflow);
        }
        self.0 = next;
        Ok(())
    }

    /// Uses up `len` bytes of credit; the caller checked [`available`](Self::available).
    pub(crate) fn consume(&mut self, len: usize) {
        self.0 -= i64::try_from(len).unwrap_or(i64::MAX);
    }
}

/// One receive window, the connection's or a stream's.
#[derive(Debug)]
pub(crate) struct RecvWindow {
    /// The window we want the peer to see (at most 2^31-1).
    size: u32,
    /// What the peer may send now.
    window: Window,
    /// Consumed bytes not yet announced in a WINDOW_UPDATE.
    released: u32,
}

impl RecvWindow {
    /// A window the peer currently sees as `initial`, which we want at `size`.
    pub(crate) fn new(initial: u32, size: u32) -> RecvWindow {
        RecvWindow { size: size.min(MAX_WINDOW_SIZE), window: Window::new(initial), released: 0 }
    }

    /// Accounts `len` received bytes; `false` if the peer overran the window.
    pub(crate) fn receive(&mut self, len: u32) -> bool {
        let len = len as usize;
        if len > self.window.available() {
            return false;
        }
        self.window.consume(len);
        true
    }

    /// Releases `len` consumed bytes; returns the increment to announce, if it is time.
    pub(crate) fn release(&mut self, len: u32) -> Option<u32> {
        self.released = self.released.saturating_add(len);
        let target = i64::from(self.size);
        let missing = target - self.window.0;
        let threshold = i64::from((self.size / 2).max(1));
        if i64::from(self.released) < threshold && missing < target {
            return None;
        }
        let increment = self.released.min(u32::try_from(missing.max(0)).unwrap_or(u32::MAX));
        self.released = 0;
        if increment == 0 {
            return None;
        }
        self.window.adjust(i64::from(increment)).ok()?;
        Some(increment)
    }

    /// Makes the window larger by the growth of its size to `size`, keeping
    /// what is received and not yet released counted; returns the growth,
    /// which the peer must be told of (a WINDOW_UPDATE, or a new
    /// SETTINGS_INITIAL_WINDOW_SIZE for stream windows). A smaller `size`
    /// changes nothing.
    pub(crate) fn enlarge(&mut self, size: u32) -> Option<u32> {
        let size = size.min(MAX_WINDOW_SIZE);
        let growth = size.checked_sub(self.size).filter(|&g| g > 0)?;
        self.window.adjust(i64::from(growth)).ok()?;
        self.size = size;
        Some(growth)
    }

    /// Raises the window to `size` at once; returns the increment to announce.
    pub(crate) fn grow_to(&mut self, size: u32) -> Option<u32> {
        self.size = size.min(MAX_WINDOW_SIZE);
        let increment = u32::try_from(i64::from(self.size) - self.window.0).ok()?;
        if increment == 0 {
            return None;
        }
        self.window.adjust(i64::from(increment)).ok()?;
        Some(increment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_at_half_window() {
        let mut w = RecvWindow::new(100, 100);
        assert!(w.receive(60));
        assert_eq!(w.release(30), None);
        assert_eq!(w.release(20), Some(50));
        assert!(w.receive(90));
        assert!(!w.receive(1));
    }

    #[test]
    fn grow_announces_difference() {
        let mut w = RecvWindow::new(65_535, 65_535);
        assert_eq!(w.grow_to(1 << 20), Some((1 << 20) - 65_535));
        assert!(w.receive(1 << 20));
    }

    #[test]
    fn enlarge_keeps_unreleased_bytes_counted() {
        let mut w = RecvWindow::new(100, 100);
        assert!(w.receive(60));
        assert_eq!(w.enlarge(50), None);
        assert_eq!(w.enlarge(300), Some(200));
        assert_eq!(w.size, 300);
        assert!(w.receive(240));
        assert!(!w.receive(1));
    }

    #[test]
    fn send_window_overflow_and_negative_windows() {
        let mut w = Window::new(MAX_WINDOW_SIZE - 10);
        assert_eq!(w.adjust(11), Err(WindowOverflow));
        assert_eq!(w.adjust(10), Ok(()));
        assert_eq!(w.available(), MAX_WINDOW_SIZE as usize);
        assert_eq!(w.adjust(-i64::from(MAX_WINDOW_SIZE) - 5), Ok(()));
        assert!(!w.is_open());
        assert_eq!(w.available(), 0);
        w.adjust(6).unwrap();
        assert!(w.is_open());
    }
}
