#!/usr/bin/env python3
"""Measure `planpub serve` cold start and edit-to-page latency on a generated plan (issue 21).

Generates (or reuses) the planpub corpus of --items items with
benches/gen_corpus.py, copies it to <workdir>/serve/ so the generated one
stays pristine, and starts `planpub serve --root <copy> --port <free port>`.

Cold start: from launching serve, polls (every 10 ms) the first item page to
be edited, /2023/<n>/, until it answers 200 (target <= 1 s), and, for
information, the whole site: the plan page /2023/ and the search manifest
/search/index/manifest.json answering 200, and when serve printed its
"serving N pages" line. (Today serve answers only once the whole site is
built; a version that answers the first pages earlier shows apart here.)

Edits: each rewrites the `title = "..."` line of an item file
content/2023/<s>-section-<s>/<NNNN>-item-<n>.md to a new unique title,
notes the time the file is saved, and polls /2023/<n>/ every --poll-ms
until the new title appears ("item page" latency). "Lists" is the time until
the item's section page /2023/sections/<s>/ shows the title too: the pages
that list the item (section, plan, tags, status, feeds, data, search index)
are rebuilt after the item's own pages. --warmup untimed edits come first
(settled), then --edits timed edits in each phase of --phases:

  settled  after the item page, wait for the lists, then --gap-ms, then the
           next edit: the latency when edits pause long enough;
  paced    the next edit comes --gap-ms after the item page showed the last
           one, NOT waiting for the lists (the previous edit's lists are
           still being rebuilt); after the last edit, wait for its lists and
           report that time. Targets (issue 21.2): p50 <= 50 ms, p90 <= 100 ms.

Prints each latency, p50/p90/max per phase with ok/MISSED, writes
<workdir>/serve_latency.json and stops the server. Only 127.0.0.1 is contacted.
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
SERVING_RE = re.compile(rb"^serving (\d+) pages", re.MULTILINE)
PHASES = ("settled", "paced")
# Targets of issue 21 (paced phase, and cold start to the first item page).
P50_TARGET_MS = 50.0
P90_TARGET_MS = 100.0
COLD_TARGET_S = 1.0


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


def serving_pages(log_path):
    """N from serve's "serving N pages at ..." line, or None if not printed yet."""
    with open(log_path, "rb") as f:
        m = SERVING_RE.search(f.read())
    return int(m.group(1)) if m else None


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Example: python3 benches/serve_latency.py --binary target/release/planpub",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=10000,
                    help="size of the generated plan to serve (default: 10000)")
    ap.add_argument("--edits", type=int, default=20,
                    help="timed edits per phase (default: 20)")
    ap.add_argument("--phases", default="settled,paced",
                    help="which phases to run, in this order, comma-separated: settled (the "
                         "next edit after the lists showed the last one) and/or paced (the "
                         "next edit --gap-ms after the item page showed the last one) "
                         "(default: settled,paced)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed edits before the timed ones (default: 1)")
    ap.add_argument("--binary", metavar="PATH",
                    help="planpub executable (default: run `cargo build --release`)")
    ap.add_argument("--port", type=int, default=0,
                    help="port for planpub serve (default: a free one)")
    ap.add_argument("--poll-ms", type=float, default=2.0,
                    help="pause between two polls of the page (default: 2)")
    ap.add_argument("--gap-ms", type=float, default=300.0,
                    help="pause before the next edit: after the lists showed the last edit "
                         "(settled), after its item page did (paced) (default: 300)")
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
    ap.add_argument("--strict", action="store_true",
                    help="exit with status 1 if a target is missed")
    a = ap.parse_args(argv)
    a.phases = [x.strip() for x in a.phases.split(",") if x.strip()]
    if (not a.phases or any(x not in PHASES for x in a.phases)
            or len(set(a.phases)) != len(a.phases)):
        ap.error("--phases takes settled and/or paced, comma-separated, each once")
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


def edit(a, root, n, label):
    """Save a new title for item n; return what to wait for, with the save time."""
    path = item_file(root, n)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    title = f"Latency probe {label} {uuid.uuid4().hex[:10]}"
    new, count = TITLE_RE.subn(f'title = "{title}"', text, count=1)
    if count != 1:
        raise bl.BenchError(f"no `title = \"...\"` line in {path}")
    section = int(os.path.basename(os.path.dirname(path)).split("-")[0])
    e = {"item": n, "file": os.path.relpath(path, root), "title": title,
         "page_url": f"/{PLAN}/{n}/", "lists_url": f"/{PLAN}/sections/{section}/",
         "needles": (title.encode(), html.escape(title).encode()), "counter": [0]}
    save(path, new, a.save)
    e["t0"] = time.perf_counter()
    return e


