//! Distributed mode on loopback, driven as Argo's agent drives a plugin: a
//! front (`serve --forward-to …` or `--forward-to-dns …`) and `serve`
//! workers holding the pool's token. Every step runs exactly once (the
//! steps' module calls a counting server once per run), every worker gets
//! work, a worker killed in the middle of steps loses only its own steps
//! (or hands them on, when they may be repeated), a draining worker
//! finishes and hands out its steps, a worker that joins takes new steps
//! without any running twice, and a worker refuses a call without the
//! pool's token.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::{Value, json};
use wasm_workflows_cli::executor_plugin::StepKey;
use wasm_workflows_cli::forward::rendezvous::ranked;
use wasm_workflows_test_support::registry::TestRegistry;
use wasm_workflows_test_support::serve::{ServeProcess, TOKEN, serve_command, wasm_request};
use wasm_workflows_test_support::wat_steps::{CountingServer, StepModule};

const BINARY: &str = env!("CARGO_BIN_EXE_wasm-workflows");

/// The token the front sends the workers (Argo's is `TOKEN`).
const POOL_TOKEN: &str = "pool-token-pool-token-pool-token";

fn registry() -> &'static TestRegistry {
    static REGISTRY: OnceLock<TestRegistry> = OnceLock::new();
    REGISTRY.get_or_init(TestRegistry::start)
}

/// Pushes the module that sleeps `ms`, then calls `server`.
fn counted_image(name: &str, ms: u64, server: &CountingServer) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("module.wasm");
    std::fs::write(&file, StepModule::counted(ms, &format!("{}/hit", server.origin())).wasm()).unwrap();
    let reference = format!("{}/pool/{name}:1", registry().address());
    let pushed = Command::new(BINARY).arg("push").arg(&file).arg(&reference).output().unwrap();
    assert!(pushed.status.success(), "{}", String::from_utf8_lossy(&pushed.stderr));
    reference
}

/// A step of `image` in workflow `workflow`.
fn step(workflow: &str, image: &str, server: &CountingServer, idempotent: bool) -> String {
    let mut plugin = json!({"permissions": {"http": {"allowed_hosts": [server.origin()]}}});
    if idempotent {
        plugin["idempotent"] = json!(true);
    }
    wasm_request(workflow, image, &[], plugin)
}

/// A free port on `ip`.
fn free_port(ip: IpAddr) -> u16 {
    TcpListener::bind(SocketAddr::new(ip, 0)).unwrap().local_addr().unwrap().port()
}

/// A worker: a plain `serve` whose token is the pool's, on `address`.
fn worker(address: SocketAddr) -> ServeProcess {
    let (mut command, files) = serve_command(Path::new(BINARY), POOL_TOKEN);
    command.args(["--bind", &address.ip().to_string(), "--port", &address.port().to_string()]).args([
        "--running-after",
        "0.3",
        "--requeue",
        "1",
        "--shutdown-grace",
        "20",
    ]);
    ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("the worker did not start:\n{log}"))
}

/// A front forwarding to `workers` (the flags that name them).
fn front(workers: &[String]) -> ServeProcess {
    let (mut command, files) = serve_command(Path::new(BINARY), TOKEN);
    command.args(["--port", "0"]).args(workers).env("FORWARD_TOKEN", POOL_TOKEN);
    ServeProcess::spawn(command, files).unwrap_or_else(|log| panic!("the front did not start:\n{log}"))
}

/// Three workers on 127.0.0.1 and a front naming them.
fn pool(n: usize) -> (Vec<ServeProcess>, ServeProcess) {
    let workers: Vec<ServeProcess> = (0..n)
        .map(|_| worker(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), free_port(Ipv4Addr::LOCALHOST.into()))))
        .collect();
    let flags: Vec<String> = workers.iter().flat_map(|w| ["--forward-to".to_owned(), w.origin().to_owned()]).collect();
    let front = front(&flags);
    (workers, front)
}

fn phase(answer: &Value) -> &str {
    answer["node"]["phase"].as_str().unwrap_or_default()
}

/// Steps a worker ended, from its metrics.
fn steps_ended(worker: &ServeProcess) -> u64 {
    let (status, text) = worker.get("/metrics");
    assert_eq!(status, 200);
    text.lines()
        .filter(|line| line.starts_with("wasm_workflows_steps_total{"))
        .filter_map(|line| line.rsplit_once(' ')?.1.parse::<u64>().ok())
        .sum()
}

/// Posts every step once (each answered `Running`, as steps sleep longer
/// than the workers wait), then runs each to its end as the agent does.
fn run_all(front: &Arc<ServeProcess>, steps: &[String]) -> Vec<Value> {
    start_all(front, steps);
    finish_all(front, steps)
}

