//! Artifacts in `wasm-workflows run workflow.yaml`, through a local
//! artifact repository (`--artifact-repository DIR`, a folder playing the
//! bucket): the `workflow.yaml` each module ships runs here with the
//! module's release build and ends as its README says, its artifacts
//! stored at their keys and passed between steps. Argo's rules cited are
//! from argoproj/argo-workflows at f016ad8 (just after v4.1.2).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use wasm_workflows_test_support::cargo_build::{WasmTarget, target_dir};
use wasm_workflows_test_support::harness::{module, workspace_root};
use wasm_workflows_test_support::http_server;

struct Ran {
    output: Output,
    workflow: Value,
}

impl Ran {
    fn phase(&self) -> &str {
        self.workflow["status"]["phase"].as_str().unwrap_or_default()
    }

    fn name(&self) -> &str {
        self.workflow["metadata"]["name"].as_str().unwrap()
    }

    /// The node whose display name is `display`.
    fn node(&self, display: &str) -> &Value {
        let nodes = self.workflow["status"]["nodes"].as_object().unwrap();
        nodes.values().find(|n| n["displayName"] == display).unwrap_or_else(|| panic!("no node {display}: {nodes:#?}"))
    }

    fn artifact(&self, display: &str, name: &str) -> &Value {
        let artifacts = self.node(display)["outputs"]["artifacts"].as_array();
        artifacts
            .into_iter()
            .flatten()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{display} has no output artifact {name}: {:#}", self.node(display)))
    }

    fn parameter(&self, display: &str, name: &str) -> String {
        let parameters = self.node(display)["outputs"]["parameters"].as_array();
        let found = parameters.into_iter().flatten().find(|p| p["name"] == name);
        found.unwrap_or_else(|| panic!("{display} has no output {name}"))["value"].as_str().unwrap().to_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
}

/// Runs `file` (`-o json`) with the release build of `package` wherever it names `ghcr.io/wasm-workflows/PACKAGE`.
fn run(file: &Path, package: &str, args: &[&str]) -> Ran {
    let wasm = module(package, WasmTarget::Wasip1);
    let cache = target_dir(&workspace_root()).join("workflow-run-cache");
    let output = Command::new(env!("CARGO_BIN_EXE_wasm-workflows"))
        .args(["run", file.to_str().unwrap(), "-o", "json"])
        .args(["--module", &format!("ghcr.io/wasm-workflows/{package}={}", wasm.display())])
        .args(args)
        .env("WASM_WORKFLOWS_CACHE_DIR", cache)
        .output()
        .expect("run wasm-workflows");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let workflow = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not the workflow's JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Ran { output, workflow }
}

fn shipped(package: &str) -> PathBuf {
    workspace_root().join("modules").join(package).join("workflow.yaml")
}

/// The file of `artifact` (an output artifact as the node shows it) in `repository`.
fn stored(repository: &Path, artifact: &Value) -> Vec<u8> {
    let key = artifact["s3"]["key"].as_str().unwrap_or_else(|| panic!("no s3.key: {artifact}"));
    std::fs::read(repository.join(key)).unwrap_or_else(|e| panic!("{key} is not in the repository: {e}"))
}

/// A `width`×`height` 24-bit BMP of one colour, as an image the modules decode.
fn bmp(width: u32, height: u32, bgr: [u8; 3]) -> Vec<u8> {
    let row = (width * 3).div_ceil(4) * 4;
    let size = row * height;
    let mut bytes = b"BM".to_vec();
    for value in [54 + size, 0, 54, 40] {
        bytes.extend(value.to_le_bytes());
    }
    bytes.extend(width.to_le_bytes());
    bytes.extend(height.to_le_bytes());
    bytes.extend(1u16.to_le_bytes());
    bytes.extend(24u16.to_le_bytes());
    for value in [0, size, 2835, 2835, 0, 0] {
        bytes.extend(u32::to_le_bytes(value));
    }
    for _ in 0..height {
        let mut line: Vec<u8> = (0..width).flat_map(|_| bgr).collect();
        line.resize(row as usize, 0);
        bytes.extend(line);
    }
    bytes
}

#[test]
fn sql_passes_its_first_result_to_the_second_step() {
    let repository = tempfile::tempdir().unwrap();
    let ran = run(&shipped("sql"), "sql", &["--artifact-repository", repository.path().to_str().unwrap()]);
    assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
    // The first step's `raw` argument became its input file (ProcessArgs, workflow/common/util.go 248-253).
    let first = ran.artifact("revenue-by-region", "result");
    assert_eq!(first["path"], "/result.csv");
    // Without an s3.key of its own, the plugin host's `{workflow}/{pod}` with the node's id for the pod.
    let first_id = ran.node("revenue-by-region")["id"].as_str().unwrap().to_owned();
    assert_eq!(first["s3"]["key"], format!("{}/{first_id}/result", ran.name()));
    assert_eq!(
        String::from_utf8(stored(repository.path(), first)).unwrap(),
        "region,orders,revenue\nnorth,2,430.75\nsouth,2,335.0\neast,1,42.0\n"
    );
    // `from: {{steps.revenue-by-region.outputs.artifacts.result}}` took that file, under
    // the input's own name and path (steps.go 524-541; util.go 248-253).
    let inputs = &ran.node("top-region")["inputs"]["artifacts"][0];
    assert_eq!((inputs["name"].as_str(), inputs["path"].as_str()), (Some("summary"), Some("/summary.csv")));
    assert_eq!(inputs["s3"]["key"], first["s3"]["key"]);
    let second = ran.artifact("top-region", "result");
    assert_eq!(
        String::from_utf8(stored(repository.path(), second)).unwrap(),
        "[{\"region\":\"north\",\"revenue\":430.75}]\n"
    );
    // The parameter is the module's text table, whatever the artifact's format (modules/sql/README.md).
    assert_eq!(ran.parameter("top-region", "result"), "region,revenue\nnorth,430.75\n");
}

#[test]
fn text2qr_stores_its_png() {
    let repository = tempfile::tempdir().unwrap();
    let ran = run(&shipped("text2qr"), "text2qr", &["--artifact-repository", repository.path().to_str().unwrap()]);
    assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
    let name = ran.name().to_owned();
    // The entrypoint's node has the workflow's name as its id (workflow_types.go 3871).
    let qrcode = ran.artifact(&name, "qrcode");
    assert_eq!(qrcode["s3"]["key"], format!("{name}/{name}/qrcode"));
    assert!(stored(repository.path(), qrcode).starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(ran.node(&name)["message"].as_str().unwrap().contains("error correction Q"));
}

#[test]
fn template_renders_raw_artifacts_and_keeps_jinjas_tags() {
    let repository = tempfile::tempdir().unwrap();
    let ran = run(&shipped("template"), "template", &["--artifact-repository", repository.path().to_str().unwrap()]);
    assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
    // `{{ version }}` is not one of Argo's variables: it reaches the module as it is
    // (validate.go 805, GlobalVarValidWorkflowVariablePrefix in common.go 303).
    assert_eq!(
        ran.parameter("from-parameters", "result"),
        "Release 2.0 is out: 2 services.\n- api (3 replicas)\n- worker (1 replicas)\n"
    );
    let rendered = String::from_utf8(stored(repository.path(), ran.artifact("from-files", "result"))).unwrap();
    assert_eq!(rendered, "# Release 2.0\n- api: 3 replicas\n- worker: 1 replica\n");
}

#[test]
fn image_processor_reads_the_repository_at_its_keys() {
    let repository = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repository.path().join("photos")).unwrap();
    std::fs::create_dir_all(repository.path().join("branding")).unwrap();
    std::fs::write(repository.path().join("photos/IMG_5994.jpg"), bmp(64, 48, [200, 120, 30])).unwrap();
    std::fs::write(repository.path().join("branding/logo.png"), bmp(8, 8, [255, 255, 255])).unwrap();
    let ran = run(
        &shipped("image-processor"),
        "image-processor",
        &["--artifact-repository", repository.path().to_str().unwrap(), "--name", "thumbs"],
    );
    assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
    // The template's own s3.key, `thumbnails/{{workflow.name}}.jpg`.
    let output = ran.artifact("thumbs", "output");
    assert_eq!(output["s3"]["key"], "thumbnails/thumbs.jpg");
    assert!(stored(repository.path(), output).starts_with(&[0xFF, 0xD8, 0xFF]));
    assert_eq!((ran.parameter("thumbs", "width"), ran.parameter("thumbs", "height")), ("1200".into(), "900".into()));
}

#[test]
fn artifact_files_a_user_gives_replace_the_workflows_arguments() {
    let folder = tempfile::tempdir().unwrap();
    let (photo, logo) = (folder.path().join("photo.bmp"), folder.path().join("logo.bmp"));
    std::fs::write(&photo, bmp(40, 20, [0, 0, 255])).unwrap();
    std::fs::write(&logo, bmp(4, 4, [0, 255, 0])).unwrap();
    let repository = folder.path().join("repository");
    let ran = run(
        &shipped("image-processor"),
        "image-processor",
        &[
            "--artifact-repository",
            repository.to_str().unwrap(),
            "--artifact",
            &format!("input={}", photo.display()),
            "--artifact",
            &format!("watermark={}", logo.display()),
            "-p",
            "effect=grayscale",
        ],
    );
    assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
    let name = ran.name().to_owned();
    assert_eq!(ran.workflow["spec"]["arguments"]["artifacts"][0]["s3"]["key"], format!("{name}/arguments/input"));
    assert_eq!(
        std::fs::read(repository.join(format!("{name}/arguments/input"))).unwrap(),
        std::fs::read(&photo).unwrap()
    );
    assert_eq!(ran.parameter(&name, "width"), "1200");
    assert_eq!(ran.parameter(&name, "height"), "600");
}

#[test]
fn a_missing_artifact_fails_saying_which() {
    let repository = tempfile::tempdir().unwrap();
    // Nothing at the keys the workflow names: the step fails, naming the artifact and key.
    let ran = run(
        &shipped("image-processor"),
        "image-processor",
        &["--artifact-repository", repository.path().to_str().unwrap()],
    );
    assert_eq!(ran.phase(), "Failed");
    assert_eq!(ran.output.status.code(), Some(1));
    let message = ran.node(ran.name())["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("input artifact \"input\": key \"photos/IMG_5994.jpg\" is not in the artifact repository"),
        "{message}"
    );
}

#[test]
fn an_input_artifact_nobody_gives_is_argos_error() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(
        &file,
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: no-orders}
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: query
            template: sql
            arguments:
              parameters: [{name: query, value: SELECT 1}]
    - name: sql
      inputs:
        parameters: [{name: query}]
        artifacts: [{name: orders, path: /orders.csv}]
      plugin:
        wasm:
          module:
            oci: ghcr.io/wasm-workflows/sql:latest
"#,
    )
    .unwrap();
    // Argo's validation checks the step's template again with the step's own arguments and finds
    // the artifact missing (ProcessArgs, workflow/common/util.go 240-243, from validate.go 1149-1153):
    // the workflow is refused before it runs, as `argo submit` refuses it.
    let output =
        Command::new(env!("CARGO_BIN_EXE_wasm-workflows")).args(["run", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        "error: templates.main.steps[0].query templates.sql inputs.artifacts.orders was not supplied"
    );
}

