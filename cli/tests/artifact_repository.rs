//! The artifact repository against a real S3-compatible server (s3s-fs) on
//! 127.0.0.1: downloads, uploads with the original plugin's key layout,
//! every failure a user can meet, both sources of credentials, and a large
//! artifact streamed in bounded memory.
//!
//! Two tests run part of themselves in a child process (this test binary,
//! started again): one to give it its own environment variables, one to
//! measure its peak memory alone.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use wasm_workflows_cli::executor_plugin::request::DeclaredOutput;
use wasm_workflows_cli::plugin_host::artifact_repository::{
    ArtifactError, ArtifactRepository, CredentialSource, Credentials, PART_SIZE, S3RepositoryConfig,
};
use wasm_workflows_cli::runner::{OutputFile, WorkDir};
use wasm_workflows_sdk::protocol::{ArtifactRef, PluginResult, S3Artifact};
use wasm_workflows_test_support::s3_server::S3Server;

const BUCKET: &str = "my-bucket";

/// A step's work directory (as the runner makes it), and a folder for
/// configuration and Secrets beside it.
struct Work {
    work_dir: WorkDir,
    dir: tempfile::TempDir,
}

impl Work {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("secrets")).unwrap();
        Work { work_dir: WorkDir::create().unwrap(), dir }
    }
    fn artifacts_in(&self) -> PathBuf {
        self.work_dir.path().join("artifacts-in")
    }
    fn artifacts_out(&self) -> PathBuf {
        self.work_dir.path().join("artifacts-out")
    }
    fn secrets(&self) -> PathBuf {
        self.dir.path().join("secrets")
    }
    /// Writes `text` as the repository configuration file and returns its path.
    fn config(&self, text: &str) -> PathBuf {
        let file = self.dir.path().join("artifact-repository.yaml");
        std::fs::write(&file, text).unwrap();
        file
    }
    /// Mounts Secret `name` with these keys as Kubernetes would.
    fn secret(&self, name: &str, keys: &[(&str, &str)]) {
        let folder = self.secrets().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        for (key, value) in keys {
            std::fs::write(folder.join(key), value).unwrap();
        }
    }
    /// The outputs a module lists, as the runner checks them (the error is its message).
    fn outputs(&self, listed: &[(&str, &str)]) -> Result<Vec<OutputFile>, String> {
        let node = listed.iter().fold(PluginResult::succeeded("done"), |node, (name, path)| {
            node.with_artifact(ArtifactRef::new(*name, *path))
        });
        self.work_dir.check_outputs(&node)
    }
}

/// The ConfigMap-style `s3:` block for `server`, with the usual Secrets.
fn s3_block(endpoint: &str) -> String {
    format!(
        "s3:\n  bucket: {BUCKET}\n  endpoint: {endpoint}\n  insecure: true\n  region: us-east-1\n  accessKeySecret:\n    name: my-s3-credentials\n    key: accessKey\n  secretKeySecret:\n    name: my-s3-credentials\n    key: secretKey\n"
    )
}

/// A repository for `server` with its keys given directly.
fn repository(server: &S3Server, work: &Work) -> ArtifactRepository {
    repository_with_keys(server.endpoint(), server.access_key(), server.secret_key(), work)
}

fn repository_with_keys(endpoint: String, access: &str, secret: &str, work: &Work) -> ArtifactRepository {
    let mut config = S3RepositoryConfig::new(BUCKET, endpoint);
    config.insecure = true;
    let credentials = Credentials::Keys {
        access_key_id: access.into(),
        secret_access_key: secret.into(),
        session_token: None,
        source: CredentialSource::Environment,
    };
    ArtifactRepository::new(&config, credentials, &work.secrets()).unwrap()
}

fn input(name: &str, path: &str, key: &str) -> ArtifactRef {
    ArtifactRef { name: name.into(), path: path.into(), s3: Some(S3Artifact { key: key.into() }) }
}

fn write(file: PathBuf, contents: &[u8]) {
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, contents).unwrap();
}