fn finish_all(front: &Arc<ServeProcess>, steps: &[String]) -> Vec<Value> {
    let threads: Vec<_> = steps
        .iter()
        .map(|step| {
            let (front, step) = (front.clone(), step.clone());
            std::thread::spawn(move || front.run_step(&step))
        })
        .collect();
    threads.into_iter().map(|thread| thread.join().unwrap()).collect()
}

#[test]
fn every_step_runs_exactly_once_and_every_worker_gets_work() {
    let server = CountingServer::start();
    let image = counted_image("once", 700, &server);
    let (workers, front) = pool(3);
    let front = Arc::new(front);
    let steps: Vec<String> = (0..30).map(|n| step(&format!("once-{n}"), &image, &server, false)).collect();
    let answers = run_all(&front, &steps);
    for answer in &answers {
        assert_eq!(phase(answer), "Succeeded", "{answer}");
    }
    assert_eq!(server.total(), steps.len(), "every step ran, and none twice");
    for worker in &workers {
        assert!(steps_ended(worker) > 0, "{} got no step", worker.origin());
    }
    assert_eq!(workers.iter().map(steps_ended).sum::<u64>(), steps.len() as u64);
    // Not ours: answered by the front itself.
    let container = json!({"workflow": {"metadata": {"name": "w"}}, "template": {"container": {"image": "alpine"}}});
    assert_eq!(front.execute_with(&container.to_string(), None), (200, "{}".to_owned()));
    assert_eq!(workers.iter().map(steps_ended).sum::<u64>(), steps.len() as u64);
}

/// Where the front's rendezvous hashing places steps: over `workers`, whether `worker` is a step's own.
struct Placement<'a> {
    workers: &'a [SocketAddr],
    worker: SocketAddr,
}

impl Placement<'_> {
    /// `count` steps of `image` (workflows `PREFIX-N`) that are (or are not) the worker's.
    fn steps(
        &self,
        prefix: &str,
        image: &str,
        server: &CountingServer,
        idempotent: bool,
        owned: bool,
        count: usize,
    ) -> Vec<String> {
        (0..)
            .map(|n| step(&format!("{prefix}-{n}"), image, server, idempotent))
            .filter(|body| (ranked(&StepKey::of(body.as_bytes()).bytes(), self.workers)[0] == self.worker) == owned)
            .take(count)
            .collect()
    }
}

/// Posts each step's first call at once (answered `Running`).
fn start_all(front: &Arc<ServeProcess>, steps: &[String]) {
    let threads: Vec<_> = steps
        .iter()
        .map(|step| {
            let (front, step) = (front.clone(), step.clone());
            std::thread::spawn(move || front.execute(&step))
        })
        .collect();
    for thread in threads {
        let first = thread.join().unwrap();
        assert_eq!(phase(&first), "Running", "{first}");
    }
}

#[test]
fn a_worker_killed_in_the_middle_of_steps_loses_only_its_own() {
    let server = CountingServer::start();
    let image = counted_image("killed", 3000, &server);
    let (mut workers, front) = pool(3);
    let front = Arc::new(front);
    let addresses: Vec<SocketAddr> =
        workers.iter().map(|w| w.origin().trim_start_matches("http://").parse().unwrap()).collect();
    let victim_address = addresses[0];
    let victims = Placement { workers: &addresses, worker: victim_address };
    let lost = victims.steps("lost", &image, &server, false, true, 4);
    let kept = victims.steps("kept", &image, &server, false, false, 4);
    let moved = victims.steps("moved", &image, &server, true, true, 4);
    let all: Vec<String> = lost.iter().chain(&kept).chain(&moved).cloned().collect();
    start_all(&front, &all);
    drop(workers.remove(0)); // SIGKILL, with its steps asleep or waiting for a slot
    let answers = finish_all(&front, &all);
    for answer in &answers[..lost.len()] {
        assert_eq!(phase(answer), "Failed", "{answer}");
        let message = answer["node"]["message"].as_str().unwrap();
        assert!(message.starts_with("the step was lost: the pool's worker "), "{message}");
        assert!(message.contains(&victim_address.to_string()), "{message}");
        assert!(message.contains("plugin.wasm.idempotent: true"), "{message}");
    }
    for answer in &answers[lost.len()..] {
        assert_eq!(phase(answer), "Succeeded", "steps elsewhere, and repeatable ones, end well: {answer}");
    }
    assert_eq!(server.total(), kept.len() + moved.len(), "the lost steps never ran to their end, no other twice");
    let (_, metrics) = front.get("/metrics");
    assert!(metrics.contains("wasm_workflows_steps_lost_total 4"), "{metrics}");
    assert!(metrics.contains("wasm_workflows_steps_repeated_total 4"), "{metrics}");
}