/// Serves `body` at `/README.md` (404 elsewhere) on loopback for one request; answers the origin.
fn serve_once(body: Vec<u8>) -> (String, std::thread::JoinHandle<Vec<(String, String)>>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", server.server_addr().to_ip().unwrap());
    let served = std::thread::spawn(move || {
        let request = server.recv_timeout(std::time::Duration::from_secs(300)).unwrap().expect("a request");
        let headers = request.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect();
        let status = if request.url() == "/README.md" { 200 } else { 404 };
        request.respond(tiny_http::Response::from_data(body).with_status_code(status)).unwrap();
        headers
    });
    (origin, served)
}

#[test]
fn markdown_renders_a_parameter_and_a_file_fetched_over_http() {
    let readme = "# Hello\n\nSee www.example.com.[^1]\n\n[^1]: A footnote.\n";
    let (origin, served) = serve_once(readme.as_bytes().to_vec());
    // The shipped workflow, its README fetched from loopback instead of GitHub.
    let shipped = std::fs::read_to_string(shipped("markdown")).unwrap();
    let github = "https://raw.githubusercontent.com/wasm-workflows/wasm-workflows/main";
    assert!(shipped.contains(github));
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, shipped.replace(github, &origin)).unwrap();
    let repository = folder.path().join("repository");
    let ran = run(&file, "markdown", &["--artifact-repository", repository.to_str().unwrap(), "--allow-host", &origin]);
    served.join().unwrap();
    assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
    assert!(ran.parameter("from-a-parameter", "html").contains("<table>"));
    let html = String::from_utf8(stored(&repository, ran.artifact("from-a-file", "html"))).unwrap();
    assert!(html.starts_with("<h1>Hello</h1>"), "{html}");
    // autolink and footnotes on, as the template's inputs say.
    assert!(html.contains(r#"<a href="http://www.example.com">www.example.com</a>"#), "{html}");
    assert!(html.contains("footnote"), "{html}");
}

#[test]
fn an_http_artifact_that_is_not_there_fails_the_step() {
    let (origin, served) = serve_once(b"missing".to_vec());
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    let shipped = std::fs::read_to_string(shipped("markdown")).unwrap();
    let github = "https://raw.githubusercontent.com/wasm-workflows/wasm-workflows/main/README.md";
    std::fs::write(&file, shipped.replace(github, &format!("{origin}/gone.md"))).unwrap();
    let ran = run(&file, "markdown", &["--allow-host", &origin]);
    let headers = served.join().unwrap();
    assert!(headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")));
    assert_eq!(ran.phase(), "Failed");
    let node = ran.node("from-a-file");
    assert_eq!(node["phase"], "Failed");
    assert_eq!(
        node["message"].as_str().unwrap(),
        format!("input artifact \"input\": GET {origin}/gone.md answered 404 Not Found")
    );
    assert_eq!(ran.node("from-a-parameter")["phase"], "Succeeded");
}

// Adapted from Argo's examples/artifact-passing.yaml and
// examples/dag-nested.yaml: a steps template exports its step's artifact
// (`outputs.artifacts[].from`), and a DAG task consumes it.
const NESTED: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: artifact-passing
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: make
            template: make-summary
          - name: use
            dependencies: [make]
            template: sql
            arguments:
              parameters: [{name: query, value: "SELECT count(*) AS n FROM t"}]
              artifacts: [{name: t, from: "{{tasks.make.outputs.artifacts.summary}}"}]
    - name: make-summary
      outputs:
        artifacts: [{name: summary, from: "{{steps.query.outputs.artifacts.result}}"}]
      steps:
        - - name: query
            template: sql
            arguments:
              parameters: [{name: query, value: "SELECT v FROM t WHERE v > 1"}]
              artifacts: [{name: t, raw: {data: "v\n1\n2\n3\n"}}]
    - name: sql
      inputs:
        parameters: [{name: query}]
        artifacts: [{name: t, path: /t.csv}]
      outputs:
        artifacts: [{name: result, path: /result.csv}]
      plugin:
        wasm:
          module:
            oci: ghcr.io/wasm-workflows/sql:latest
"#;

#[test]
fn a_steps_template_exports_its_steps_artifact_to_a_dag_task() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, NESTED).unwrap();
    let repository = folder.path().join("repository");
    let ran = run(&file, "sql", &["--artifact-repository", repository.to_str().unwrap()]);
    assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
    // getTemplateOutputsFromScope (operator.go 3488-3506): the artifact `from` names, under the output's name.
    let summary = ran.artifact("make", "summary");
    assert_eq!(summary["s3"], ran.artifact("query", "result")["s3"]);
    assert_eq!(String::from_utf8(stored(&repository, summary)).unwrap(), "v\n2\n3\n");
    assert_eq!(String::from_utf8(stored(&repository, ran.artifact("use", "result"))).unwrap(), "n\n2\n");
}

