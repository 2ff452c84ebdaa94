#!/usr/bin/env python3
"""Benchmark planpub against Hugo on generated work plans (issue 21).

For each size (default 1,000 and 10,000 items) the script generates the same
plan twice with benches/gen_corpus.py, once in planpub's layout and once with
--format hugo, then builds each with its tool: one untimed warm-up each, then
--runs timed runs per tool, alternating planpub and Hugo in every round. The
output folder is moved aside (untimed) before every run of either tool, so each
build writes into an empty folder; the old outputs are deleted at the end (see
measure() for why not before each run). It then times the shipped 31-item site (the
repository itself) the same way.

After each size's builds it times copying planpub's own output into a new
folder on the same disk, one `cp -r` per top-level entry with as many at once
as there are CPUs: the floor, what creating planpub's files costs with nothing
to compute (--no-floor skips it; one `cp -r`, and Hugo's output copied both
ways, are timed too, for information).

It prints median/min/max wall time, peak memory (max RSS from /usr/bin/time),
CPU time and the number of files written by each tool, then one line per
target of issue 21 with its ratio, the target and ok/MISSED: at every size
wall <= 0.8x Hugo's, wall <= 1.2x the floor and memory <= 0.5x Hugo's; the
growth from one size to the next at most 1.05x the item ratio (x10.5 for
1,000 -> 10,000); the shipped site's median <= 50 ms. It writes it all as
JSON to <workdir>/results.json.

Corpora are kept in <workdir>/corpus/ and reused while gen_corpus.py, the seed
text and the arguments are unchanged and the files still have the recorded
sha256 (--regen generates them again and checks the digest is the same).
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

# The targets of issue 21 (they replace issue 8's).
WALL_TARGET = 0.8  # planpub wall <= 0.8x Hugo's, at every size
FLOOR_TARGET = 1.2  # planpub wall <= 1.2x copying its own output, one cp -r per CPU
MEM_TARGET = 0.5  # planpub peak memory <= 0.5x Hugo's
GROWTH_SLACK = 1.05  # time grows at most 1.05x the item ratio (x10.5 for x10 items)
SITE_TARGET_MS = 50.0  # shipped site: median <= 50 ms


def mib(kb):
    return kb / 1024.0


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Example: python3 benches/run.py --sizes 1000 --runs 3 "
               "--binary target/release/planpub",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], metavar="N",
                    help="plan sizes in items (default: 1000 10000)")
    ap.add_argument("--runs", type=int, default=5,
                    help="timed runs per tool per size, after one untimed warm-up (default: 5)")
    ap.add_argument("--site-runs", type=int, default=10,
                    help="timed runs of the shipped site build (default: 10)")
    ap.add_argument("--binary", metavar="PATH",
                    help="planpub executable to time (default: run `cargo build --release` "
                         "and use the result)")
    ap.add_argument("--hugo", default="hugo", metavar="PATH",
                    help="Hugo executable (default: hugo on PATH)")
    ap.add_argument("--no-hugo", action="store_true",
                    help="time planpub only (no ratios)")
    ap.add_argument("--no-site", action="store_true",
                    help="skip the shipped-site timing")
    ap.add_argument("--workdir", metavar="DIR", default=bl.default_workdir(),
                    help="where corpora, outputs and results.json go (default: "
                         "<repo>/target/bench; avoid /tmp, file creation there is slow)")
    ap.add_argument("--hugo-like", action="store_true",
                    help="also time planpub with benches/hugo-like-templates/ (the Hugo "
                         "corpus's one-line layouts, written for planpub) on the same "
                         "content: the engine apart from the theme, for information")
    ap.add_argument("--no-floor", dest="floor", action="store_false",
                    help="skip the floor: by default, after each size's builds, `cp -r` of the "
                         "last planpub output (and Hugo's) into a new folder on the same disk is "
                         "timed --runs times, with one process and with one `cp -r` per "
                         "top-level entry, as many at once as there are CPUs; the latter for "
                         "planpub's output is the floor of the wall <= 1.2x floor target")
    ap.add_argument("--floor", dest="floor", action="store_true",
                    help=argparse.SUPPRESS)  # the default now; accepted for old command lines
    ap.add_argument("--regen", action="store_true",
                    help="generate the corpora again even if the cached ones are current")
    ap.add_argument("--json", metavar="PATH",
                    help="where to write the results (default: <workdir>/results.json)")
    ap.add_argument("--strict", action="store_true",
                    help="exit with status 1 if any target is missed")
    a = ap.parse_args(argv)
    if a.runs < 1 or a.site_runs < 1:
        ap.error("--runs and --site-runs must be at least 1")
    if any(n < 1 for n in a.sizes):
        ap.error("--sizes must be positive item counts")
    a.sizes = sorted(set(a.sizes))
    return a


TRASH = []


def measure(label, cmd, cwd, out_dir, logs):
    """Move out_dir aside, run cmd timed, count the files it wrote.

    The previous output is renamed into <workdir>/trash/ and only deleted
    when the benchmark ends: on an ext4 file system without a journal (this
    machine's), inode allocation skips every inode freed in the last minutes
    (ext4 find_inode_bit -> recently_deleted), so deleting 50,000 files right
    before a timed run made creating files in that run up to several times
    slower (perf: 30-40% of the run in recently_deleted/find_get_block), and
    more so for the tool writing more files. Neither tool deletes anything in
    a timed run; neither pays for the harness's deletions."""
    if os.path.lexists(out_dir):
        trash = os.path.join(os.path.dirname(os.path.dirname(out_dir)), "trash")
        os.makedirs(trash, exist_ok=True)
        dest = os.path.join(trash, f"{len(TRASH)}-{os.path.basename(out_dir)}")
        bl.remove_tree(dest)
        os.rename(out_dir, dest)
        TRASH.append(dest)
    # Untimed: write back what earlier runs left in the page cache, so
    # that no run shares the disk and the CPUs with the writeback of the
    # run before it (which wrote up to 550 MB and is flushed ~30 s later,
    # in the middle of whichever run comes then).
    os.sync()
    r = bl.timed_run(cmd, cwd, os.path.join(logs, label + ".log"))
    r["files"] = bl.count_files(out_dir)
    return r


def empty_trash():
    while TRASH:
        bl.remove_tree(TRASH.pop())


def stats(runs):
    return {
        "wall_s": bl.summary(r["wall_s"] for r in runs),
        "max_rss_kb": bl.summary(r["max_rss_kb"] for r in runs),
        "cpu_s": bl.summary(r["user_s"] + r["sys_s"] for r in runs),
        "files": sorted({r["files"] for r in runs}),
    }


def progress(tool, size, i, n, r):
    print(f"    {tool:<17} {size:>6} run {i}/{n}: {r['wall_s']:7.3f} s  "
          f"{mib(r['max_rss_kb']):7.1f} MiB  {r['files']} files", flush=True)


def verdict(ok):
    return "ok" if ok else "MISSED"


def main(argv=None):
    a = parse_args(argv)
    try:
        return run(a)
    except bl.BenchError as e:
        bl.die(str(e))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        empty_trash()


def run(a):
    if not os.access(bl.GNU_TIME, os.X_OK):
        raise bl.BenchError(f"{bl.GNU_TIME} not found (apt-get install time)")
    hugo = None
    if not a.no_hugo:
        hugo = shutil.which(a.hugo)
        if hugo is None:
            raise bl.BenchError(f"Hugo not found as {a.hugo!r} (apt-get install hugo, "
                                "or pass --hugo PATH or --no-hugo)")
    workdir = bl.check_workdir(a.workdir)
    json_path = os.path.abspath(a.json) if a.json else os.path.join(workdir, "results.json")
    binary = bl.planpub_binary(a.binary)
    outs = os.path.join(workdir, "out")
    logs = os.path.join(workdir, "logs")
    os.makedirs(outs, exist_ok=True)
    os.makedirs(logs, exist_ok=True)

    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": bl.git_describe(),
        "planpub": binary,
        "planpub_version": bl.tool_version([binary, "--version"]),
        "planpub_mtime": bl.mtime(binary),
        "hugo": hugo,
        "hugo_version": bl.tool_version([hugo, "version"]) if hugo else None,
        "host": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs",
        "loadavg_at_start": os.getloadavg(),
        "runs": a.runs,
        "site_runs": a.site_runs,
        "workdir": workdir,
        "targets": {"wall_vs_hugo": WALL_TARGET, "wall_vs_floor": FLOOR_TARGET,
                    "memory_vs_hugo": MEM_TARGET, "growth_vs_item_ratio": GROWTH_SLACK,
                    "shipped_site_ms": SITE_TARGET_MS,
                    "floor": "copy of planpub's own output, one cp -r per top-level entry, "
                             "as many at once as CPUs" if a.floor else None},
        "method": "one untimed warm-up per tool, then runs alternating planpub and Hugo; "
                  "the output folder is moved aside (untimed; deleted at the end) and sync(2) called (untimed) before every run of both tools; "
                  "wall = monotonic clock around the process; memory = max RSS "
                  "(/usr/bin/time %M)",
    }
    print(f"planpub benchmark  {meta['date']}")
    print(f"  repo     {meta['commit']}")
    print(f"  planpub  {binary} ({meta['planpub_version']}, built {meta['planpub_mtime']})")
    if hugo:
        print(f"  hugo     {hugo} ({meta['hugo_version']})")
    print(f"  host     {meta['host']}, load average at start "
          + " ".join(f"{x:.2f}" for x in meta["loadavg_at_start"]))
    print(f"  workdir  {workdir}")
    print(f"  method   {meta['method']}")
    print()

    print("corpora (benches/gen_corpus.py):", flush=True)
    corpora = {}
    for n in a.sizes:
        corpora[n] = {"planpub": bl.corpus(workdir, n, "planpub", a.regen)}
        if hugo:
            corpora[n]["hugo"] = bl.corpus(workdir, n, "hugo", a.regen)
        for fmt, c in corpora[n].items():
            note = ", reused" if c["reused"] else ""
            if c.get("same_as_previous") is True:
                note = ", identical to the previous generation"
            elif c.get("same_as_previous") is False:
                note = ", DIFFERENT from the previous generation with the same arguments"
            print(f"  {fmt}-{n}: {c['path']} ({c['files']} files, sha256 {c['digest'][:12]}{note})")
    print(flush=True)

    results = {}
    floors = {}
    for n in a.sizes:
        print(f"building {n} items: warm-up, then {a.runs} rounds "
              f"({'planpub, hugo' if hugo else 'planpub'})", flush=True)
        pc = corpora[n]["planpub"]["path"]
        pout = os.path.join(outs, f"planpub-{n}")
        pcmd = [binary, "--root", pc, "build", "--output", pout]
        tools = [("planpub", pcmd, workdir, pout)]
        if a.hugo_like:
            lc = hugo_like_site(pc)
            lout = os.path.join(outs, f"planpub-hugo-like-{n}")
            tools.append(("planpub-hugo-like",
                          [binary, "--root", lc, "build", "--output", lout], workdir, lout))
        if hugo:
            hc = corpora[n]["hugo"]["path"]
            hout = os.path.join(outs, f"hugo-{n}")
            tools.append(("hugo", [hugo, "--quiet", "-d", hout], hc, hout))
        runs = {t[0]: [] for t in tools}
        for tool, cmd, cwd, out in tools:
            r = measure(f"{tool}-{n}-warmup", cmd, cwd, out, logs)
            print(f"    {tool:<17} {n:>6} warm-up: {r['wall_s']:7.3f} s (not counted)", flush=True)
        for i in range(1, a.runs + 1):
            for tool, cmd, cwd, out in tools:
                r = measure(f"{tool}-{n}", cmd, cwd, out, logs)
                runs[tool].append(r)
                progress(tool, n, i, a.runs, r)
        results[n] = {tool: {"command": cmd, "cwd": cwd, "runs": runs[tool],
                             **stats(runs[tool])}
                      for tool, cmd, cwd, _ in tools}
        if a.floor:
            floors[n] = copy_floor(a, n, [(t[0], t[3]) for t in tools
                                          if t[0] in ("planpub", "hugo")], outs, logs)
        print(flush=True)

    site = None
    if not a.no_site:
        sout = os.path.join(outs, "site")
        scmd = [binary, "--root", bl.REPO, "build", "--output", sout]
        print(f"building the shipped site ({bl.REPO}): warm-up, then {a.site_runs} runs",
              flush=True)
        measure("site-warmup", scmd, workdir, sout, logs)
        sruns = []
        for i in range(1, a.site_runs + 1):
            r = measure("site", scmd, workdir, sout, logs)
            sruns.append(r)
        print("    " + " ".join(f"{r['wall_s'] * 1000:.0f}" for r in sruns) + " ms", flush=True)
        site = {"command": scmd, "runs": sruns, **stats(sruns)}
        print(flush=True)

    meta["loadavg_at_end"] = os.getloadavg()
    report, targets = tables(a, results, site, hugo is not None, floors)
    print(report)
    doc = {"meta": meta,
           "corpora": {str(n): c for n, c in corpora.items()},
           "results": {str(n): r for n, r in results.items()},
           "shipped_site": site,
           "copy_floor": {str(n): f for n, f in floors.items()},
           "targets": targets}
    os.makedirs(os.path.dirname(json_path), exist_ok=True)
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
    print(f"results written to {json_path}")
    missed = [t["name"] for t in targets if t["ok"] is False]
    if a.strict and missed:
        return 1
    return 0


