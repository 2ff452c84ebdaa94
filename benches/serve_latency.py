#!/usr/bin/env python3
"""Measure `planpub serve` edit-to-page latency on a generated plan (issue 6).

Generates (or reuses) the planpub corpus of --items items with
benches/gen_corpus.py, copies it to <workdir>/serve/ so the generated one
stays pristine, starts `planpub serve --root <copy> --port <free port>` and
waits until http://127.0.0.1:<port>/2023/<n>/ answers 200. Then, --edits
times, it rewrites the `title = "..."` line of an item file
content/2023/<s>-section-<s>/<NNNN>-item-<n>.md to a new unique title,
notes the time the file is saved, and polls /2023/<n>/ every --poll-ms
until the new title appears; the difference is the latency. It then polls
the item's section page /2023/sections/<s>/ until the title shows there too:
the time until the pages that list the item (section, plan, tags, status,
feeds, data, search index) are rebuilt ("lists"); `serve` publishes the
edited item's own pages first and the rest once edits pause, and the next
edit is only made after both (and --gap-ms). Prints each latency and
p50/p90/max of both, writes <workdir>/serve_latency.json and stops the
server. Only 127.0.0.1 is contacted.
"""
import argparse
import datetime
import glob
import html
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

PLAN = "2023"  # gen_corpus.py's default --plan
TITLE_RE = re.compile(r'^title = ".*"$', re.MULTILINE)
REBUILT_RE = re.compile(rb"rebuilt in (\d+) ms")


class ServerLog:
    """Reads what planpub serve printed since the last look."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def rebuild_times(self):
        """The `rebuilt in N ms` figures printed since the last call (for information)."""
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self.offset += end
        return [int(m) for m in REBUILT_RE.findall(data[:end])]


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Example: python3 benches/serve_latency.py --binary target/release/planpub",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=10000,
                    help="size of the generated plan to serve (default: 10000)")
    ap.add_argument("--edits", type=int, default=20,
                    help="timed edits (default: 20)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed edits before the timed ones (default: 1)")
    ap.add_argument("--binary", metavar="PATH",
                    help="planpub executable (default: run `cargo build --release`)")
    ap.add_argument("--port", type=int, default=0,
                    help="port for planpub serve (default: a free one)")
    ap.add_argument("--poll-ms", type=float, default=2.0,
                    help="pause between two polls of the page (default: 2)")
    ap.add_argument("--gap-ms", type=float, default=300.0,
                    help="pause after a change is seen, before the next edit (default: 300)")
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="seconds to wait for one edit to show before giving up (default: 600)")
    ap.add_argument("--startup-timeout", type=float, default=900.0,
                    help="seconds to wait for the server's first answer (default: 900)")
    ap.add_argument("--save", choices=["inplace", "rename"], default="inplace",
                    help="how the edit is saved: rewrite the file in place, or write a "
                         "temporary file and rename it over the item, as some editors do "
                         "(default: inplace)")
    ap.add_argument("--seed", type=int, default=6,
                    help="picks which items are edited (default: 6)")
    ap.add_argument("--workdir", metavar="DIR", default=bl.default_workdir(),
                    help="where the corpus, its copy and the results go "
                         "(default: <repo>/target/bench; avoid /tmp)")
    ap.add_argument("--json", metavar="PATH",
                    help="where to write the results (default: <workdir>/serve_latency.json)")
    a = ap.parse_args(argv)
    if a.items < 1 or a.edits < 1 or a.warmup < 0:
        ap.error("--items and --edits must be at least 1, --warmup at least 0")
    if not 0 <= a.port <= 65535:
        ap.error("--port must be 0..65535")
    return a


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Poller:
    """GET one path from 127.0.0.1 over a kept-alive connection."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def get(self, path):
        """Return (status, body) or (None, error text) if the server did not answer."""
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                self.conn.request("GET", path, headers={"Cache-Control": "no-cache"})
                resp = self.conn.getresponse()
                body = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, body
            except (OSError, http.client.HTTPException) as e:
                self.close()
                err = str(e) or type(e).__name__
        return None, err

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def item_file(root, n):
    hits = glob.glob(os.path.join(root, "content", PLAN, "*", f"{n:04d}-item-{n}.md"))
    if len(hits) != 1:
        raise bl.BenchError(f"expected one file for item {n} under {root}/content/{PLAN}, "
                            f"found {len(hits)}")
    return hits[0]


def save(path, text, mode):
    if mode == "rename":
        tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".bench-tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def server_alive(proc, log_path):
    if proc.poll() is not None:
        with open(log_path, errors="replace") as f:
            tail = "".join(f.readlines()[-15:])
        raise bl.BenchError(f"planpub serve exited with {proc.returncode}; "
                            f"last lines of {log_path}:\n{tail}")


def edit_and_wait(a, proc, log_path, poller, root, n, label):
    path = item_file(root, n)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    title = f"Latency probe {label} {uuid.uuid4().hex[:10]}"
    new, count = TITLE_RE.subn(f'title = "{title}"', text, count=1)
    if count != 1:
        raise bl.BenchError(f"no `title = \"...\"` line in {path}")
    needles = (title.encode(), html.escape(title).encode())
    save(path, new, a.save)
    t0 = time.perf_counter()
    counter = [0]
    page_ms = wait_for_title(a, proc, log_path, poller, f"/{PLAN}/{n}/", needles, t0, counter)
    section = os.path.basename(os.path.dirname(path)).split("-")[0]
    lists_ms = wait_for_title(a, proc, log_path, poller, f"/{PLAN}/sections/{int(section)}/",
                              needles, t0, counter)
    return {"item": n, "file": os.path.relpath(path, root), "title": title,
            "latency_ms": page_ms, "lists_ms": lists_ms, "polls": counter[0]}