#[test]
fn a_draining_worker_finishes_and_hands_out_its_steps() {
    let server = CountingServer::start();
    let image = counted_image("drained", 1500, &server);
    let (mut workers, front) = pool(2);
    let front = Arc::new(front);
    let steps: Vec<String> = (0..10).map(|n| step(&format!("drain-{n}"), &image, &server, false)).collect();
    start_all(&front, &steps);
    workers[0].terminate();
    // New steps go to the other worker meanwhile.
    let later: Vec<String> = (0..4).map(|n| step(&format!("later-{n}"), &image, &server, false)).collect();
    let all: Vec<String> = steps.iter().chain(&later).cloned().collect();
    for answer in finish_all(&front, &all) {
        assert_eq!(phase(&answer), "Succeeded", "{answer}");
    }
    assert_eq!(server.total(), all.len());
    let status = workers[0].wait_for_exit(Duration::from_secs(15)).expect("the drained worker exits");
    assert!(status.success(), "{status}");
}

/// Lines naming `name` in /etc/hosts, taken out again when dropped: the
/// addresses a headless Service's name would resolve to, on loopback.
struct HostsEntries {
    marker: String,
}

impl HostsEntries {
    const FILE: &str = "/etc/hosts";

    fn new(name: &str) -> HostsEntries {
        let entries = HostsEntries { marker: format!("# wasm-workflows pool test {name}") };
        entries.remove_all();
        entries
    }

    fn add(&self, ip: IpAddr, name: &str) {
        let mut hosts = std::fs::OpenOptions::new().append(true).open(Self::FILE).unwrap();
        writeln!(hosts, "{ip} {name} {}", self.marker).unwrap();
    }

    fn remove_all(&self) {
        let text = std::fs::read_to_string(Self::FILE).unwrap();
        let kept: String =
            text.lines().filter(|line| !line.ends_with(&self.marker)).map(|line| format!("{line}\n")).collect();
        if kept != text {
            std::fs::write(Self::FILE, kept).unwrap();
        }
    }
}

impl Drop for HostsEntries {
    fn drop(&mut self) {
        self.remove_all();
    }
}

#[test]
fn a_worker_that_joins_takes_new_steps_and_none_runs_twice() {
    if !Path::new(HostsEntries::FILE).metadata().is_ok_and(|m| !m.permissions().readonly())
        || std::fs::OpenOptions::new().append(true).open(HostsEntries::FILE).is_err()
    {
        panic!("this test names the workers in {} and needs to write it (run the tests as root)", HostsEntries::FILE);
    }
    let name = "wasm-workflows-pool.test";
    let hosts = HostsEntries::new(name);
    let ips: Vec<IpAddr> = (11..14).map(|last| IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))).collect();
    let port = free_port(ips[0]);
    let server = CountingServer::start();
    let image = counted_image("joined", 2500, &server);
    let mut workers = Vec::new();
    for ip in &ips[..2] {
        hosts.add(*ip, name);
        workers.push(worker(SocketAddr::new(*ip, port)));
    }
    let front = Arc::new(front(&["--forward-to-dns".into(), format!("{name}:{port}")]));
    let steps: Vec<String> = (0..20).map(|n| step(&format!("join-{n}"), &image, &server, false)).collect();
    start_all(&front, &steps);
    hosts.add(ips[2], name);
    workers.push(worker(SocketAddr::new(ips[2], port)));
    // The front resolves the name again every 3 s.
    std::thread::sleep(Duration::from_secs(4));
    for answer in finish_all(&front, &steps) {
        assert_eq!(phase(&answer), "Succeeded", "{answer}");
    }
    assert_eq!(server.total(), steps.len(), "a step moved to the new worker and ran again");
    assert_eq!(steps_ended(&workers[2]), 0, "the new worker took a step it did not start");
    // New steps reach it.
    let quick = counted_image("joined-quick", 400, &server);
    let later: Vec<String> = (0..30).map(|n| step(&format!("after-join-{n}"), &quick, &server, false)).collect();
    for answer in finish_all(&front, &later) {
        assert_eq!(phase(&answer), "Succeeded", "{answer}");
    }
    assert!(steps_ended(&workers[2]) > 0, "the new worker got no new step");
    assert_eq!(server.total(), steps.len() + later.len());
}

#[test]
fn a_worker_refuses_a_call_without_the_pools_token() {
    let (workers, front) = pool(1);
    let server = CountingServer::start();
    let image = counted_image("token", 10, &server);
    let body = step("token", &image, &server, false);
    // Argo's token is the front's, not the pool's.
    let (status, text) = workers[0].execute_with(&body, None);
    assert_eq!(status, 403, "{text}");
    assert_eq!(server.total(), 0);
    let (status, _) = front.execute_with(&body, Some(&format!("Bearer {POOL_TOKEN}")));
    assert_eq!(status, 403, "the front takes Argo's token only");
    assert_eq!(phase(&front.run_step(&body)), "Succeeded");
    assert_eq!(server.total(), 1);
}