def copy_floor(a, n, outputs, outs, logs):
    """Time copying each tool's finished output into a fresh folder on the
    same file system, alternating tools, --runs times: the cost of creating
    that many folders and files with those bytes, with nothing to compute
    (the source is in the page cache, having just been written). Two ways:
    one `cp -r`, and one `cp -r` per top-level entry with as many running
    at once as there are CPUs (what a builder using every core could hope
    for at best)."""
    jobs = os.cpu_count() or 1
    ways = list(dict.fromkeys((str(jobs), "1")))  # the floor's way first; once on 1 CPU
    print(f"  copying the outputs ({a.runs} rounds of cp -r, {jobs} at once and one process; "
          f"the floor is planpub/{jobs})", flush=True)
    runs = {}
    for i in range(1, a.runs + 1):
        for tool, src in outputs:
            for way in ways:
                dst = os.path.join(outs, f"copy-{tool}-{n}")
                if way == "1":
                    cmd = ["cp", "-r", src, dst]
                else:
                    cmd = ["sh", "-c", 'mkdir "$2" && cd "$1" && ls -A | '
                           'xargs -d "\\n" -P "$3" -I{} cp -r {} "$2"/',
                           "copy", src, dst, way]
                r = measure(f"copy-{tool}-{n}-{way}", cmd, outs, dst, logs)
                runs.setdefault(f"{tool}/{way}", []).append(r)
                progress(f"cp {tool} x{way}", n, i, a.runs, r)
    return {key: {"runs": rs, **stats(rs)} for key, rs in runs.items()}


