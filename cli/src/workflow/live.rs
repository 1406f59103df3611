//! What a person sees while a workflow runs, on stderr (stdout keeps the
//! result: the tree, or the JSON):
//!
//! - [`LiveTree`], on a terminal: the tree as `argo get` draws it, with each
//!   node's phase and duration, redrawn in place as the run goes (`argo
//!   submit --watch` redraws the screen on every change and every second:
//!   `cmd/argo/commands/common/watch.go` 52-90); the steps' log lines
//!   scroll above it;
//! - [`PlainLines`], when stderr is not a terminal: one line per node and
//!   phase it enters (`✔ NODE Succeeded (12ms)`), StepGroups and TaskGroups
//!   left out as `argo get` leaves them out;
//!
//! and in both, each line a step writes to its log prefixed with its node's
//! name, as `argo logs` prefixes each with its pod's (`NODE: line`).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::nodes::{Node, NodeType, NodesView, timestamp};
use super::tree::{draw_at, icon, short_duration};
use super::watch::Watcher;

/// The line that says `node` entered its phase.
pub fn phase_line(node: &Node) -> String {
    let phase = node.phase.as_str();
    let mut line = format!("{} {} {phase}", icon(phase), node.name);
    if let Some(finished) = node.finished_at {
        let took = (finished - node.started_at).to_std().unwrap_or_default();
        line.push_str(&format!(" ({})", short_duration(took)));
    }
    if let Some(message) = node.message.as_deref().filter(|m| !m.is_empty()) {
        line.push_str(": ");
        line.push_str(message);
    }
    line
}

/// Whether `argo get` draws nodes of this type (it folds StepGroups into
/// their steps and leaves TaskGroups out).
fn shown(node_type: NodeType) -> bool {
    !matches!(node_type, NodeType::StepGroup | NodeType::TaskGroup)
}

/// One line per node phase change, and the steps' log lines, as they come.
pub struct PlainLines {
    out: Mutex<Box<dyn Write + Send>>,
}

impl PlainLines {
    /// Lines written to `out` (stderr, when the command line runs).
    pub fn new(out: Box<dyn Write + Send>) -> PlainLines {
        PlainLines { out: Mutex::new(out) }
    }

    fn write(&self, line: &str) {
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

impl Watcher for PlainLines {
    fn phase_changed(&self, node: &Node) {
        if shown(node.node_type) {
            self.write(&phase_line(node));
        }
    }

    fn log_line(&self, node_name: &str, line: &str) {
        self.write(&format!("{node_name}: {line}"));
    }
}

/// How often the live tree is redrawn when something changed.
const FRAME: Duration = Duration::from_millis(100);
/// How often it is redrawn anyway while the run goes (its durations grow),
/// as `argo submit --watch` redraws every second.
const REFRESH: Duration = Duration::from_secs(1);

/// The tree, redrawn in place on a terminal, the log lines above it.
pub struct LiveTree {
    shared: Arc<Mutex<Screen>>,
    stop: Arc<AtomicBool>,
    drawing: Mutex<Option<std::thread::JoinHandle<()>>>,
}

/// What the terminal shows, and what it is to show next.
struct Screen {
    /// The workflow as submitted (`metadata`, `spec.arguments`).
    workflow: Value,
    started: DateTime<Utc>,
    nodes: Option<NodesView>,
    /// Log lines not written yet.
    logs: Vec<String>,
    /// How many lines the tree on screen takes (to go back over).
    drawn: usize,
    changed: bool,
    out: Box<dyn Write + Send>,
    /// The terminal's size (columns, rows).
    size: fn() -> (usize, usize),
}

impl LiveTree {
    /// A live tree of `workflow` (the Workflow object as submitted) on stderr, a terminal.
    pub fn on_stderr(workflow: &Value) -> LiveTree {
        LiveTree::new(workflow, Box::new(std::io::stderr()), stderr_size)
    }

    /// A live tree of `workflow` written to `out`, a terminal `size()` (columns, rows) big.
    pub fn new(workflow: &Value, out: Box<dyn Write + Send>, size: fn() -> (usize, usize)) -> LiveTree {
        let skeleton = json!({
            "metadata": {"name": workflow.pointer("/metadata/name").cloned().unwrap_or(Value::Null)},
            "spec": {"arguments": workflow.pointer("/spec/arguments").cloned().unwrap_or(Value::Null)},
        });
        let screen = Screen {
            workflow: skeleton,
            started: Utc::now(),
            nodes: None,
            logs: Vec::new(),
            drawn: 0,
            changed: true,
            out,
            size,
        };
        let shared = Arc::new(Mutex::new(screen));
        let stop = Arc::new(AtomicBool::new(false));
        let drawing = {
            let (shared, stop) = (shared.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut last = Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(FRAME);
                    let mut screen = shared.lock().unwrap_or_else(|p| p.into_inner());
                    if screen.changed || last.elapsed() >= REFRESH {
                        screen.redraw(true);
                        last = Instant::now();
                    }
                }
            })
        };
        LiveTree { shared, stop, drawing: Mutex::new(Some(drawing)) }
    }

