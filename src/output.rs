//! Where the command line writes: data to stdout, notes to stderr. Neither ever panics: a
//! full disk or a closed pipe on stdout is an error the command returns, and a note that
//! cannot be written to stderr is dropped.

use std::io::Write;

use lanyard_core::{Error, ErrorKind};

const CLOSED_PIPE: &str = "the reader of the output went away";

/// The command's data output.
pub struct Output {
    inner: Box<dyn Write>,
}

impl Output {
    /// Standard output.
    pub fn stdout() -> Output {
        Output {
            inner: Box::new(std::io::BufWriter::with_capacity(
                64 << 10,
                std::io::stdout().lock(),
            )),
        }
    }

    /// Writes text, or says why it could not.
    pub fn emit(&mut self, text: &str) -> Result<(), Error> {
        self.inner.write_all(text.as_bytes()).map_err(write_error)
    }

    /// Writes a value as pretty JSON and a newline, straight to the output.
    pub fn emit_json<T: serde::Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        serde_json::to_writer_pretty(&mut self.inner, value).map_err(|e| {
            match e.io_error_kind() {
                Some(kind) => write_error(std::io::Error::from(kind)),
                None => Error::new(ErrorKind::Invalid, format!("cannot write JSON: {e}")),
            }
        })?;
        self.emit("\n")
    }

    /// Flushes what is buffered.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.inner.flush().map_err(write_error)
    }
}

fn write_error(error: std::io::Error) -> Error {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return Error::new(ErrorKind::Io, CLOSED_PIPE);
    }
    let message = match error.raw_os_error() {
        Some(28) => "cannot write the output: the disk is full".to_owned(),
        _ => format!("cannot write the output: {error}"),
    };
    Error::new(ErrorKind::Io, message).fix("write the output somewhere with room, or to a terminal")
}

/// Whether an error only says that the reader of stdout went away.
pub fn is_closed_pipe(error: &Error) -> bool {
    error.kind == ErrorKind::Io && error.message == CLOSED_PIPE
}

/// A note for the person at the terminal, on stderr: `lanyard: TEXT`.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "lanyard: {text}");
}
