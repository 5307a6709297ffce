//! The writing half of `Connection`: whole messages as v1 lines, or once framed as v2 frames
//! (PROTOCOL.md §11), a large body never copied to be framed. Thin I/O only.
use std::io;

use base64::prelude::*;
use tokio::io::AsyncWriteExt;

use super::{closed_or, Connection, Stream};
use crate::frames;
use crate::Result;

impl Connection {
    /// Sends one message (a line, base64 + `\n`, or once framed a frame) and flushes it.
    pub async fn send_message<T>(&mut self, message: T) -> Result<()>
    where
        T: AsRef<[u8]>,
    {
        let stream = self.buffer.get_mut();
        if self.framed {
            // Header and envelope in one vectored write: a large state is not copied to be framed.
            let envelope = message.as_ref();
            let header = frames::header_of(envelope.len());
            write_all_two(stream, &header, envelope)
                .await
                .map_err(closed_or)?;
        } else {
            let mut line = BASE64_STANDARD.encode(message.as_ref());
            line.push('\n');
            stream.write_all(line.as_bytes()).await.map_err(closed_or)?;
        }
        stream.flush().await.map_err(closed_or)?;
        Ok(())
    }

    /// Sends the message `codes` + `body` (a line, or a frame written in parts: the body is not
    /// copied) and flushes it.
    pub(crate) async fn send_parts(&mut self, codes: [u8; 2], body: &[u8]) -> Result<()> {
        if !self.framed {
            return self.send_message([codes.as_slice(), body].concat()).await;
        }
        let header = frames::header_of(2 + body.len());
        let head = [
            header[0], header[1], header[2], header[3], codes[0], codes[1],
        ];
        let stream = self.buffer.get_mut();
        write_all_two(stream, &head, body)
            .await
            .map_err(closed_or)?;
        stream.flush().await.map_err(closed_or)?;
        Ok(())
    }
}

/// Writes `first` then `second` whole, both in each write while `first` is not done.
async fn write_all_two(
    stream: &mut Box<dyn Stream>,
    first: &[u8],
    second: &[u8],
) -> io::Result<()> {
    let (mut first, mut second) = (first, second);
    while !first.is_empty() {
        let parts = [io::IoSlice::new(first), io::IoSlice::new(second)];
        let written = stream.write_vectored(&parts).await?;
        if written == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        if written < first.len() {
            first = &first[written..];
        } else {
            second = &second[written - first.len()..];
            first = &[];
        }
    }
    stream.write_all(second).await
}