// Adapted from Argo's examples/conditional-artifacts.yaml: `fromExpression`
// picks the artifact of one task or another, and `subPath` names a file
// within a folder of the repository (scope.go 195-258).
const EXPRESSIONS: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: artifact-expressions
spec:
  entrypoint: main
  arguments:
    parameters: [{name: pick, value: large}]
    artifacts: [{name: data, s3: {key: inputs}}]
  templates:
    - name: main
      inputs:
        artifacts: [{name: data}]
      steps:
        - - name: choose
            template: choose
            arguments:
              artifacts: [{name: data, from: "{{inputs.artifacts.data}}"}]
        - - name: count
            template: sql
            arguments:
              parameters: [{name: query, value: "SELECT count(*) AS n FROM t"}]
              artifacts: [{name: t, from: "{{steps.choose.outputs.artifacts.picked}}"}]
    # Argo takes `fromExpression` in outputs (an argument needs `from` or a
    # location: validate.go 1051-1054, validateArgumentsValues).
    - name: choose
      inputs:
        artifacts: [{name: data}]
      outputs:
        artifacts:
          - name: picked
            fromExpression: >-
              workflow.parameters.pick == 'large'
              ? tasks.large.outputs.artifacts.result : tasks.small.outputs.artifacts.result
      dag:
        tasks:
          - name: small
            template: sql
            arguments:
              parameters: [{name: query, value: "SELECT v FROM t WHERE v < 2"}]
              artifacts: [{name: t, from: "{{inputs.artifacts.data}}", subPath: numbers.csv}]
          - name: large
            template: sql
            arguments:
              parameters: [{name: query, value: "SELECT v FROM t WHERE v > 1"}]
              artifacts: [{name: t, from: "{{inputs.artifacts.data}}", subPath: numbers.csv}]
    - name: sql
      inputs:
        parameters: [{name: query}]
        artifacts: [{name: t, path: /t.csv}]
      outputs:
        artifacts: [{name: result, path: /result.csv}]
      plugin:
        wasm:
          module:
            oci: ghcr.io/wasm-workflows/sql:latest
