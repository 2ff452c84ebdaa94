"""Shared helpers for benches/run.py and benches/serve_latency.py (stdlib only).

- find or build the planpub binary,
- generate corpora with benches/gen_corpus.py, reusing one that is still what
  the same arguments would give (checked with a content digest),
- time one process: wall time and peak memory (max RSS).
"""
import datetime
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GEN = os.path.join(HERE, "gen_corpus.py")
SEED = os.path.join(REPO, "content", "2023", "source.zh.txt")
GNU_TIME = "/usr/bin/time"

# Files a build tool leaves inside its source folder; not part of the corpus.
DIGEST_SKIP_NAMES = {".hugo_build.lock", ".gen_corpus"}
DIGEST_SKIP_DIRS = {"resources", "public"}


class BenchError(Exception):
    """A problem the user can fix; printed without a traceback."""


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(2)


def default_workdir():
    return os.path.join(REPO, "target", "bench")


def check_workdir(path):
    path = os.path.abspath(path)
    real = os.path.realpath(path)
    if real == "/tmp" or real.startswith("/tmp/"):
        print(f"warning: work dir {path} is under /tmp, where creating files is much "
              "slower on some machines; the figures will not be comparable", file=sys.stderr)
    os.makedirs(path, exist_ok=True)
    return path


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------- binary

def cargo_target_dir():
    try:
        out = subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout
        return json.loads(out)["target_directory"]
    except (OSError, subprocess.CalledProcessError, ValueError, KeyError):
        return os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")


def planpub_binary(binary):
    """Return the planpub executable: --binary as given, or `cargo build --release`."""
    if binary:
        path = os.path.abspath(binary)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise BenchError(f"--binary {binary}: not an executable file")
        return path
    if shutil.which("cargo") is None:
        raise BenchError("cargo not found; install Rust or pass --binary PATH")
    print("building planpub: cargo build --release (pass --binary PATH to skip)", flush=True)
    r = subprocess.run(["cargo", "build", "--release"], cwd=REPO)
    if r.returncode != 0:
        raise BenchError("cargo build --release failed")
    path = os.path.join(cargo_target_dir(), "release", "planpub")
    if not os.path.isfile(path):
        raise BenchError(f"cargo build succeeded but {path} does not exist")
    return path


def tool_version(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def git_describe():
    try:
        r = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=REPO,
                           capture_output=True, text=True, timeout=30)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO, capture_output=True, text=True, timeout=30).stdout
        return r.stdout.strip() + (" (+ uncommitted changes)" if dirty.strip() else "")
    except OSError:
        return "?"


# ---------------------------------------------------------------- corpora

def tree_digest(root):
    """sha256 over the sorted relative paths and contents of the corpus files.

    Leaves out what build tools write into their source folder (Hugo's lock
    file and resources/), so a corpus that was built from keeps its digest.
    """
    h = hashlib.sha256()
    count = 0
    entries = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames if d not in DIGEST_SKIP_DIRS]
        for name in filenames:
            if rel_dir == "." and name in DIGEST_SKIP_NAMES:
                continue
            entries.append(os.path.normpath(os.path.join(rel_dir, name)))
    for rel in sorted(entries):
        h.update(rel.encode() + b"\0")
        with open(os.path.join(root, rel), "rb") as f:
            h.update(f.read())
        h.update(b"\0")
        count += 1
    return h.hexdigest(), count


def corpus(workdir, items, fmt, regen=False):
    """Generate (or reuse) the corpus of `items` items in `fmt` layout.

    Returns a dict with path, digest, file count and whether it was reused.
    A corpus is reused only when gen_corpus.py, the seed text and the
    arguments are unchanged and its files still have the recorded digest.
    With regen (or when anything differs) it is generated again; if the
    inputs were unchanged the new digest must equal the old one, which
    checks that the same arguments keep giving the same corpus.
    """
    cdir = os.path.join(workdir, "corpus")
    os.makedirs(cdir, exist_ok=True)
    path = os.path.join(cdir, f"{fmt}-{items}")
    stamp_path = path + ".stamp.json"
    args = ["--items", str(items), "--format", fmt]
    inputs = {"gen_corpus_sha256": file_sha(GEN), "seed_sha256": file_sha(SEED), "args": args}
    old = None
    if os.path.exists(stamp_path):
        try:
            with open(stamp_path) as f:
                old = json.load(f)
        except (OSError, ValueError):
            old = None
    same_inputs = old is not None and old.get("inputs") == inputs
    if same_inputs and not regen and os.path.isdir(path):
        digest, count = tree_digest(path)
        if digest == old.get("digest"):
            return {"path": path, "digest": digest, "files": count, "reused": True,
                    "args": args}
        print(f"  {path} differs from when it was generated; generating it again")
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, GEN, *args, "--out", path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"gen_corpus.py {' '.join(args)} failed:\n{r.stderr.strip()}")
    digest, count = tree_digest(path)
    print(f"  generated {fmt}-{items} in {time.perf_counter() - t0:.1f} s "
          f"({count} files, sha256 {digest[:12]})", flush=True)
    deterministic = None
    if same_inputs:
        deterministic = digest == old.get("digest")
        if not deterministic:
            print(f"  WARNING: gen_corpus.py {' '.join(args)} gave a different corpus than last "
                  f"time ({old.get('digest', '?')[:12]} -> {digest[:12]}) with the same inputs",
                  file=sys.stderr)
    with open(stamp_path, "w") as f:
        json.dump({"inputs": inputs, "digest": digest, "files": count}, f, indent=1)
    return {"path": path, "digest": digest, "files": count, "reused": False,
            "args": args, "same_as_previous": deterministic}


# ---------------------------------------------------------------- timing

def count_files(root):
    n = 0
    for _, _, filenames in os.walk(root):
        n += len(filenames)
    return n


def remove_tree(path):
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def timed_run(cmd, cwd, log_path):
    """Run cmd under /usr/bin/time; return wall seconds, max RSS KB, CPU seconds.

    wall_s is measured here with a monotonic clock around the whole process
    (millisecond resolution; includes starting /usr/bin/time, about 1 ms);
    max_rss_kb, user_s and sys_s come from /usr/bin/time (%M %U %S), and
    time_e_s is its own wall figure (%e, 10 ms resolution) for comparison.
    stdout and stderr of the tool go to log_path.
    """
    tf = log_path + ".time"
    full = [GNU_TIME, "-f", "%e %M %U %S", "-o", tf, *cmd]
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        r = subprocess.run(full, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
    if r.returncode != 0:
        with open(log_path, errors="replace") as f:
            tail = "".join(f.readlines()[-15:])
        raise BenchError(f"{' '.join(cmd)} (in {cwd}) exited with {r.returncode}; "
                         f"last lines of {log_path}:\n{tail}")
    with open(tf) as f:
        # GNU time may print "Command exited with non-zero status" first.
        last = f.read().strip().splitlines()[-1].split()
    e, m, u, s = float(last[0]), int(last[1]), float(last[2]), float(last[3])
    return {"wall_s": wall, "max_rss_kb": m, "user_s": u, "sys_s": s, "time_e_s": e}


def summary(values):
    values = list(values)
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    s = sorted(values)
    k = max(1, -(-len(s) * p // 100))  # ceil(n * p / 100), at least 1
    return s[int(k) - 1]


def mtime(path):
    """Modification time of a file, to tell which build of a binary was timed."""
    ts = os.path.getmtime(path)
    return datetime.datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")