def wait_page(a, proc, log_path, poller, e):
    e["latency_ms"] = wait_for_title(a, proc, log_path, poller, e["page_url"], e["needles"],
                                     e["t0"], e["counter"])


def wait_lists(a, proc, log_path, poller, e):
    e["lists_ms"] = wait_for_title(a, proc, log_path, poller, e["lists_url"], e["needles"],
                                   e["t0"], e["counter"])


def public(e):
    """What goes to the JSON of one edit."""
    return {k: v for k, v in e.items() if k not in ("needles", "counter", "t0")} | {
        "polls": e["counter"][0]}


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


def stats(values):
    return {"p50_ms": bl.percentile(values, 50), "p90_ms": bl.percentile(values, 90),
            "max_ms": max(values), "min_ms": min(values), "mean_ms": statistics.fmean(values)}


def verdict(ok):
    return "ok" if ok else "MISSED"


def cold_start(a, proc, log_path, poller, first, t_start, port):
    """Poll until the first item page, the plan page and the search manifest
    answer 200; seconds from launch to each, and to the "serving" line."""
    paths = {"item_page": first, "plan_page": f"/{PLAN}/",
             "search_manifest": "/search/index/manifest.json"}
    seen = {}
    serving = None
    while True:
        server_alive(proc, log_path)
        for key, path in paths.items():
            if key not in seen:
                status, _ = poller.get(path)
                if status == 200:
                    seen[key] = time.perf_counter() - t_start
        if serving is None:
            pages = serving_pages(log_path)
            if pages is not None:
                serving = {"s": time.perf_counter() - t_start, "pages": pages}
        # serve prints its "serving" line after the site is published and
        # after its warnings (10,000 lines for the benchmark corpus): wait
        # for it a little longer.
        if len(seen) == len(paths) and (
                serving is not None or time.perf_counter() - t_start > max(seen.values()) + 10):
            break
        if time.perf_counter() - t_start > a.startup_timeout:
            missing = ", ".join(p for k, p in paths.items() if k not in seen)
            raise bl.BenchError(f"{missing} did not answer 200 on http://127.0.0.1:{port} within "
                                f"{a.startup_timeout:.0f} s; see {log_path}")
        time.sleep(0.01)
    res = {f"{k}_s": v for k, v in seen.items()}
    res["item_page_url"] = first
    res["whole_site_s"] = max(seen["plan_page"], seen["search_manifest"])
    res["serving_line_s"] = serving["s"] if serving else None
    res["serving_pages"] = serving["pages"] if serving else None
    res["target_s"] = COLD_TARGET_S
    res["ok"] = seen["item_page"] <= COLD_TARGET_S
    return res


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
    total = a.warmup + a.edits * len(a.phases)
    picks = (rng.sample(range(1, a.items + 1), total) if total <= a.items
             else [rng.randint(1, a.items) for _ in range(total)])
    port = a.port or free_port()
    logs = os.path.join(workdir, "logs")
    os.makedirs(logs, exist_ok=True)
    log_path = os.path.join(logs, "serve.log")
    cmd = [binary, "--root", root, "serve", "--port", str(port)]
    print(f"starting: {' '.join(cmd)}", flush=True)
    poller = Poller(port)
    phases = {}
    with open(log_path, "wb") as log:
        t_start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        cold = cold_start(a, proc, log_path, poller, f"/{PLAN}/{picks[0]}/", t_start, port)
        said = (f"{cold['serving_line_s']:.2f} s ({cold['serving_pages']} pages)"
                if cold["serving_line_s"] is not None else "not seen")
        print(f"  cold start: {cold['item_page_url']} 200 after {cold['item_page_s']:.2f} s; "
              f"/{PLAN}/ {cold['plan_page_s']:.2f} s, search manifest "
              f"{cold['search_manifest_s']:.2f} s; \"serving N pages\" line {said}", flush=True)

        server_log = ServerLog(log_path)
        todo = iter(picks)

        def one(label):
            server_log.rebuild_times()  # skip what came before this edit
            e = edit(a, root, next(todo), label)
            wait_page(a, proc, log_path, poller, e)
            return e

        for i in range(a.warmup):
            e = one(f"w{i + 1}")
            wait_lists(a, proc, log_path, poller, e)
            print(f"  warm-up (not counted): item {e['item']:>5}  page "
                  f"{e['latency_ms']:8.1f} ms  lists {e['lists_ms']:8.1f} ms", flush=True)
            time.sleep(a.gap_ms / 1000)

        for phase in a.phases:
            print(f"  phase {phase}: {a.edits} edits, the next one {a.gap_ms:g} ms after "
                  + ("the lists showed the last" if phase == "settled"
                     else "the item page showed the last (lists not waited for)"), flush=True)
            edits = []
            for k in range(1, a.edits + 1):
                e = one(f"{phase[0]}{k}")
                if phase == "settled":
                    wait_lists(a, proc, log_path, poller, e)
                e["server_rebuilt_ms"] = server_log.rebuild_times()
                said = ", ".join(str(x) for x in e["server_rebuilt_ms"]) or "-"
                lists = f"lists {e['lists_ms']:8.1f} ms  " if "lists_ms" in e else ""
                print(f"    edit {k}/{a.edits}: item {e['item']:>5}  page "
                      f"{e['latency_ms']:8.1f} ms  {lists}({e['counter'][0]} polls; "
                      f"server said rebuilt in {said} ms)", flush=True)
                edits.append(e)
                if phase == "settled" or k < a.edits:
                    time.sleep(a.gap_ms / 1000)
            res = {"item_page": stats([e["latency_ms"] for e in edits])}
            if phase == "settled":
                res["lists"] = stats([e["lists_ms"] for e in edits])
            else:
                last = edits[-1]
                wait_lists(a, proc, log_path, poller, last)
                res["last_lists_ms"] = last["lists_ms"]
                print(f"    lists of the last edit (item {last['item']}) showed "
                      f"{last['lists_ms']:.1f} ms after it was saved", flush=True)
                time.sleep(a.gap_ms / 1000)
            res["edits"] = [public(e) for e in edits]
            phases[phase] = res
    finally:
        poller.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    targets = [{"name": "cold start to first item page", "value": cold["item_page_s"],
                "unit": "s", "target": COLD_TARGET_S, "ok": cold["ok"]}]
    if "paced" in phases:
        ip = phases["paced"]["item_page"]
        targets += [{"name": "paced item page p50", "value": ip["p50_ms"], "unit": "ms",
                     "target": P50_TARGET_MS, "ok": ip["p50_ms"] <= P50_TARGET_MS},
                    {"name": "paced item page p90", "value": ip["p90_ms"], "unit": "ms",
                     "target": P90_TARGET_MS, "ok": ip["p90_ms"] <= P90_TARGET_MS}]

    print()
    print(f"RESULTS ({a.edits} edits per phase of a {a.items}-item plan, saved {a.save}, "
          f"polled every {a.poll_ms:g} ms, --gap-ms {a.gap_ms:g})")
    print(f"  cold start   first item page {cold['item_page_s']:.2f} s   target <= "
          f"{COLD_TARGET_S:g} s: {verdict(cold['ok'])}")
    print(f"               whole site (information): plan page {cold['plan_page_s']:.2f} s, "
          f"search manifest {cold['search_manifest_s']:.2f} s, \"serving N pages\" line "
          + (f"{cold['serving_line_s']:.2f} s" if cold["serving_line_s"] is not None
             else "not seen"))

    def line(name, st, tail=""):
        print(f"    {name:<10} p50 {st['p50_ms']:7.1f} ms   p90 {st['p90_ms']:7.1f} ms   "
              f"max {st['max_ms']:7.1f} ms   (min {st['min_ms']:.1f}, mean {st['mean_ms']:.1f})"
              + tail)

    for phase, res in phases.items():
        if phase == "settled":
            print("  settled (next edit --gap-ms after the lists showed the last one)")
            line("item page", res["item_page"])
            line("lists", res["lists"], "   (information: section page shows the title)")
        else:
            ip = res["item_page"]
            print("  paced (next edit --gap-ms after the item page showed the last one)")
            line("item page", ip)
            print(f"    targets    p50 <= {P50_TARGET_MS:g} ms: "
                  f"{verdict(ip['p50_ms'] <= P50_TARGET_MS)}   p90 <= {P90_TARGET_MS:g} ms: "
                  f"{verdict(ip['p90_ms'] <= P90_TARGET_MS)}")
            print(f"    lists      of the last edit: {res['last_lists_ms']:.1f} ms after it "
                  "was saved (information)")
    missed = [t["name"] for t in targets if not t["ok"]]
    print("targets: " + ("all met" if not missed else "missed: " + ", ".join(missed)))
    print("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg())
          + f" on {os.cpu_count()} CPUs (figures are noisy when this is high)")
    doc = {"meta": {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                    "commit": bl.git_describe(), "planpub": binary, "items": a.items,
                    "corpus_sha256": c["digest"], "save": a.save, "poll_ms": a.poll_ms,
                    "gap_ms": a.gap_ms, "edits_per_phase": a.edits, "warmup": a.warmup,
                    "phases": a.phases, "command": cmd},
           "startup_s": cold["item_page_s"], "cold_start": cold, "phases": phases,
           "targets": targets}
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
    print(f"results written to {json_path}")
    return 1 if a.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
