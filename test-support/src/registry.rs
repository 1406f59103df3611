//! A real OCI registry for tests: Debian's `docker-registry` (the CNCF
//! distribution registry) started on a free loopback port with its own
//! storage, optionally behind a user and password, and stopped on drop, or
//! when the test process exits (a registry kept in a `static` is never dropped).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

/// The registry program, from Debian's `docker-registry` package.
const PROGRAM: &str = "docker-registry";

/// A running registry.
pub struct TestRegistry {
    child: Child,
    address: String,
    storage: tempfile::TempDir,
}

impl TestRegistry {
    /// A registry anyone may push to and pull from.
    pub fn start() -> TestRegistry {
        TestRegistry::launch(None)
    }

    /// A registry that wants this user and password (HTTP basic auth).
    pub fn with_user(user: &str, password: &str) -> TestRegistry {
        TestRegistry::launch(Some((user, password)))
    }

    fn launch(user: Option<(&str, &str)>) -> TestRegistry {
        let storage = tempfile::tempdir().expect("a folder for the registry");
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let address = format!("127.0.0.1:{port}");
        let auth = match user {
            Some((user, password)) => {
                let hash = bcrypt::hash(password, 5).expect("hash the password");
                let file = storage.path().join("htpasswd");
                std::fs::write(&file, format!("{user}:{hash}\n")).unwrap();
                format!("auth:\n  htpasswd:\n    realm: test-registry\n    path: {}\n", file.display())
            }
            None => String::new(),
        };
        let config = storage.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  \
                 delete:\n    enabled: true\nhttp:\n  addr: {address}\n{auth}",
                storage.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new(PROGRAM)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {PROGRAM} ({e}): install it with scripts/setup.sh (apt-get install docker-registry)"
                )
            });
        stop_at_exit(child.id());
        let registry = TestRegistry { child, address, storage };
        registry.wait_until_ready();
        registry
    }

    fn wait_until_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if self.status("/v2/").is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{PROGRAM} did not answer on {} within 20 s", self.address);
    }

    /// The HTTP status of a GET of `path`, if the registry answers.
    pub fn status(&self, path: &str) -> Option<u16> {
        let mut stream = TcpStream::connect(&self.address).ok()?;
        write!(stream, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.address).ok()?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).ok()?;
        std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
    }

    /// `127.0.0.1:PORT`: the registry part of references to it.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Where it keeps what is pushed.
    pub fn storage(&self) -> PathBuf {
        self.storage.path().join("data")
    }

    /// Stops it (as an unreachable registry, say).
    pub fn stop(&mut self) {
        RUNNING.lock().unwrap_or_else(|e| e.into_inner()).retain(|&pid| pid != self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The registries this process started and has not stopped.
static RUNNING: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// Stops the registry `pid` when the process exits, if nothing stopped it before.
fn stop_at_exit(pid: u32) {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: `stop_running` is an `extern "C" fn()` that neither unwinds nor returns early.
        unsafe { libc::atexit(stop_running) };
    });
    RUNNING.lock().unwrap_or_else(|e| e.into_inner()).push(pid);
}

extern "C" fn stop_running() {
    for &pid in RUNNING.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        // SAFETY: kill(2) on a child this process started and did not reap.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}
