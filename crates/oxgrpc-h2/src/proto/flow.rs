//! Receive-side flow-control windows (RFC 9113 §5.2, §6.9).
//!
//! The peer may send `available` more bytes. Received bytes stay counted
//! against the window until the application *releases* them (it consumed
//! the data); released bytes are announced in a WINDOW_UPDATE once they
//! reach half the window, so a slow reader back-pressures its sender while
//! a fast one never drains the window to zero.

/// One receive window: the connection's or a stream's.
#[derive(Debug)]
pub(crate) struct RecvWindow {
    size: u32,
    available: i64,
    released: u32,
}

impl RecvWindow {
    /// A window the peer currently sees as `initial`, which we want at `size`.
    pub(crate) fn new(initial: u32, size: u32) -> RecvWindow {
        RecvWindow { size, available: i64::from(initial), released: 0 }
    }

    /// Accounts `len` received bytes; `false` if the peer overran the window.
    pub(crate) fn receive(&mut self, len: u32) -> bool {
        if i64::from(len) > self.available {
            return false;
        }
        self.available -= i64::from(len);
        true
    }

    /// Releases `len` consumed bytes; returns the increment to announce, if it is time.
    pub(crate) fn release(&mut self, len: u32) -> Option<u32> {
        self.released = self.released.saturating_add(len);
        let target = i64::from(self.size);
        let missing = target - self.available;
        let threshold = i64::from((self.size / 2).max(1));
        if i64::from(self.released) >= threshold || missing >= target {
            let increment = self.released.min(u32::try_from(missing.max(0)).unwrap_or(u32::MAX));
            self.released = 0;
            if increment == 0 {
                return None;
            }
            self.available += i64::from(increment);
            return Some(increment);
        }
        None
    }

    /// Raises the window to `size` at once; returns the increment to announce.
    pub(crate) fn grow_to(&mut self, size: u32) -> Option<u32> {
        self.size = size;
        let increment = i64::from(size) - self.available;
        if increment <= 0 {
            return None;
        }
        self.available = i64::from(size);
        u32::try_from(increment).ok()
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
}