    /// The run ended: the last log lines are written, and the tree is
    /// drawn a last time (`keep`) or wiped (the result that follows on the
    /// same terminal is the tree itself).
    pub fn finish(&self, keep: bool) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(drawing) = self.drawing.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = drawing.join();
        }
        self.shared.lock().unwrap_or_else(|p| p.into_inner()).redraw(keep);
    }

    fn screen(&self) -> std::sync::MutexGuard<'_, Screen> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A live tree dropped without [`LiveTree::finish`] stops drawing (what it drew stays).
impl Drop for LiveTree {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Watcher for LiveTree {
    fn started(&self, _workflow: &str, at: DateTime<Utc>, nodes: NodesView) {
        let mut screen = self.screen();
        screen.started = at;
        screen.nodes = Some(nodes);
        screen.changed = true;
    }

    fn phase_changed(&self, _node: &Node) {
        self.screen().changed = true;
    }

    fn log_line(&self, node_name: &str, line: &str) {
        let mut screen = self.screen();
        screen.logs.push(visible(&format!("{node_name}: {line}")));
        screen.changed = true;
    }
}

impl Screen {
    /// Goes back over the tree on screen, writes the waiting log lines,
    /// and draws the tree as it is now (`tree`) or nothing.
    fn redraw(&mut self, tree: bool) {
        let mut text = String::new();
        if self.drawn > 0 {
            // To the start of the tree's first line, then clear to the end of the screen.
            text.push_str(&format!("\r\x1b[{}A\x1b[J", self.drawn));
        }
        for line in self.logs.drain(..) {
            text.push_str(&line);
            text.push('\n');
        }
        self.drawn = 0;
        if tree && let Some(nodes) = &self.nodes {
            let (columns, rows) = (self.size)();
            let lines = frame(&self.workflow, self.started, &nodes.all(), Utc::now(), columns, rows);
            self.drawn = lines.len();
            for line in lines {
                text.push_str(&line);
                text.push('\n');
            }
        }
        self.changed = false;
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
    }
}

/// The lines of the live tree of `workflow` (started at `started`, its
/// `nodes` by id) at time `now`, each cut to fit `columns` (so that none
/// wraps, and going back over them is exact), at most `rows - 1` of them.
pub fn frame(
    workflow: &Value,
    started: DateTime<Utc>,
    nodes: &std::collections::BTreeMap<String, Node>,
    now: DateTime<Utc>,
    columns: usize,
    rows: usize,
) -> Vec<String> {
    let name = workflow.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let scope = format!("local/{name}");
    let drawn: Map<String, Value> = nodes.iter().map(|(id, node)| (id.clone(), node.to_json(&scope))).collect();
    let root = nodes.get(name);
    let phase = root.map_or("Running", |root| root.phase.as_str());
    let mut workflow = workflow.clone();
    workflow["status"] = json!({"phase": phase, "startedAt": timestamp(&started), "nodes": drawn});
    // Once the workflow's node has ended, its duration stops growing.
    if let Some(finished) = root.and_then(|root| root.finished_at) {
        workflow["status"]["finishedAt"] = json!(timestamp(&finished));
    }
    let text = draw_at(&workflow, Some(now));
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let room = rows.saturating_sub(1).max(2);
    if lines.len() > room {
        let hidden = lines.len() - (room - 1);
        lines.truncate(room - 1);
        lines.push(format!("… {hidden} more lines: the whole tree is drawn at the end"));
    }
    lines.into_iter().map(|line| visible(&line).chars().take(columns.saturating_sub(1)).collect()).collect()
}

/// `text` with its control characters (but tabs) written out (`\u{1b}`): a
/// step's log line or message must not move the cursor, or the tree could
/// not be gone back over.
fn visible(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\t' {
            shown.extend(c.escape_unicode());
        } else {
            shown.push(c);
        }
    }
    shown
}