"#;

#[test]
fn from_expression_picks_an_artifact_and_sub_path_a_file_within_one() {
    use wasm_workflows_test_support::argo_schema::{WORKFLOW, errors, validator};
    let problems = errors(&validator(WORKFLOW), EXPRESSIONS);
    assert!(problems.is_empty(), "not a valid Argo Workflow: {}", problems.join("\n"));
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, EXPRESSIONS).unwrap();
    let repository = folder.path().join("repository");
    std::fs::create_dir_all(repository.join("inputs")).unwrap();
    std::fs::write(repository.join("inputs/numbers.csv"), "v\n1\n2\n3\n").unwrap();
    let repository_arg = repository.to_str().unwrap();
    for (pick, picked, rows, count) in
        [("large", "large", "v\n2\n3\n", "n\n2\n"), ("small", "small", "v\n1\n", "n\n1\n")]
    {
        let parameter = format!("pick={pick}");
        let ran = run(&file, "sql", &["--artifact-repository", repository_arg, "-p", &parameter]);
        assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
        // subPath: the key of `data` (the folder `inputs`) with numbers.csv appended (AppendToKey).
        assert_eq!(ran.node("small")["inputs"]["artifacts"][0]["s3"]["key"], "inputs/numbers.csv");
        // fromExpression: the DAG's output is the artifact of the task the expression picked.
        let given = &ran.node("count")["inputs"]["artifacts"][0];
        assert_eq!(given["s3"], ran.artifact(picked, "result")["s3"], "{given}");
        assert_eq!(String::from_utf8(stored(&repository, ran.artifact(picked, "result"))).unwrap(), rows);
        assert_eq!(String::from_utf8(stored(&repository, ran.artifact("count", "result"))).unwrap(), count);
    }
}