fn key_of(artifact: &ArtifactRef) -> &str {
    &artifact.s3.as_ref().expect("an uploaded artifact has s3.key").key
}

#[tokio::test]
async fn downloads_inputs_to_their_paths_creating_folders() {
    let server = S3Server::start();
    server.put_object(BUCKET, "hello-n7nbj/hello-n7nbj-4176884829/hello-art.tgz", b"the message");
    server.put_object(BUCKET, "datasets/2024/numbers.csv", b"1,2,3\n");
    let work = Work::new();
    let inputs = [
        input("message", "/tmp/message", "hello-n7nbj/hello-n7nbj-4176884829/hello-art.tgz"),
        input("numbers", "/data/a/b/c/numbers.csv", "datasets/2024/numbers.csv"),
        input("relative", "plain/name", "datasets/2024/numbers.csv"),
    ];

    repository(&server, &work).download_inputs(&inputs, &work.work_dir).await.unwrap();

    assert_eq!(std::fs::read(work.artifacts_in().join("tmp/message")).unwrap(), b"the message");
    assert_eq!(std::fs::read(work.artifacts_in().join("data/a/b/c/numbers.csv")).unwrap(), b"1,2,3\n");
    assert_eq!(std::fs::read(work.artifacts_in().join("plain/name")).unwrap(), b"1,2,3\n");
}

#[tokio::test]
async fn uploads_outputs_under_workflow_then_step_and_sets_their_keys() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let work = Work::new();
    write(work.artifacts_out().join("tmp/result.txt"), b"result");
    write(work.artifacts_out().join("out/nested/report.json"), b"{\"ok\":true}");
    write(work.artifacts_out().join("kept"), b"where the template said");
    let outputs = work
        .outputs(&[("result", "/tmp/result.txt"), ("report", "/out/nested/report.json"), ("kept", "/kept")])
        .unwrap();
    // The template gives "kept" its key; the others go where the key format says.
    let declared = [DeclaredOutput { name: "kept".into(), key: Some("fixed/place".into()) }];

    let repository = repository(&server, &work);
    let stored = repository.upload_outputs("hello-n7nbj", &declared, &outputs, &work.work_dir).await.unwrap();

    let result_key = key_of(&stored[0]).to_owned();
    let (folder, name) = result_key.rsplit_once('/').unwrap();
    assert_eq!(name, "result");
    let (workflow, step) = folder.split_once('/').unwrap();
    assert_eq!(workflow, "hello-n7nbj");
    let digits = step.strip_prefix("hello-n7nbj-").unwrap_or_else(|| panic!("{result_key}"));
    assert!(digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()), "{result_key}");
    assert_eq!(key_of(&stored[1]), format!("{folder}/report"), "one step's outputs share its folder");
    assert_eq!(key_of(&stored[2]), "fixed/place");
    assert_eq!((stored[1].name.as_str(), stored[1].path.as_str()), ("report", "/out/nested/report.json"));
    assert_eq!(std::fs::read(server.object_file(BUCKET, &result_key)).unwrap(), b"result");
    assert_eq!(std::fs::read(server.object_file(BUCKET, key_of(&stored[1]))).unwrap(), b"{\"ok\":true}");
    assert_eq!(std::fs::read(server.object_file(BUCKET, "fixed/place")).unwrap(), b"where the template said");

    // What one step uploads, the next downloads.
    let next = Work::new();
    let inputs = [input("result", "/in/result", &result_key)];
    repository.download_inputs(&inputs, &next.work_dir).await.unwrap();
    assert_eq!(std::fs::read(next.artifacts_in().join("in/result")).unwrap(), b"result");

    // Each step gets its own folder.
    let again = repository.upload_outputs("hello-n7nbj", &[], &outputs[..1], &work.work_dir).await.unwrap();
    assert_ne!(key_of(&again[0]), result_key);
}

