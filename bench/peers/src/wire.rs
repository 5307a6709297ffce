// v1 framing for the bench peers: base64 lines ending in "\n", built once and reused per turn.
// Hot paths only peek at the first 4 base64 characters; full decoding is for validation.
use base64::prelude::*;
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Opcode and operand of a line, from its first 4 base64 characters (one group, 3 bytes).
pub fn codes(line: &[u8]) -> Option<(u8, u8)> {
    let group = line.get(..4)?;
    let mut out = [0u8; 3];
    let n = BASE64_STANDARD.decode_slice_unchecked(group, &mut out).ok()?;
    if n < 2 {
        return None;
    }
    Some((out[0], out[1]))
}

/// The whole line (envelope, base64, "\n") for opcode, operand and body.
pub fn line(opcode: u8, operand: u8, body: &[u8]) -> Vec<u8> {
    let mut envelope = Vec::with_capacity(body.len() + 2);
    envelope.extend_from_slice(&[opcode, operand]);
    envelope.extend_from_slice(body);
    let mut out = BASE64_STANDARD.encode(&envelope).into_bytes();
    out.push(b'\n');
    out
}

/// The game's state of `size` bytes: a fixed, checkable pattern.
pub fn state(size: usize) -> Vec<u8> {
    (0..size).map(|k| (k.wrapping_mul(31) ^ (k >> 8)) as u8).collect()
}

/// The fixed 8-byte reply body of `--reply fixed` (the default).
pub const REPLY_BODY: &[u8; 8] = b"move:42!";

/// What a bot answers: the fixed 8 bytes, or the state it was sent (`--reply echo`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Fixed,
    Echo,
}

impl Reply {
    pub fn parse(text: &str) -> Self {
        match text {
            "fixed" => Reply::Fixed,
            "echo" => Reply::Echo,
            other => die("--reply", format!("fixed or echo, not {other}")),
        }
    }

    /// The reply's body for states of `size` bytes. The game's state is the same every turn, so
    /// an echo is the same bytes every turn too: built once, as the fixed reply is.
    pub fn body(self, size: usize) -> Vec<u8> {
        match self {
            Reply::Fixed => REPLY_BODY.to_vec(),
            Reply::Echo => state(size),
        }
    }
}

/// The length of a state line (base64 of `02 05` + `size` bytes, and "\n").
pub fn state_line_len(size: usize) -> usize {
    (size + 2).div_ceil(3) * 4 + 1
}

/// Fully decodes `line` (without "\n") and checks it is `02 05` + the state of `size` bytes.
pub fn check_state_line(line: &[u8], size: usize) -> Result<(), String> {
    let text = line.strip_suffix(b"\n").unwrap_or(line);
    let bytes = BASE64_STANDARD.decode(text).map_err(|e| format!("bad base64: {e}"))?;
    if bytes.len() != size + 2 || bytes[..2] != [0x02, 0x05] {
        return Err(format!("unexpected envelope: {} bytes, codes {:02x?}", bytes.len(), &bytes[..2.min(bytes.len())]));
    }
    if bytes[2..] != state(size)[..] {
        return Err("state body differs from the game's".into());
    }
    Ok(())
}

/// One TCP connection: Nagle off, buffered reads into a reused line buffer, one write per line.
pub struct Conn {
    reader: BufReader<TcpStream>,
    pub buf: Vec<u8>,
}

impl Conn {
    pub fn new(stream: TcpStream) -> io::Result<Self> {
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Self { reader: BufReader::with_capacity(1 << 16, stream), buf: Vec::with_capacity(1 << 16) })
    }

    /// Connects, retrying while the listener is not up yet (brokers start in parallel).
    pub fn connect(addr: &str, wait: Duration) -> io::Result<Self> {
        let deadline = Instant::now() + wait;
        loop {
            match TcpStream::connect(addr) {
                Ok(stream) => return Self::new(stream),
                Err(e) if Instant::now() < deadline && e.kind() == io::ErrorKind::ConnectionRefused => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads one line (with its "\n") into `self.buf`; an empty buffer means end of stream.
    pub fn read_line(&mut self) -> io::Result<&[u8]> {
        self.buf.clear();
        self.reader.read_until(b'\n', &mut self.buf)?;
        Ok(&self.buf)
    }

    pub fn write(&mut self, line: &[u8]) -> io::Result<()> {
        self.reader.get_mut().write_all(line)
    }
}

pub fn die(what: &str, err: impl std::fmt::Display) -> ! {
    eprintln!("peers: {what}: {err}");
    std::process::exit(1)
}
