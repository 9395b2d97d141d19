//! Stream framing: SMPP 3.4 §3.2 command_length delimits each PDU.

use super::schema::HEADER_LENGTH;
use super::{status, PduError};

/// Splits a received byte stream into whole PDU frames.
///
/// [`Framer::next_frame`] tells the length of the next complete frame without
/// consuming it, so the caller decides (decode, then [`Framer::consume`]). A
/// command_length outside `16..=max` breaks the framer for good: the stream
/// cannot be re-synchronised and the connection must close.
#[derive(Debug)]
pub struct Framer {
    buffer: Vec<u8>,
    start: usize,
    max_command_length: u32,
    broken: Option<String>,
}

impl Framer {
    pub fn new(max_command_length: u32) -> Self {
        Framer {
            buffer: Vec::new(),
            start: 0,
            max_command_length,
            broken: None,
        }
    }

    pub fn max_command_length(&self) -> u32 {
        self.max_command_length
    }

    fn broken_error(message: &str) -> PduError {
        PduError {
            message: message.to_owned(),
            status: status::ESME_RINVCMDLEN,
            field: Some("command_length"),
            command_id: None,
            sequence_number: None,
        }
    }

    /// Fails with the framer's error once it is broken.
    pub fn check(&self) -> Result<(), PduError> {
        match &self.broken {
            Some(message) => Err(Self::broken_error(message)),
            None => Ok(()),
        }
    }

    /// Append received octets.
    pub fn extend(&mut self, data: &[u8]) {
        self.buffer.extend_from_slice(data);
    }

    /// The length of the next complete frame, None while it is partial.
    pub fn next_frame(&mut self) -> Result<Option<usize>, PduError> {
        self.check()?;
        let pending = &self.buffer[self.start..];
        if pending.len() < 4 {
            return Ok(None);
        }
        let length = u32::from_be_bytes([pending[0], pending[1], pending[2], pending[3]]);
        if length < HEADER_LENGTH as u32 || length > self.max_command_length {
            // Stop before buffering a body that may never end.
            let message = format!(
                "command_length: {length} is outside {HEADER_LENGTH}..{}; \
                 the connection must be closed",
                self.max_command_length
            );
            let error = Self::broken_error(&message);
            self.broken = Some(message);
            self.buffer = Vec::new();
            self.start = 0;
            return Err(error);
        }
        Ok((pending.len() >= length as usize).then_some(length as usize))
    }

    /// The next frame of `length` octets (as returned by `next_frame`).
    pub fn frame(&self, length: usize) -> &[u8] {
        &self.buffer[self.start..self.start + length]
    }

    /// Drop the next frame of `length` octets.
    pub fn consume(&mut self, length: usize) {
        self.start += length;
    }

    /// Release consumed octets; call once per batch of frames.
    pub fn compact(&mut self) {
        if self.start > 0 {
            self.buffer.drain(..self.start);
            self.start = 0;
        }
    }

    /// Octets held for a partial frame.
    pub fn pending(&self) -> usize {
        self.buffer.len() - self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::{decode, schema::MAX_COMMAND_LENGTH};

    const LINK: [u8; 16] = [0, 0, 0, 16, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1];

    fn frames(framer: &mut Framer) -> Result<Vec<Vec<u8>>, PduError> {
        let mut found = Vec::new();
        while let Some(length) = framer.next_frame()? {
            found.push(framer.frame(length).to_vec());
            framer.consume(length);
        }
        framer.compact();
        Ok(found)
    }

    #[test]
    fn partial_frames_wait_and_whole_ones_come_out_in_order() {
        let mut framer = Framer::new(MAX_COMMAND_LENGTH);
        framer.extend(&LINK[..3]);
        assert!(frames(&mut framer).unwrap().is_empty());
        assert_eq!(framer.pending(), 3);
        framer.extend(&LINK[3..]);
        framer.extend(&LINK);
        framer.extend(&LINK[..15]);
        assert_eq!(frames(&mut framer).unwrap().len(), 2);
        framer.extend(&LINK[15..]);
        let found = frames(&mut framer).unwrap();
        assert_eq!(decode(&found[0]).unwrap().sequence_number, 1);
        assert_eq!(framer.pending(), 0);
    }

    #[test]
    fn out_of_bounds_command_length_breaks_the_framer_without_buffering() {
        let mut framer = Framer::new(4096);
        framer.extend(&4097u32.to_be_bytes());
        let error = frames(&mut framer).unwrap_err();
        assert_eq!(error.status, status::ESME_RINVCMDLEN);
        assert_eq!(framer.pending(), 0);
        framer.extend(&LINK);
        assert!(frames(&mut framer).is_err());
        let mut short = Framer::new(4096);
        short.extend(&15u32.to_be_bytes());
        assert!(frames(&mut short).is_err());
    }

    #[test]
    fn fuzz_random_chunks_never_panic() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2_000 {
            let mut framer = Framer::new(256);
            for _ in 0..8 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let chunk: Vec<u8> = state.to_be_bytes()[..(state % 9) as usize].to_vec();
                framer.extend(&chunk);
                if let Ok(found) = frames(&mut framer) {
                    for frame in found {
                        let _ = decode(&frame);
                    }
                }
            }
        }
    }
}
