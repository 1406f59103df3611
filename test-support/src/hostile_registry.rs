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
    /// Asks for a bearer token (401 with a `WWW-Authenticate` challenge
    /// naming its own `/token` as the token server), whose answer is 200
    /// with no length: the start of a token, then one long string for ever.
    EndlessToken,
    /// Asks for a bearer token, whose answer is 200 with a token's type,
    /// then one byte a second, for ever.
    SlowToken,
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
        let realm = format!("http://{address}/token");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let realm = realm.clone();
                std::thread::spawn(move || {
                    let _ = answer(stream, behaviour, &realm);
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

/// Reads one request's head and answers it as `behaviour` says; a token
/// server, if it plays one, is at `realm`.
fn answer(stream: TcpStream, behaviour: Behaviour, realm: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let mut out = stream;
    let asks_for_token = request_line.split(' ').nth(1).is_some_and(|path| path.starts_with("/token"));
    match behaviour {
        Behaviour::EndlessToken | Behaviour::SlowToken if !asks_for_token => {
            write!(
                out,
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"{realm}\",service=\"hostile\"\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            )?;
        }
        Behaviour::EndlessToken => {
            write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")?;
            out.write_all(br#"{"token":""#)?;
            send_run(&mut out, b'a', u64::MAX)?;
        }
        Behaviour::SlowToken => {
            write!(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")?;
            loop {
                out.write_all(b" ")?;
                out.flush()?;
                std::thread::sleep(Duration::from_secs(1));
            }
        }
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
