//! `wasm-workflows serve` as Argo's agent meets it: the built binary started
//! on a free loopback port with a token of its own, stopped on drop, and
//! called over HTTP with the token.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use wasm_workflows_sdk::http::Request;

/// The token the tests' hosts expect (Argo's are 32 random characters).
pub const TOKEN: &str = "0123456789abcdefghijklmnopqrstuv";

/// `binary serve` with a token file that holds `token` and a cache folder of
/// its own, both in the folder returned with it (give both to
/// [`ServeProcess::spawn`]); the caller adds the port and its flags.
pub fn serve_command(binary: &Path, token: &str) -> (Command, tempfile::TempDir) {
    let files = tempfile::tempdir().expect("a folder for the host");
    std::fs::write(files.path().join("token"), token).expect("the token file");
    let mut command = Command::new(binary);
    command
        .args(["serve", "--token-file"])
        .arg(files.path().join("token"))
        .arg("--cache-dir")
        .arg(files.path().join("cache"));
    (command, files)
}

/// A running `wasm-workflows serve`.
pub struct ServeProcess {
    child: Child,
    origin: String,
    _files: tempfile::TempDir,
}

impl ServeProcess {
    /// Starts `binary serve` with `args` added to its own (a free port, a
    /// token file, a cache folder of its own).
    pub fn start(binary: &Path, args: &[&str]) -> ServeProcess {
        let (mut command, files) = serve_command(binary, TOKEN);
        command.args(["--port", "0"]).args(args);
        ServeProcess::spawn(command, files)
            .unwrap_or_else(|log| panic!("wasm-workflows serve ended before listening:\n{log}"))
    }

    /// Starts `command` (a `wasm-workflows serve …` made by the caller: its
    /// own token file, user, environment) and waits until it listens; if it
    /// ends first, the error is what it wrote to standard error. `files` is
    /// kept as long as the process (its token file, cache).
    pub fn spawn(mut command: Command, files: tempfile::TempDir) -> Result<ServeProcess, String> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut said = String::new();
        let mut line = String::new();
        let origin = loop {
            line.clear();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.wait();
                return Err(said);
            }
            said.push_str(&line);
            if let Some(origin) = listening_on(&line) {
                break origin;
            }
        };
        eprint!("{said}");
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                eprintln!("{line}");
            }
        });
        Ok(ServeProcess { child, origin, _files: files })
    }

    /// Sends SIGTERM, as Kubernetes does to stop a pod.
    pub fn terminate(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill(2) with a pid this process started and still owns.
        let sent = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(sent, 0, "cannot send SIGTERM to serve");
    }

    /// Waits at most `patience` for the process to end: its exit status, or
    /// `None` if it is still running.
    pub fn wait_for_exit(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + patience;
        loop {
            if let Some(status) = self.child.try_wait().expect("serve's status") {
                return Some(status);
            }
            if std::time::Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The process's resident memory (`VmRSS`), in KiB.
    pub fn resident_kib(&self) -> u64 {
        self.status_field("VmRSS").trim_end_matches("kB").trim().parse().expect("VmRSS in /proc/PID/status")
    }

    /// How many threads the process has now.
    pub fn threads(&self) -> u64 {
        self.status_field("Threads").parse().expect("Threads in /proc/PID/status")
    }

    /// A field of `/proc/PID/status`, trimmed.
    fn status_field(&self, name: &str) -> String {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("serve's status");
        let field = status.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(':'));
        field.expect("a field of /proc/PID/status").trim().to_owned()
    }

    /// How many descriptors the process holds open.
    pub fn open_descriptors(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).expect("serve's descriptors").count()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Posts `body` to the execute endpoint with `authorization` (the
    /// token's header when `None`): the status and the body.
    pub fn execute_with(&self, body: &str, authorization: Option<&str>) -> (u16, String) {
        let mut request = Request::post(format!("{}/api/v1/template.execute", self.origin))
            .header("content-type", "application/json")
            .timeout(Duration::from_secs(60))
            .body(body.as_bytes().to_vec());
        let bearer = format!("Bearer {TOKEN}");
        if let Some(value) = authorization.or(Some(&bearer)).filter(|v| !v.is_empty()) {
            request = request.header("authorization", value);
        }
        let response = request.send().unwrap_or_else(|e| panic!("the host did not answer: {e}"));
        (response.status().as_u16(), String::from_utf8_lossy(response.body()).into_owned())
    }

    /// Posts `body` as Argo's agent does, expecting 200: the answer as JSON.
    pub fn execute(&self, body: &str) -> serde_json::Value {
        let (status, text) = self.execute_with(body, None);
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    /// Runs a step as Argo's agent does: posts `body`, and while the answer is
    /// a `Running` or `Pending` node with a `requeue`, waits that long and
    /// posts it again. The final answer as JSON.
    pub fn run_step(&self, body: &str) -> serde_json::Value {
        for _ in 0..600 {
            let answer = self.execute(body);
            let phase = answer.pointer("/node/phase").and_then(serde_json::Value::as_str).unwrap_or_default();
            let requeue = answer.get("requeue").and_then(serde_json::Value::as_str).and_then(go_seconds);
            match (phase, requeue) {
                ("Running" | "Pending", Some(seconds)) => std::thread::sleep(Duration::from_secs_f64(seconds)),
                _ => return answer,
            }
        }
        panic!("the step was still running after 600 requests")
    }

    /// `GET path`: the status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let response = Request::get(format!("{}{path}", self.origin)).send().unwrap();
        (response.status().as_u16(), String::from_utf8_lossy(response.body()).into_owned())
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The origin a log line of `serve` says it listens on (text or JSON log).
fn listening_on(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on http://")?;
    let end = rest.find(|c: char| c == '"' || c.is_whitespace()).unwrap_or(rest.len());
    Some(format!("http://{}", &rest[..end]))
}

/// The seconds of a Go duration as `serve` writes a requeue (`5s`, `1500ms`).
fn go_seconds(text: &str) -> Option<f64> {
    match text.strip_suffix("ms") {
        Some(millis) => millis.parse::<f64>().ok().map(|m| m / 1000.0),
        None => text.strip_suffix('s')?.parse().ok(),
    }
}

/// A request as Argo's agent sends it for a `plugin.wasm` template running
/// `image` with these input parameters; `plugin` adds keys to `plugin.wasm`.
pub fn wasm_request(workflow: &str, image: &str, parameters: &[(&str, &str)], plugin: serde_json::Value) -> String {
    let mut wasm = serde_json::json!({ "module": { "oci": image } });
    if let serde_json::Value::Object(extra) = plugin {
        wasm.as_object_mut().unwrap().extend(extra);
    }
    let parameters: Vec<serde_json::Value> =
        parameters.iter().map(|(name, value)| serde_json::json!({ "name": name, "value": value })).collect();
    serde_json::json!({
        "workflow": { "metadata": { "name": workflow, "namespace": "argo", "uid": format!("uid-{workflow}") } },
        "template": {
            "name": "step",
            "inputs": { "parameters": parameters },
            "outputs": {},
            "metadata": {},
            "plugin": { "wasm": wasm }
        }
    })
    .to_string()
}