#[tokio::test]
async fn a_key_the_module_writes_is_ignored() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    server.put_object(BUCKET, "someone-elses/report", b"not to be overwritten");
    let work = Work::new();
    write(work.artifacts_out().join("x"), b"mine");
    let mut listed = ArtifactRef::new("x", "/x");
    listed.s3 = Some(S3Artifact { key: "someone-elses/report".into() });
    let outputs = work.work_dir.check_outputs(&PluginResult::succeeded("done").with_artifact(listed)).unwrap();

    let stored = repository(&server, &work).upload_outputs("wf", &[], &outputs, &work.work_dir).await.unwrap();

    assert!(key_of(&stored[0]).starts_with("wf/wf-"), "{:?}", stored[0]);
    assert_eq!(std::fs::read(server.object_file(BUCKET, "someone-elses/report")).unwrap(), b"not to be overwritten");
}

#[tokio::test]
async fn the_key_a_node_reports_is_the_key_the_object_was_stored_at() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let work = Work::new();
    write(work.artifacts_out().join("x"), b"mine");
    let outputs = work.outputs(&[("x", "/x")]).unwrap();
    // S3 keys have no leading or trailing "/": the object is stored at "lead/x".
    let declared = [DeclaredOutput { name: "x".into(), key: Some("/lead/x/".into()) }];

    let stored = repository(&server, &work).upload_outputs("wf", &declared, &outputs, &work.work_dir).await.unwrap();

    assert_eq!(key_of(&stored[0]), "lead/x");
    assert_eq!(std::fs::read(server.object_file(BUCKET, key_of(&stored[0]))).unwrap(), b"mine");
}

#[tokio::test]
async fn a_missing_object_names_the_artifact_bucket_and_key() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let work = Work::new();
    let inputs = [input("x", "/tmp/x", "wf/wf-1/nothing-here")];

    let error = repository(&server, &work).download_inputs(&inputs, &work.work_dir).await.unwrap_err();

    assert!(matches!(error, ArtifactError::NoObject { .. }), "{error:?}");
    assert_eq!(error.to_string(), "input artifact \"x\": no object at s3://my-bucket/wf/wf-1/nothing-here");
    assert!(!work.artifacts_in().join("tmp/x").exists(), "no file is left for a failed download");
}

#[tokio::test]
async fn an_input_without_a_key_is_refused() {
    let server = S3Server::start();
    let work = Work::new();
    let inputs = [ArtifactRef::new("raw", "/tmp/raw")];

    let error = repository(&server, &work).download_inputs(&inputs, &work.work_dir).await.unwrap_err();

    assert_eq!(
        error.to_string(),
        "input artifact \"raw\" has no s3.key: only artifacts stored in S3 can be downloaded"
    );
}