/// A step whose input artifact `input` is fetched from `url`: the probe
/// (test-guests) copies it, upper-cased, to its output artifact `output`.
fn fetching(url: &str, template_extra: &str) -> String {
    format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  name: fetching
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: copy
            template: copy
            arguments:
              artifacts: [{{name: input, http: {{url: "{url}"}}}}]
    - name: copy
      inputs:
        parameters: [{{name: mode, value: copy}}]
        artifacts: [{{name: input, path: /in.txt}}]
      outputs:
        artifacts: [{{name: output, path: /out/copy.txt}}]
{template_extra}
      plugin:
        wasm:
          module:
            oci: ghcr.io/wasm-workflows/sdk-probe:latest
"#
    )
}

/// What a loopback server was asked, path by path.
type Asked = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// A loopback server: `/small` is "hello"; `/large` and `/streamed` are
/// 1 MiB and 1 byte (with a `Content-Length`, and chunked without one);
/// `/slow` answers after 60 s; `/redirect?to=URL` redirects there.
fn artifact_server() -> (String, Asked) {
    let asked: Asked = Asked::default();
    let log = asked.clone();
    let origin = http_server::start(move |request| {
        let path = request.url().to_owned();
        log.lock().unwrap().push(path.clone());
        let large = vec![b'x'; (1 << 20) + 1];
        let _ = match path.split_once('?').map_or(path.as_str(), |(p, _)| p) {
            "/small" => request.respond(tiny_http::Response::from_string("hello")),
            "/large" => request.respond(tiny_http::Response::from_data(large)),
            "/streamed" => request.respond(tiny_http::Response::new(
                200.into(),
                Vec::new(),
                std::io::Cursor::new(large),
                None,
                None,
            )),
            "/slow" => {
                std::thread::sleep(std::time::Duration::from_secs(60));
                request.respond(tiny_http::Response::from_string("late"))
            }
            "/redirect" => {
                let to = path.split_once("?to=").map(|(_, to)| to.to_owned()).unwrap_or_default();
                let location = tiny_http::Header::from_bytes("Location", to).unwrap();
                request.respond(tiny_http::Response::empty(302).with_header(location))
            }
            _ => request.respond(tiny_http::Response::empty(404)),
        };
    });
    (origin, asked)
}

