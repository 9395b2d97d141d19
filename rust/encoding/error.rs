//! The errors of the encoding core, one per Python exception class they become.

/// What went wrong, with what the Python exception carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// `EncodingError`: a character that cannot be encoded (`character`,
    /// `index` in characters), or data that cannot be decoded (`index` in octets).
    Encoding {
        message: String,
        character: Option<char>,
        index: Option<usize>,
    },
    /// `MessageTooLong`: `units` needed, `limit` allowed by the profile `profile`.
    TooLong {
        message: String,
        limit: usize,
        units: usize,
        profile: String,
    },
    /// `ConfigurationError`: an argument out of its range.
    Configuration { message: String },
}

impl Error {
    pub fn message(&self) -> &str {
        match self {
            Error::Encoding { message, .. }
            | Error::TooLong { message, .. }
            | Error::Configuration { message } => message,
        }
    }

    /// The same error, its message naming the text's position in a batch.
    pub fn in_batch(mut self, position: usize) -> Self {
        let (Error::Encoding { message, .. }
        | Error::TooLong { message, .. }
        | Error::Configuration { message }) = &mut self;
        *message = format!("texts[{position}]: {message}");
        self
    }

    pub(crate) fn octet(message: String, index: usize) -> Self {
        Error::Encoding {
            message,
            character: None,
            index: Some(index),
        }
    }

    pub(crate) fn configuration(message: String) -> Self {
        Error::Configuration { message }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}
