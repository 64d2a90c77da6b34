//! A closed pipe stops the printing, never the verdict: `capplan check … | head -1` must
//! still exit 1 when a policy does not fit, and a warning nobody reads must not turn a
//! passing run into exit 2.

use std::io::{self, Write};

/// Wraps standard output or standard error: once the reader has gone (a broken pipe),
/// further writes are dropped without an error, so the command runs to its own exit status.
#[derive(Debug)]
pub struct StopOnClosedPipe<W> {
    inner: W,
    closed: bool,
}

impl<W: Write> StopOnClosedPipe<W> {
    /// Wraps a writer.
    pub fn new(inner: W) -> StopOnClosedPipe<W> {
        StopOnClosedPipe {
            inner,
            closed: false,
        }
    }

    /// Whether the reader has gone.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Turns a broken pipe into a closed writer; other errors pass.
    fn absorb<T>(&mut self, result: io::Result<T>, done: T) -> io::Result<T> {
        match result {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for StopOnClosedPipe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.absorb(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.absorb(result, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that goes away after `room` bytes.
    struct Pipe {
        room: usize,
        got: Vec<u8>,
    }

    impl Write for Pipe {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.got.len() + buf.len() > self.room {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            self.got.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_after_the_reader_left_are_dropped_quietly() {
        let mut out = StopOnClosedPipe::new(Pipe {
            room: 6,
            got: Vec::new(),
        });
        writeln!(out, "first").unwrap();
        writeln!(out, "second").unwrap();
        writeln!(out, "third").unwrap();
        out.flush().unwrap();
        assert!(out.closed());
        assert_eq!(out.inner.got, b"first\n");
    }

    #[test]
    fn other_errors_still_fail() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::from(io::ErrorKind::StorageFull))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut out = StopOnClosedPipe::new(Full);
        assert!(out.write_all(b"x").is_err());
        assert!(!out.closed());
    }
}