#[tokio::test]
async fn wrong_credentials_are_denied_with_the_servers_reason() {
    let server = S3Server::start();
    server.put_object(BUCKET, "k", b"secret data");
    let work = Work::new();
    let inputs = [input("x", "/x", "k")];

    let wrong_secret = repository_with_keys(server.endpoint(), server.access_key(), "not-the-secret", &work);
    let error = wrong_secret.download_inputs(&inputs, &work.work_dir).await.unwrap_err();
    assert!(matches!(error, ArtifactError::Denied { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.starts_with("input artifact \"x\": access to s3://my-bucket/k denied (credentials from environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): 403"),
        "{message}"
    );
    assert!(message.contains("SignatureDoesNotMatch"), "{message}");

    let wrong_key = repository_with_keys(server.endpoint(), "nobody", server.secret_key(), &work);
    write(work.artifacts_out().join("x"), b"x");
    let outputs = work.outputs(&[("x", "/x")]).unwrap();
    let error = wrong_key.upload_outputs("wf", &[], &outputs, &work.work_dir).await.unwrap_err();
    assert!(matches!(error, ArtifactError::Denied { .. }), "{error:?}");
    assert!(error.to_string().starts_with("output artifact \"x\": access to s3://my-bucket/wf/wf-"), "{error}");
}

#[tokio::test]
async fn an_unreachable_endpoint_is_named() {
    let work = Work::new();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = format!("127.0.0.1:{closed_port}");
    let repository = repository_with_keys(endpoint.clone(), "a", "b", &work);

    let started = std::time::Instant::now();
    let error = repository.download_inputs(&[input("x", "/x", "k")], &work.work_dir).await.unwrap_err();

    assert!(matches!(error, ArtifactError::Unreachable { .. }), "{error:?}");
    let message = error.to_string();
    let expected =
        format!("input artifact \"x\": cannot reach the S3 endpoint http://{endpoint} for s3://my-bucket/k: ");
    assert!(message.starts_with(&expected), "{message}");
    assert!(message.to_lowercase().contains("connection refused"), "{message}");
    assert!(started.elapsed().as_secs() < 20, "gave up after {:?}", started.elapsed());
}

#[tokio::test]
async fn credentials_come_from_mounted_secret_files_with_every_configuration_shape() {
    let server = S3Server::start();
    server.put_object(BUCKET, "k", b"contents");
    let work = Work::new();
    // Secret values as `echo` into a Secret leaves them, with a line end.
    work.secret(
        "my-s3-credentials",
        &[("accessKey", &format!("{}\n", server.access_key())), ("secretKey", &format!("{}\n", server.secret_key()))],
    );
    let block = s3_block(&server.endpoint());
    let shapes = [
        block.clone(),
        format!("artifactRepository: |\n  archiveLogs: true\n{}", indent(&block, 2)),
        format!("artifactRepository:\n{}", indent(&block, 2)),
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: workflow-controller-configmap\ndata:\n  artifactRepository: |\n{}",
            indent(&block, 4)
        ),
    ];
    for shape in shapes {
        let repository = ArtifactRepository::from_file(&work.config(&shape), &work.secrets())
            .unwrap_or_else(|e| panic!("{e}\n{shape}"));
        assert!(repository.to_string().contains("credentials from Secret files"), "{repository}");
        let target = work.artifacts_in().join("x");
        let _ = std::fs::remove_file(&target);
        repository.download_inputs(&[input("x", "/x", "k")], &work.work_dir).await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"contents", "{shape}");
    }
}

#[test]
fn missing_credentials_name_where_they_were_looked_for() {
    let work = Work::new();
    let config = work.config(&s3_block("127.0.0.1:9"));
    child("missing_credentials_child", &[("CONFIG", config.to_str().unwrap())], &work);
}

#[test]
#[ignore = "run by missing_credentials_name_where_they_were_looked_for in a child process"]
fn missing_credentials_child() {
    let config = PathBuf::from(std::env::var("CONFIG").unwrap());
    let secrets = PathBuf::from(std::env::var("SECRETS").unwrap());
    let error = ArtifactRepository::from_file(&config, &secrets).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "artifact repository: no credentials for bucket \"{BUCKET}\": no files {0}/my-s3-credentials/accessKey and {0}/my-s3-credentials/secretKey; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set",
            secrets.display()
        )
    );
}

#[test]
fn credentials_come_from_the_environment_when_no_secret_is_mounted() {
    let server = S3Server::start();
    server.put_object(BUCKET, "k", b"from env");
    let work = Work::new();
    let config = work.config(&s3_block(&server.endpoint()));
    child(
        "credentials_from_the_environment_child",
        &[
            ("CONFIG", config.to_str().unwrap()),
            ("AWS_ACCESS_KEY_ID", server.access_key()),
            ("AWS_SECRET_ACCESS_KEY", server.secret_key()),
        ],
        &work,
    );
}

