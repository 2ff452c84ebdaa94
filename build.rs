//! Embeds themes/default in the binary, so that a site without a themes/
//! folder (such as a generated benchmark corpus) still builds with the
//! default theme. A site's own themes/default/ on disk takes precedence.
//!
//! Also sets `PLANPUB_VERSION` for `planpub --version`: the package version
//! and, when built from a git checkout, the commit and its date
//! ("0.1.0 (3f2c1ab 2026-05-02)"). A build from a source tarball (no .git,
//! or no git) gives the version alone, unless `PLANPUB_COMMIT` names the
//! commit the tarball was made from.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn collect(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("themes/default is readable")
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            collect(&path, base, out);
        } else {
            out.push(
                path.strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

/// `git <args>` in the package folder, trimmed, if git runs and succeeds.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

/// "<short hash> <commit date>" of HEAD, and the files whose change means
/// another commit (HEAD, the branch's ref, packed refs), if this is a git
/// checkout.
fn git_commit() -> Option<(String, Vec<PathBuf>)> {
    // Only the package's own repository: a tarball unpacked inside some
    // other checkout must not take that checkout's commit.
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).canonicalize().ok()?;
    if Path::new(&top).canonicalize().ok()? != here {
        return None;
    }
    let Some(commit) = git(&["log", "-1", "--format=%h %cs"]) else {
        // A checkout whose commit cannot be read: say so, rather than
        // ship a version without it unnoticed.
        println!(
            "cargo:warning=planpub: git log failed in {top}; --version will not name the commit"
        );
        return None;
    };
    let git_dir = PathBuf::from(git(&["rev-parse", "--absolute-git-dir"])?);
    let common = git(&["rev-parse", "--git-common-dir"])
        .map(|c| here.join(c))
        .unwrap_or_else(|| git_dir.clone());
    let mut watch = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(common.join(branch));
    }
    // A path that does not exist would make cargo rerun this every build.
    watch.retain(|p| p.exists());
    Some((commit, watch))
}

fn main() {
    println!("cargo:rerun-if-env-changed=PLANPUB_COMMIT");
    let version = env!("CARGO_PKG_VERSION");
    let version = match std::env::var("PLANPUB_COMMIT") {
        Ok(commit) if !commit.trim().is_empty() => format!("{version} ({})", commit.trim()),
        _ => match git_commit() {
            Some((commit, watch)) => {
                for path in watch {
                    println!("cargo:rerun-if-changed={}", path.display());
                }
                format!("{version} ({commit})")
            }
            None => version.to_string(),
        },
    };
    println!("cargo:rustc-env=PLANPUB_VERSION={version}");

    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    println!("cargo:rerun-if-changed=themes/default");
    let mut files = Vec::new();
    collect(&base, &base, &mut files);
    let mut code = String::from(
        "/// (path under themes/default/, bytes) of every file of the default theme.\npub const EMBEDDED_DEFAULT_THEME: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed=themes/default/{f}");
        writeln!(
            code,
            "    ({f:?}, include_bytes!({:?})),",
            base.join(f).to_string_lossy()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap()).join("embedded_theme.rs");
    std::fs::write(out, code).unwrap();
}
