//! Helpers shared by the integration tests: running the real binary,
//! locating fixtures and the shared corpora.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `podgraph` binary under test.
pub fn podgraph() -> Command {
    Command::new(env!("CARGO_BIN_EXE_podgraph"))
}

/// Runs podgraph with arguments, returning its output.
pub fn run(args: &[&str]) -> Output {
    podgraph().args(args).output().expect("podgraph runs")
}

/// A fixture path under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// A path in the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A folder of the shared real corpora beside the repository, or `None`
/// (with a message saying the test is skipped) when it is absent, as in a
/// user's clone.
pub fn shared_corpus(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus").join(rel);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} not found; this test needs the real corpora in ../shared/corpus beside the repository",
            p.display()
        );
        None
    }
}

/// Whether an external program runs; when `PODGRAPH_REQUIRE_TOOLS=1` (set
/// by CI) a missing program fails the test instead of skipping it.
pub fn have_tool(program: &str, arg: &str) -> bool {
    let ok = Command::new(program)
        .arg(arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        if std::env::var("PODGRAPH_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("`{program}` is required (PODGRAPH_REQUIRE_TOOLS=1) but does not run");
        }
        eprintln!("SKIPPED: `{program}` is not installed");
    }
    ok
}

/// Whether Python with networkx is there; a missing one fails the test
/// under `PODGRAPH_REQUIRE_TOOLS=1`, as in [`have_tool`].
pub fn have_networkx() -> bool {
    if !have_tool("python3", "--version") {
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import networkx"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("PODGRAPH_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("networkx is required (PODGRAPH_REQUIRE_TOOLS=1)");
        }
        eprintln!("SKIPPED: networkx is not installed");
    }
    ok
}

/// Stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