#[tokio::test]
#[ignore = "run by credentials_come_from_the_environment_when_no_secret_is_mounted in a child process"]
async fn credentials_from_the_environment_child() {
    let config = PathBuf::from(std::env::var("CONFIG").unwrap());
    let secrets = PathBuf::from(std::env::var("SECRETS").unwrap());
    let repository = ArtifactRepository::from_file(&config, &secrets).unwrap();
    assert!(
        repository
            .to_string()
            .ends_with("credentials from environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
    );
    let work_dir = WorkDir::create().unwrap();
    repository.download_inputs(&[input("x", "/from/env", "k")], &work_dir).await.unwrap();
    assert_eq!(std::fs::read(work_dir.path().join("artifacts-in/from/env")).unwrap(), b"from env");
}

#[tokio::test]
async fn paths_that_escape_are_refused_and_nothing_is_written_outside() {
    let server = S3Server::start();
    server.put_object(BUCKET, "k", b"payload");
    let work = Work::new();
    let repository = repository(&server, &work);

    let error = repository.download_inputs(&[input("evil", "/../input.json", "k")], &work.work_dir).await.unwrap_err();
    assert!(matches!(error, ArtifactError::InvalidPath { .. }), "{error:?}");
    assert!(
        error.to_string().starts_with("input artifact \"evil\" has the path \"/../input.json\", which climbs out"),
        "{error}"
    );
    assert!(!work.work_dir.path().join("input.json").exists());

    write(work.dir.path().join("outside"), b"not for upload");
    let problem = work.outputs(&[("evil", "/../../outside")]).unwrap_err();
    assert!(problem.contains("artifact \"evil\" has the path \"/../../outside\""), "{problem}");

    // A link, to a file outside or inside, is never followed.
    std::os::unix::fs::symlink(work.dir.path().join("outside"), work.artifacts_out().join("link")).unwrap();
    assert_eq!(
        work.outputs(&[("linked", "/link")]).unwrap_err(),
        format!(
            "output artifact \"linked\" (/work/artifacts-out/link): it is a symbolic link (to \"{}\"); the host \
             uploads only regular files inside the work directory and follows no link",
            work.dir.path().join("outside").display()
        )
    );
    std::os::unix::fs::symlink("../input.json", work.artifacts_out().join("inside")).unwrap();
    assert!(work.outputs(&[("inside", "/inside")]).unwrap_err().contains("it is a symbolic link"));
    assert_eq!(std::fs::read_dir(server.object_file(BUCKET, "")).unwrap().count(), 1, "only k is in the bucket");
}

#[tokio::test]
async fn outputs_that_are_not_regular_files_are_named() {
    let work = Work::new();
    std::fs::create_dir_all(work.artifacts_out().join("folder")).unwrap();
    assert_eq!(
        work.outputs(&[("result", "/tmp/result")]).unwrap_err(),
        "output artifact \"result\" (/work/artifacts-out/tmp/result): the module wrote no file there"
    );
    assert!(work.outputs(&[("dir", "/folder")]).unwrap_err().ends_with("it is a directory, not a regular file"));

    let fifo = work.artifacts_out().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    assert!(work.outputs(&[("fifo", "/fifo")]).unwrap_err().ends_with("it is a FIFO, not a regular file"));

    // A hard link whose other name is outside the work directory.
    write(work.dir.path().join("secret"), b"the host's");
    std::fs::hard_link(work.dir.path().join("secret"), work.artifacts_out().join("hard")).unwrap();
    assert!(
        work.outputs(&[("hard", "/hard")])
            .unwrap_err()
            .ends_with("it is a hard link to a file outside the work directory")
    );
    // One whose names are all inside is a file like any other.
    write(work.artifacts_out().join("a"), b"mine");
    std::fs::hard_link(work.artifacts_out().join("a"), work.artifacts_out().join("b")).unwrap();
    assert_eq!(work.outputs(&[("b", "/b")]).unwrap()[0].size, 4);
}

/// 50 MB: more than six parts of a multipart upload.
const LARGE: u64 = 50 * 1024 * 1024;

#[test]
fn a_50_mb_artifact_is_streamed_both_ways_in_bounded_memory() {
    let server = S3Server::start();
    server.create_bucket(BUCKET);
    let work = Work::new();
    let output = child(
        "large_artifact_child",
        &[("ENDPOINT", &server.endpoint()), ("ACCESS", server.access_key()), ("SECRET", server.secret_key())],
        &work,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    // libtest prints a test's output after "test name ... " on the same line.
    let found = |label: &str| {
        stdout
            .lines()
            .find_map(|line| line.split_once(label).map(|(_, value)| value.trim().to_owned()))
            .unwrap_or_else(|| panic!("the child names no {label}: {stdout}"))
    };
    let (key, digest) = (found("uploaded key: "), found("file digest: "));
    let growth = stdout.lines().find(|line| line.starts_with("peak memory grew")).unwrap_or_default();
    println!("{growth}");
    let (stored, length) = sha256_of(&server.object_file(BUCKET, &key));
    assert_eq!(length, LARGE);
    assert_eq!(stored, digest, "the stored object is the file");
}

#[tokio::test]
#[ignore = "run by a_50_mb_artifact_is_streamed_both_ways_in_bounded_memory in a child process"]
async fn large_artifact_child() {
    let var = |name| std::env::var(name).unwrap();
    let work = Work::new();
    let repository = repository_with_keys(var("ENDPOINT"), &var("ACCESS"), &var("SECRET"), &work);
    write_pseudo_random(&work.artifacts_out().join("big.bin"), LARGE);
    let outputs = work.outputs(&[("big", "/big.bin")]).unwrap();
    let before = peak_memory();

    let stored = repository.upload_outputs("wf", &[], &outputs, &work.work_dir).await.unwrap();
    let key = key_of(&stored[0]).to_owned();
    repository.download_inputs(&[input("big", "/copy/big.bin", &key)], &work.work_dir).await.unwrap();

    let growth = peak_memory() - before;
    let digest = sha256_of(&work.artifacts_out().join("big.bin")).0;
    assert_eq!(sha256_of(&work.artifacts_in().join("copy/big.bin")).0, digest, "the download is the object");
    println!("uploaded key: {key}");
    println!("file digest: {digest}");
    println!("peak memory grew by {} MiB moving {} MiB each way", growth >> 20, LARGE >> 20);
    // Parts in flight are bounded (PART_SIZE × 3 = 24 MiB); a whole-file
    // buffer would add at least 50 MiB.
    assert!(growth < 4 * PART_SIZE as u64 + (8 << 20), "peak memory grew by {growth} bytes");
}

fn indent(text: &str, spaces: usize) -> String {
    text.lines().map(|line| format!("{:spaces$}{line}\n", "")).collect()
}

/// Writes `length` bytes of a fixed pseudo-random sequence, a block at a time.
fn write_pseudo_random(file: &Path, length: u64) {
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(file).unwrap());
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 64 * 1024];
    let mut left = length;
    while left > 0 {
        for byte in block.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *byte = state as u8;
        }
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n]).unwrap();
        left -= n as u64;
    }
    out.flush().unwrap();
}

/// The SHA-256 and length of a file, read a block at a time.
fn sha256_of(file: &Path) -> (String, u64) {
    let mut input = std::fs::File::open(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    let mut length = 0;
    loop {
        let n = input.read(&mut block).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&block[..n]);
        length += n as u64;
    }
    (format!("{:x}", hasher.finalize()), length)
}

/// This process's peak resident memory (VmHWM), in bytes.
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

/// Runs the ignored test `name` of this binary in a child process with
/// `env`, plus `SECRETS` of `work`, and without any AWS variable of this process.
fn child(name: &str, env: &[(&str, &str)], work: &Work) -> std::process::Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args(["--exact", name, "--ignored", "--nocapture", "--test-threads=1"]);
    for (variable, _) in std::env::vars() {
        if variable.starts_with("AWS_") {
            command.env_remove(variable);
        }
    }
    command.env("SECRETS", work.secrets());
    command.envs(env.iter().copied());
    let output = command.output().unwrap();
    assert!(output.status.success(), "the child test {name} failed: {}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("1 passed"), "the child ran no test:\n{}", describe(&output));
    output
}

fn describe(output: &std::process::Output) -> String {
    format!(
        "{}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