/// The size of the terminal on stderr (columns, rows), 80 by 24 if it cannot be read.
fn stderr_size() -> (usize, usize) {
    match rustix::termios::tcgetwinsize(std::io::stderr()) {
        Ok(size) if size.ws_col > 0 && size.ws_row > 0 => (usize::from(size.ws_col), usize::from(size.ws_row)),
        _ => (80, 24),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::nodes::Phase;
    use super::*;

    fn node(name: &str, node_type: NodeType, phase: Phase, boundary: Option<&str>, started: DateTime<Utc>) -> Node {
        Node {
            id: name.to_owned(),
            name: name.to_owned(),
            display_name: super::super::nodes::display_name(name, boundary),
            node_type,
            template_name: Some("t".into()),
            phase,
            boundary_id: boundary.map(str::to_owned),
            message: None,
            started_at: started,
            finished_at: phase.fulfilled().then(|| started + chrono::Duration::milliseconds(1_500)),
            inputs: None,
            outputs: None,
            children: Vec::new(),
            outbound_nodes: Vec::new(),
            hooked: false,
        }
    }

    /// A Vec<u8> that the test keeps a handle on.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn plain_lines_say_each_phase_and_prefix_each_log_line() {
        let captured = Captured::default();
        let plain = PlainLines::new(Box::new(captured.clone()));
        let started = Utc::now();
        plain.phase_changed(&node("wf", NodeType::Steps, Phase::Running, None, started));
        plain.phase_changed(&node("wf[0]", NodeType::StepGroup, Phase::Running, Some("wf"), started));
        plain.log_line("wf[0].say", "hello");
        let mut failed = node("wf[0].say", NodeType::Plugin, Phase::Failed, Some("wf"), started);
        failed.message = Some("exit status 1".into());
        plain.phase_changed(&failed);
        assert_eq!(captured.text(), "● wf Running\nwf[0].say: hello\n✖ wf[0].say Failed (1s): exit status 1\n");
    }

    #[test]
    fn control_characters_are_written_out_on_the_terminal() {
        assert_eq!(visible("a\x1b[2Jb\r\tc"), "a\\u{1b}[2Jb\\u{d}\tc");
        let screen = Screen {
            workflow: json!({"metadata": {"name": "wf"}, "spec": {}}),
            started: Utc::now(),
            nodes: None,
            logs: Vec::new(),
            drawn: 0,
            changed: false,
            out: Box::new(std::io::sink()),
            size: || (100, 30),
        };
        // A live tree without its drawing thread: what a log line becomes.
        let live = LiveTree { shared: Arc::new(Mutex::new(screen)), stop: Arc::default(), drawing: Mutex::new(None) };
        live.log_line("wf.x", "\x1b[1Ahidden");
        assert_eq!(live.screen().logs, ["wf.x: \\u{1b}[1Ahidden"]);
    }

    #[test]
    fn the_frame_draws_phases_and_durations_and_fits_the_terminal() {
        let started = "2026-12-07T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let now = started + chrono::Duration::seconds(75);
        let mut nodes = BTreeMap::new();
        let mut root = node("wf", NodeType::Steps, Phase::Running, None, started);
        root.children = vec!["wf[0]".into()];
        let mut group = node("wf[0]", NodeType::StepGroup, Phase::Running, Some("wf"), started);
        group.children = vec!["wf[0].a".into(), "wf[0].b".into()];
        nodes.insert("wf".into(), root);
        nodes.insert("wf[0]".into(), group);
        nodes.insert("wf[0].a".into(), node("wf[0].a", NodeType::Plugin, Phase::Succeeded, Some("wf"), started));
        nodes.insert("wf[0].b".into(), node("wf[0].b", NodeType::Http, Phase::Pending, Some("wf"), started));
        let workflow = json!({"metadata": {"name": "wf"}, "spec": {}});
        let lines = frame(&workflow, started, &nodes, now, 120, 40);
        assert_eq!(lines[0], format!("{:<20} wf", "Name:"));
        assert_eq!(lines[1], format!("{:<20} Running", "Status:"));
        assert!(lines.iter().any(|l| l == &format!("{:<20} 75.000 seconds", "Duration:")), "{lines:#?}");
        let row = |step: &str| lines.iter().find(|l| l.contains(step)).unwrap_or_else(|| panic!("{lines:#?}")).clone();
        // The root has run 75 s so far, a ended after 1.5 s, b (an HTTP node awaiting its reply) is Pending.
        assert!(row("● wf").contains("1m"), "{lines:#?}");
        assert!(row("✔ a").contains("1s"), "{lines:#?}");
        assert!(row("◷ b").contains("1m"), "{lines:#?}");
        // Cut to the terminal: no line as wide as it, no more lines than its rows less one.
        let small = frame(&workflow, started, &nodes, now, 12, 6);
        assert_eq!(small.len(), 5);
        assert!(small.iter().all(|l| l.chars().count() <= 11), "{small:#?}");
        assert!(small[4].starts_with("… "), "{small:#?}");
        // Once the workflow's node has ended, the header says when, and its duration stops.
        nodes.insert("wf".into(), node("wf", NodeType::Steps, Phase::Succeeded, None, started));
        let ended = frame(&workflow, started, &nodes, now, 120, 40);
        assert!(ended.iter().any(|l| l.starts_with("Finished:")), "{ended:#?}");
        assert!(ended.iter().any(|l| l == &format!("{:<20} 1.500 seconds", "Duration:")), "{ended:#?}");
    }

    #[test]
    fn the_screen_goes_back_over_the_tree_and_writes_logs_above_it() {
        let captured = Captured::default();
        let nodes = super::super::nodes::Nodes::watched(None);
        nodes.add(node("wf", NodeType::Steps, Phase::Running, None, Utc::now()));
        let mut screen = Screen {
            workflow: json!({"metadata": {"name": "wf"}, "spec": {}}),
            started: Utc::now(),
            nodes: Some(nodes.view()),
            logs: Vec::new(),
            drawn: 0,
            changed: true,
            out: Box::new(captured.clone()),
            size: || (100, 30),
        };
        screen.redraw(true);
        let first = captured.text();
        assert!(first.contains(" ● wf ") && !first.contains('\x1b'), "{first:?}");
        let height = first.lines().count();
        assert_eq!(screen.drawn, height);
        screen.logs.push("wf[0].say: hello".into());
        screen.redraw(true);
        // Back up as many lines as the tree took, clear, the log line, the tree again (its durations grown).
        let second = captured.text()[first.len()..].to_owned();
        let tree = second
            .strip_prefix(&format!("\r\x1b[{height}A\x1b[Jwf[0].say: hello\n"))
            .unwrap_or_else(|| panic!("{second:?}"));
        assert_eq!(tree.lines().count(), height);
        assert!(tree.starts_with("Name:") && tree.contains(" ● wf "), "{tree:?}");
        assert!(screen.logs.is_empty());
        screen.redraw(false);
        assert!(captured.text().ends_with(&format!("{tree}\r\x1b[{height}A\x1b[J")));
        assert_eq!(screen.drawn, 0);
    }

    #[test]
    fn a_live_tree_draws_until_it_is_finished() {
        let captured = Captured::default();
        let workflow = json!({"metadata": {"name": "wf"}, "spec": {}});
        let live = LiveTree::new(&workflow, Box::new(captured.clone()), || (100, 30));
        let nodes = super::super::nodes::Nodes::watched(None);
        nodes.add(node("wf", NodeType::Steps, Phase::Running, None, Utc::now()));
        live.started("wf", Utc::now(), nodes.view());
        live.log_line("wf[0].say", "hello");
        live.finish(true);
        let text = captured.text();
        // Whatever the drawing thread drew meanwhile, the log line and the last tree are there, in that order.
        let log = text.find("wf[0].say: hello\n").expect("the log line was written");
        assert!(text[log..].contains(" ● wf "), "{text:?}");
        let written = text.len();
        std::thread::sleep(FRAME * 2);
        assert_eq!(captured.text().len(), written, "nothing is drawn after finish");
    }
}