def hugo_like_site(corpus):
    """The planpub corpus with benches/hugo-like-templates/ as its templates:
    site.toml copied, content/ linked, templates/ copied afresh."""
    site = corpus.rstrip("/") + "-hugo-like"
    shutil.rmtree(site, ignore_errors=True)
    os.makedirs(site)
    shutil.copy(os.path.join(corpus, "site.toml"), site)
    os.symlink(os.path.abspath(os.path.join(corpus, "content")), os.path.join(site, "content"))
    shutil.copytree(os.path.join(bl.REPO, "benches", "hugo-like-templates"),
                    os.path.join(site, "templates"))
    return site


def target(name, value, limit, unit, detail=""):
    """One target: value (a ratio, or ms for the shipped site) against limit."""
    return {"name": name, "value": value, "target": limit, "unit": unit,
            "ok": value <= limit, "detail": detail}


def tables(a, results, site, with_hugo, floors):
    lines = []
    targets = []
    out = lines.append
    jobs = os.cpu_count() or 1
    out(f"RESULTS (median of {a.runs} runs; min-max in brackets; "
        "output folders moved aside before every run)")
    tw = max([7] + [len(t) for per in results.values() for t in per])
    out(f"{'items':>6}  {'tool':<{tw}}  {'wall s':>8} {'[min-max]':<17}  "
        f"{'peak MiB':>8} {'[min-max]':<15}  {'CPU s':>7}  files")
    for n, per in results.items():
        for tool, r in per.items():
            w, m, c = r["wall_s"], r["max_rss_kb"], r["cpu_s"]
            rng_w = f"[{w['min']:.3f}-{w['max']:.3f}]"
            rng_m = f"[{mib(m['min']):.0f}-{mib(m['max']):.0f}]"
            files = "/".join(str(x) for x in r["files"])
            out(f"{n:>6}  {tool:<{tw}}  {w['median']:8.3f} {rng_w:<17}  "
                f"{mib(m['median']):8.1f} {rng_m:<15}  {c['median']:7.2f}  {files}")
    out("")

    if with_hugo:
        out("planpub / Hugo (medians)")
        out(f"{'items':>6}  {'wall ratio':>10}  {'memory ratio':>12}  {'CPU ratio':>9}  "
            "files planpub/hugo")
        for n, per in results.items():
            p, h = per["planpub"], per["hugo"]
            wr = p["wall_s"]["median"] / h["wall_s"]["median"]
            mr = p["max_rss_kb"]["median"] / h["max_rss_kb"]["median"]
            cr = p["cpu_s"]["median"] / h["cpu_s"]["median"]
            out(f"{n:>6}  {wr:10.2f}  {mr:12.2f}  {cr:9.2f}  {p['files'][-1]}/{h['files'][-1]}")
            if "planpub-hugo-like" in per:
                q = per["planpub-hugo-like"]
                out(f"{'':>6}  {q['wall_s']['median'] / h['wall_s']['median']:10.2f}  "
                    f"{q['max_rss_kb']['median'] / h['max_rss_kb']['median']:12.2f}  "
                    f"{q['cpu_s']['median'] / h['cpu_s']['median']:9.2f}  "
                    f"with Hugo-like templates (information, not a target)")
        out("  (CPU ratio = user+sys time, for information: less disturbed by other load "
            "than wall time)")
        out("")

    if floors:
        out(f"creating the files alone (copying each output on the same disk with cp -r; "
            f"the floor is planpub's output, {jobs} at once)")
        for n, f in floors.items():
            p_wall = results[n]["planpub"]["wall_s"]["median"]
            ways = [(str(jobs), f"{jobs} at once")] + ([("1", "one process")] if jobs > 1 else [])
            for way, label in ways:
                p = f[f"planpub/{way}"]
                line = (f"{n:>6}  {label:<12} planpub's output {p['wall_s']['median']:.3f} s "
                        f"[{p['wall_s']['min']:.3f}-{p['wall_s']['max']:.3f}] "
                        f"(CPU {p['cpu_s']['median']:.2f} s)")
                if f"hugo/{way}" in f:
                    h = f[f"hugo/{way}"]
                    line += (f", Hugo's {h['wall_s']['median']:.3f} s "
                             f"(CPU {h['cpu_s']['median']:.2f} s)")
                out(line)
            floor = f[f"planpub/{jobs}"]["wall_s"]["median"]
            out(f"{'':>6}  planpub's build {p_wall:.3f} s = {p_wall / floor:.2f}x the floor; "
                f"the 1.2x target allows {FLOOR_TARGET * floor:.3f} s")
        out("")

    sizes = list(results)
    if len(sizes) >= 2:
        out("growth (medians, from one size to the next)")
        for lo, hi in zip(sizes, sizes[1:]):
            item_ratio = hi / lo
            for tool in results[lo]:
                tr = results[hi][tool]["wall_s"]["median"] / results[lo][tool]["wall_s"]["median"]
                mr = (results[hi][tool]["max_rss_kb"]["median"]
                      / results[lo][tool]["max_rss_kb"]["median"])
                out(f"  {tool:<{tw}} {lo}->{hi}: time x{tr:.2f} for items x{item_ratio:.2f}"
                    f"   (memory x{mr:.2f})")
        out("")

    # The targets of issue 21, in one place: one line each.
    for n, per in results.items():
        p = per["planpub"]
        if with_hugo:
            h = per["hugo"]
            targets.append(target(
                f"wall {n} vs Hugo", p["wall_s"]["median"] / h["wall_s"]["median"],
                WALL_TARGET, "x", f"{p['wall_s']['median']:.3f} s / {h['wall_s']['median']:.3f} s"))
        if n in floors:
            fl = floors[n][f"planpub/{jobs}"]["wall_s"]["median"]
            targets.append(target(
                f"wall {n} vs floor", p["wall_s"]["median"] / fl, FLOOR_TARGET, "x",
                f"{p['wall_s']['median']:.3f} s / cp -r x{jobs} of its output {fl:.3f} s"))
        if with_hugo:
            h = per["hugo"]
            targets.append(target(
                f"memory {n} vs Hugo", p["max_rss_kb"]["median"] / h["max_rss_kb"]["median"],
                MEM_TARGET, "x", f"{mib(p['max_rss_kb']['median']):.0f} MiB / "
                                 f"{mib(h['max_rss_kb']['median']):.0f} MiB"))
    for lo, hi in zip(sizes, sizes[1:]):
        tr = results[hi]["planpub"]["wall_s"]["median"] / results[lo]["planpub"]["wall_s"]["median"]
        targets.append(target(f"growth {lo}->{hi}", tr, GROWTH_SLACK * hi / lo, "x",
                              f"time ratio for items x{hi / lo:g}"))
    if site is not None:
        w = site["wall_s"]
        targets.append(target(
            "shipped site", w["median"] * 1000, SITE_TARGET_MS, "ms",
            f"[{w['min'] * 1000:.0f}-{w['max'] * 1000:.0f}] over {len(site['runs'])} runs, "
            f"{site['files'][-1]} files, peak {mib(site['max_rss_kb']['median']):.1f} MiB"))

    out("TARGETS (issue 21; medians)")
    nw = max([len(t["name"]) for t in targets] + [12])
    for t in targets:
        if t["unit"] == "ms":
            val, lim = f"{t['value']:.0f} ms", f"<= {t['target']:.0f} ms"
        else:
            val, lim = f"{t['value']:.2f}x", f"<= {t['target']:.2f}x"
        out(f"  {t['name']:<{nw}}  {val:>8}  {lim:<11}  {verdict(t['ok']):<6}  {t['detail']}")
    if not floors:
        out("  (no floor: --no-floor)")
    if not with_hugo:
        out("  (no Hugo ratios: --no-hugo)")
    out("")
    out("load average at end: " + " ".join(f"{x:.2f}" for x in os.getloadavg())
        + f" on {jobs} CPUs (figures are noisy when this is high)")
    missed = [t["name"] for t in targets if not t["ok"]]
    out("targets: " + ("all met" if not missed else "missed: " + ", ".join(missed)))
    return "\n".join(lines), targets


if __name__ == "__main__":
    sys.exit(main())