fn run_yaml(yaml: &str, args: &[&str]) -> (Ran, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("workflow.yaml");
    std::fs::write(&file, yaml).unwrap();
    (run(&file, "sdk-probe", args), folder)
}

// The host is a security boundary: an input artifact's http.url is fetched
// only from an origin --allow-host allows, as an http template's request.
#[test]
fn an_http_input_artifact_is_fetched_only_from_an_allowed_host() {
    let (origin, asked) = artifact_server();
    let url = format!("{origin}/small");
    let (denied, _folder) = run_yaml(&fetching(&url, ""), &[]);
    assert_eq!(denied.phase(), "Failed", "{}", denied.stderr());
    let copy = denied.node("copy");
    assert_eq!(copy["phase"], "Failed");
    assert_eq!(
        copy["message"].as_str().unwrap(),
        format!(
            "input artifact \"input\": GET \"{url}\": denied: its origin {origin} is not an allowed host \
             (allow it with --allow-host {origin})"
        )
    );
    assert!(asked.lock().unwrap().is_empty(), "the server was contacted: {:?}", asked.lock().unwrap());

    let folder = tempfile::tempdir().unwrap();
    let repository = folder.path().join("repository");
    let (allowed, _folder) = run_yaml(
        &fetching(&url, ""),
        &["--allow-host", &origin, "--artifact-repository", repository.to_str().unwrap()],
    );
    assert_eq!(allowed.phase(), "Succeeded", "{}", allowed.stderr());
    assert_eq!(allowed.node("copy")["message"], "copied 5 bytes");
    assert_eq!(stored(&repository, allowed.artifact("copy", "output")), b"HELLO");
    assert_eq!(*asked.lock().unwrap(), ["/small"]);
}

#[test]
fn a_redirect_to_a_host_not_allowed_is_not_followed_for_an_artifact() {
    let (allowed_origin, _) = artifact_server();
    let (other_origin, other_asked) = artifact_server();
    let url = format!("{allowed_origin}/redirect?to={other_origin}/small");
    let (ran, _folder) = run_yaml(&fetching(&url, ""), &["--allow-host", &allowed_origin]);
    assert_eq!(ran.phase(), "Failed", "{}", ran.stderr());
    let message = ran.node("copy")["message"].as_str().unwrap().to_owned();
    assert!(message.starts_with(&format!("input artifact \"input\": GET {url}: ")), "{message}");
    assert!(message.contains(&format!("redirected to \"{other_origin}/small\": denied: its origin")), "{message}");
    assert!(other_asked.lock().unwrap().is_empty());
}

#[test]
fn a_body_past_the_work_directory_budget_fails_the_step() {
    let (origin, _) = artifact_server();
    // With a Content-Length that says so (refused before the body is read), and chunked without one.
    for path in ["/large", "/streamed"] {
        let url = format!("{origin}{path}");
        let (ran, _folder) = run_yaml(&fetching(&url, ""), &["--allow-host", &origin, "--max-work-dir", "1"]);
        assert_eq!(ran.phase(), "Failed", "{}", ran.stderr());
        assert_eq!(
            ran.node("copy")["message"].as_str().unwrap(),
            format!(
                "input artifact \"input\": GET {url}: the body goes past 1 MiB, the most the input artifacts a step \
                 fetches may hold together (--max-work-dir)"
            )
        );
    }
    // The same body within a larger budget is fetched.
    let url = format!("{origin}/large");
    let (ran, _folder) = run_yaml(&fetching(&url, ""), &["--allow-host", &origin, "--max-work-dir", "3"]);
    assert_eq!(ran.phase(), "Succeeded", "{}", ran.stderr());
    assert_eq!(ran.node("copy")["message"], format!("copied {} bytes", (1 << 20) + 1));
}

