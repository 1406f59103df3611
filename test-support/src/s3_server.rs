//! A real S3-compatible server for tests: `s3s-fs` serving a fresh temporary
//! folder on a free 127.0.0.1 port, started as a child process and killed
//! when the [`S3Server`] is dropped.
//!
//! The binary is `$S3S_FS` if set, else `s3s-fs` on `PATH`; `scripts/setup-s3.sh`
//! installs it. s3s-fs keeps bucket `b`'s object `k` in the file `<root>/b/k`,
//! so tests can put objects in place and read uploads back without S3.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The access key the server accepts by default.
pub const ACCESS_KEY: &str = "wasm-workflows-test";
/// The secret key the server accepts by default.
pub const SECRET_KEY: &str = "wasm-workflows-test-secret";

/// How to install the server, for error messages.
const INSTALL: &str = "install it with scripts/setup-s3.sh (or `cargo install s3s-fs --version 0.14.1 --features binary --locked`), then put it on PATH or set S3S_FS to its path";

/// How long the server may take to accept connections.
const STARTUP: Duration = Duration::from_secs(20);

/// A running s3s-fs on 127.0.0.1.
#[derive(Debug)]
pub struct S3Server {
    // Declared before `root`: the server is killed before its folder goes.
    _process: ChildProcess,
    port: u16,
    root: TempDir,
    access_key: String,
    secret_key: String,
}

/// An artifact repository for `serve` (from [`S3Server::repository_for_serve`]):
/// its files live as long as this value.
#[derive(Debug)]
pub struct ServeRepository {
    config: tempfile::NamedTempFile,
    secrets: TempDir,
}

impl ServeRepository {
    /// `serve`'s flags that name it: `--artifact-repository FILE --secrets-dir DIR`.
    pub fn serve_args(&self) -> [&str; 4] {
        fn text(path: &Path) -> &str {
            path.to_str().expect("a temporary path is UTF-8")
        }
        ["--artifact-repository", text(self.config.path()), "--secrets-dir", text(self.secrets.path())]
    }
}

/// A child process killed (and waited for) when dropped.
#[derive(Debug)]
struct ChildProcess(Child);

impl Drop for ChildProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl S3Server {
    /// Starts a server accepting [`ACCESS_KEY`] and [`SECRET_KEY`].
    ///
    /// # Panics
    /// When s3s-fs is not installed (the message says how to install it) or
    /// does not start.
    pub fn start() -> Self {
        Self::start_with_keys(ACCESS_KEY, SECRET_KEY)
    }

    /// Starts a server accepting these keys.
    ///
    /// # Panics
    /// As [`S3Server::start`].
    pub fn start_with_keys(access_key: &str, secret_key: &str) -> Self {
        let binary = binary().unwrap_or_else(|message| panic!("{message}"));
        let root = tempfile::tempdir().expect("a temporary folder for s3s-fs");
        let data = root.path().join("data");
        std::fs::create_dir(&data).expect("the data folder for s3s-fs");
        let log_path = root.path().join("s3s-fs.log");
        // A port found free may be taken before the server binds it: try again.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let port = free_port();
            let log = std::fs::File::create(&log_path).expect("the s3s-fs log file");
            let child = Command::new(&binary)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", access_key, "--secret-key", secret_key])
                .arg(&data)
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("the s3s-fs log file"))
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}; {INSTALL}", binary.display()));
            let mut process = ChildProcess(child);
            match wait_until_listening(&mut process.0, port, &log_path) {
                Ok(()) => {
                    return S3Server {
                        _process: process,
                        port,
                        root,
                        access_key: access_key.to_owned(),
                        secret_key: secret_key.to_owned(),
                    };
                }
                Err(failure) => failures.push(failure),
            }
        }
        panic!("s3s-fs ({}) did not start: {}", binary.display(), failures.join("; "));
    }

    /// `127.0.0.1:<port>`: the `endpoint` of an Argo S3 configuration.
    pub fn endpoint(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.endpoint())
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The access key the server accepts.
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// The secret key the server accepts.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// Creates bucket `name` (a folder of the server's root).
    pub fn create_bucket(&self, name: &str) {
        std::fs::create_dir_all(self.data().join(name)).expect("a bucket folder");
    }

    /// The file that holds object `key` of `bucket`.
    pub fn object_file(&self, bucket: &str, key: &str) -> PathBuf {
        self.data().join(bucket).join(key)
    }

    /// Stores `contents` as object `key` of `bucket` (creating the bucket).
    pub fn put_object(&self, bucket: &str, key: &str, contents: &[u8]) {
        let file = self.object_file(bucket, key);
        std::fs::create_dir_all(file.parent().expect("an object file has a folder")).expect("the object's folder");
        std::fs::write(file, contents).expect("the object's file");
    }

    /// What `serve` needs to use `bucket` of this server as its artifact
    /// repository: the repository's configuration in Argo's `s3:` form and a
    /// secrets folder holding the keys it names (`s3-cred/accesskey`,
    /// `s3-cred/secretkey`), as Kubernetes mounts them.
    pub fn repository_for_serve(&self, bucket: &str) -> ServeRepository {
        let config = tempfile::NamedTempFile::new().expect("a file for the repository's configuration");
        std::fs::write(
            config.path(),
            format!(
                "s3:\n  bucket: {bucket}\n  endpoint: {}\n  insecure: true\n  region: us-east-1\n  \
                 accessKeySecret: {{name: s3-cred, key: accesskey}}\n  secretKeySecret: {{name: s3-cred, key: secretkey}}\n",
                self.endpoint()
            ),
        )
        .expect("the repository's configuration written");
        let secrets = tempfile::tempdir().expect("a secrets folder");
        std::fs::create_dir(secrets.path().join("s3-cred")).expect("the secret's folder");
        std::fs::write(secrets.path().join("s3-cred/accesskey"), self.access_key()).expect("the access key");
        std::fs::write(secrets.path().join("s3-cred/secretkey"), self.secret_key()).expect("the secret key");
        ServeRepository { config, secrets }
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        read_log(&self.root.path().join("s3s-fs.log"))
    }

    fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }
}

fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Waits until `port` accepts connections, or says why not.
fn wait_until_listening(child: &mut Child, port: u16, log: &Path) -> Result<(), String> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let deadline = Instant::now() + STARTUP;
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            return Err(format!("it exited ({status}) on port {port}: {}", read_log(log)));
        }
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("nothing listens on {address} after {STARTUP:?}: {}", read_log(log)));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `$S3S_FS`, else `s3s-fs` on `PATH`.
fn binary() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("S3S_FS") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("S3S_FS is {}, which is not a file; {INSTALL}", path.display()))
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("s3s-fs"))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| format!("s3s-fs is not on PATH and S3S_FS is not set; {INSTALL}"))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A port nothing listens on at the moment.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port on 127.0.0.1");
    listener.local_addr().expect("the port's address").port()
}