def wait_for_title(a, proc, log_path, poller, url, needles, t0, counter):
    """Poll url until it answers 200 with one of needles; ms since t0."""
    while True:
        status, body = poller.get(url)
        counter[0] += 1
        now = time.perf_counter()
        if status == 200 and any(x in body for x in needles):
            return (now - t0) * 1000
        if now - t0 > a.timeout:
            raise bl.BenchError(f"the new title did not appear at {url} within "
                                f"{a.timeout:.0f} s (last status {status}); see {log_path}")
        if counter[0] % 50 == 0:
            server_alive(proc, log_path)
        time.sleep(a.poll_ms / 1000)


def main(argv=None):
    a = parse_args(argv)
    try:
        return run(a)
    except bl.BenchError as e:
        bl.die(str(e))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130


def run(a):
    workdir = bl.check_workdir(a.workdir)
    json_path = os.path.abspath(a.json) if a.json else os.path.join(workdir,
                                                                     "serve_latency.json")
    binary = bl.planpub_binary(a.binary)
    print(f"planpub serve latency  {datetime.datetime.now().astimezone().isoformat('T', 'seconds')}")
    print(f"  repo     {bl.git_describe()}")
    print(f"  planpub  {binary} ({bl.tool_version([binary, '--version'])}, "
          f"built {bl.mtime(binary)})")
    print(f"  host     {os.cpu_count()} CPUs, load average at start "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print("corpus (benches/gen_corpus.py):", flush=True)
    c = bl.corpus(workdir, a.items, "planpub")
    print(f"  {c['path']} ({c['files']} files, sha256 {c['digest'][:12]}"
          f"{', reused' if c['reused'] else ''})")
    root = os.path.join(workdir, "serve", f"planpub-{a.items}")
    bl.remove_tree(root)
    os.makedirs(os.path.dirname(root), exist_ok=True)
    shutil.copytree(c["path"], root)
    print(f"  copied to {root} (edits go to the copy)")

    rng = random.Random(a.seed)
    total = a.warmup + a.edits
    picks = (rng.sample(range(1, a.items + 1), total) if total <= a.items
             else [rng.randint(1, a.items) for _ in range(total)])
    port = a.port or free_port()
    logs = os.path.join(workdir, "logs")
    os.makedirs(logs, exist_ok=True)
    log_path = os.path.join(logs, "serve.log")
    cmd = [binary, "--root", root, "serve", "--port", str(port)]
    print(f"starting: {' '.join(cmd)}", flush=True)
    poller = Poller(port)
    with open(log_path, "wb") as log:
        t_start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        first = f"/{PLAN}/{picks[0]}/"
        while True:
            server_alive(proc, log_path)
            status, _ = poller.get(first)
            if status == 200:
                break
            if time.perf_counter() - t_start > a.startup_timeout:
                raise bl.BenchError(f"http://127.0.0.1:{port}{first} did not answer 200 within "
                                    f"{a.startup_timeout:.0f} s; see {log_path}")
            time.sleep(0.05)
        startup_s = time.perf_counter() - t_start
        print(f"  http://127.0.0.1:{port}{first} answered 200 after {startup_s:.2f} s", flush=True)

        server_log = ServerLog(log_path)
        edits = []
        for i, n in enumerate(picks):
            warm = i < a.warmup
            label = f"w{i + 1}" if warm else str(i - a.warmup + 1)
            server_log.rebuild_times()  # skip what came before this edit
            r = edit_and_wait(a, proc, log_path, poller, root, n, label)
            r["server_rebuilt_ms"] = server_log.rebuild_times()
            tag = "warm-up (not counted)" if warm else f"edit {label}/{a.edits}"
            said = ", ".join(str(x) for x in r["server_rebuilt_ms"]) or "-"
            print(f"  {tag}: item {n:>5}  page {r['latency_ms']:8.1f} ms  "
                  f"lists {r['lists_ms']:8.1f} ms  ({r['polls']} polls; "
                  f"server said rebuilt in {said} ms)", flush=True)
            if not warm:
                edits.append(r)
            time.sleep(a.gap_ms / 1000)
    finally:
        poller.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    lat = [e["latency_ms"] for e in edits]
    res = {"p50_ms": bl.percentile(lat, 50), "p90_ms": bl.percentile(lat, 90),
           "max_ms": max(lat), "min_ms": min(lat), "mean_ms": statistics.fmean(lat)}
    lists = [e["lists_ms"] for e in edits]
    res["lists"] = {"p50_ms": bl.percentile(lists, 50), "p90_ms": bl.percentile(lists, 90),
                    "max_ms": max(lists)}
    print()
    print(f"RESULTS ({len(lat)} edits of a {a.items}-item plan, saved {a.save}, "
          f"polled every {a.poll_ms:g} ms)")
    print(f"  item page  p50 {res['p50_ms']:.1f} ms   p90 {res['p90_ms']:.1f} ms   "
          f"max {res['max_ms']:.1f} ms   (min {res['min_ms']:.1f}, mean {res['mean_ms']:.1f})")
    li = res["lists"]
    print(f"  lists      p50 {li['p50_ms']:.1f} ms   p90 {li['p90_ms']:.1f} ms   "
          f"max {li['max_ms']:.1f} ms   (section page shows the new title)")
    print(f"  server start to first page: {startup_s:.2f} s")
    doc = {"meta": {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "commit": bl.git_describe(), "planpub": binary, "items": a.items,
                    "corpus_sha256": c["digest"], "save": a.save, "poll_ms": a.poll_ms,
                    "gap_ms": a.gap_ms, "command": cmd},
           "startup_s": startup_s, **res, "edits": edits}
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
    print(f"results written to {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