/// How long node `display` of `ran` took, by its `startedAt` and `finishedAt`.
fn node_seconds(ran: &Ran, display: &str) -> f64 {
    let node = ran.node(display);
    let at = |field: &str| {
        let text = node[field].as_str().unwrap_or_else(|| panic!("{display} has no {field}: {node:#}"));
        chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{field} {text}: {e}"))
    };
    (at("finishedAt") - at("startedAt")).as_seconds_f64()
}

/// How much later than its bound a timer may end a node on a loaded 2-core
/// machine, and how long a whole run may take (start-up under load included):
/// both well below what a timer that does not stop the node would show (the
/// 30 s idle limit, the server's 60 s, or a cold compilation under load, about 30 s).
const LATE: f64 = 5.0;
const WHOLE_RUN: std::time::Duration = std::time::Duration::from_secs(20);

// A step's timeout counts from its node's start, as Argo counts a template's
// (`checkTemplateTimeouts`, workflow/controller/operator.go 2703-2710): the
// module's preparation, the fetches and the run share it; the workflow's
// deadline ends the node wherever it is; and a compilation still going when
// the run ends does not keep the process alive (in CI, under load, the deadline
// run took 33 s: its process waited for the compilation the deadline had cut short).
#[test]
fn a_slow_artifact_server_is_bounded_by_the_steps_timeout_and_the_workflows_deadline() {
    let (origin, _) = artifact_server();
    let url = format!("{origin}/slow");
    let timed_out = format!("input artifact \"input\": GET {url}: not fetched within the step's timeout of 1 s");
    let timed_run = |yaml: &str, extra: &[&str]| {
        let started = std::time::Instant::now();
        let (ran, _folder) = run_yaml(yaml, &[&["--allow-host", origin.as_str()], extra].concat());
        let took = started.elapsed();
        assert!(took < WHOLE_RUN, "took {took:?}: {:#}", ran.workflow["status"]);
        ran
    };
    // The module cached: the fetch is what the timeout stops.
    let (warm, _folder) = run_yaml(&fetching(&format!("{origin}/small"), ""), &["--allow-host", &origin]);
    assert_eq!(warm.phase(), "Succeeded", "{}", warm.stderr());
    let ran = timed_run(&fetching(&url, "      timeout: 1s"), &[]);
    assert_eq!(ran.phase(), "Failed", "{}", ran.stderr());
    assert_eq!(ran.node("copy")["message"].as_str().unwrap(), timed_out);
    let seconds = node_seconds(&ran, "copy");
    assert!((1.0..1.0 + LATE).contains(&seconds), "the node took {seconds} s");

    // Compiled afresh (no cache): the compilation counts too; whichever of it
    // and the fetch the timeout ends, the node ends at its timeout.
    let ran = timed_run(&fetching(&url, "      timeout: 1s"), &["--no-cache"]);
    assert_eq!(ran.phase(), "Failed", "{}", ran.stderr());
    let message = ran.node("copy")["message"].as_str().unwrap().to_owned();
    let not_ready = "the module ghcr.io/wasm-workflows/sdk-probe:latest was not ready within the step's timeout of 1 s";
    assert!(message == timed_out || message == not_ready, "{message}");
    let seconds = node_seconds(&ran, "copy");
    assert!((1.0..1.0 + LATE).contains(&seconds), "the node took {seconds} s");

    // activeDeadlineSeconds: the node still waiting fails as Argo fails it (operator.go 1424-1430),
    // also while its module is being compiled; the deadline is whole seconds from the start (at most 1 s).
    let with_deadline = fetching(&url, "").replace("spec:\n", "spec:\n  activeDeadlineSeconds: 1\n");
    for extra in [&[][..], &["--no-cache"][..]] {
        let ran = timed_run(&with_deadline, extra);
        assert_eq!(ran.phase(), "Failed", "{}", ran.stderr());
        assert_eq!(ran.node("copy")["message"], "Step exceeded its deadline");
        let seconds = node_seconds(&ran, "copy");
        assert!(seconds < 1.0 + LATE, "the node took {seconds} s");
    }
}
