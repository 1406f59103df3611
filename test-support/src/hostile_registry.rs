//! A registry written the way an attacker would, on a free loopback port:
//! it answers every request of the OCI distribution API with one kind of
//! misbehaviour ([`Behaviour`]), on a thread per connection, for as long as
//! the test process runs. Only plain TCP and HTTP/1.1: the host under test
//! speaks plain HTTP to loopback registries.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// What the registry does with every request.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// Answers 200 with a manifest's headers, then sends its body one byte
    /// a second, for ever.
    SlowBytes,
    /// Answers a manifest of this many bytes (valid JSON, most of it one
    /// long string), as fast as it is read.
    HugeManifest(u64),
    /// Answers 200 with a manifest's type and no length, then sends the
    /// start of a manifest and one long string for ever.
    EndlessManifest,
    /// Answers 500 with a body of this many bytes: `<` and control
    /// characters, most of it one long run.
    HugeErrorBody(u64),
}

/// A hostile registry.
pub struct HostileRegistry {
    address: String,
}

impl HostileRegistry {
    /// Starts one that behaves as `behaviour` says.
    pub fn start(behaviour: Behaviour) -> HostileRegistry {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port for the hostile registry");
        let address = listener.local_addr().expect("its address").to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let _ = answer(stream, behaviour);
                });
            }
        });
        HostileRegistry { address }
    }

    /// `127.0.0.1:PORT`: a registry host for image references.
    pub fn address(&self) -> &str {
        &self.address
    }
}

/// Reads one request's head and answers it as `behaviour` says.
fn answer(stream: TcpStream, behaviour: Behaviour) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let mut out = stream;
    match behaviour {
        Behaviour::SlowBytes => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n\
                 Content-Length: 100000\r\n\r\n"
            )?;
            loop {
                out.write_all(b" ")?;
                out.flush()?;
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        Behaviour::HugeManifest(size) => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n\
                 Content-Length: {size}\r\n\r\n"
            )?;
            let head = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[],"padding":""#;
            let tail = br#""}"#;
            out.write_all(head)?;
            send_run(&mut out, b'a', size.saturating_sub((head.len() + tail.len()) as u64))?;
            out.write_all(tail)?;
        }
        Behaviour::EndlessManifest => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n\
                 Connection: close\r\n\r\n"
            )?;
            out.write_all(br#"{"schemaVersion":2,"layers":[],"padding":""#)?;
            send_run(&mut out, b'a', u64::MAX)?;
        }
        Behaviour::HugeErrorBody(size) => {
            write!(
                out,
                "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: {size}\r\n\r\n"
            )?;
            let head = b"<html>\x1b[31m\x07 the registry is broken ";
            out.write_all(head)?;
            send_run(&mut out, b'x', size.saturating_sub(head.len() as u64))?;
        }
    }
    out.flush()
}

/// Sends `count` bytes `byte`, 64 KiB at a time.
fn send_run(out: &mut TcpStream, byte: u8, count: u64) -> std::io::Result<()> {
    let chunk = vec![byte; 64 << 10];
    let mut left = count;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        out.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}
