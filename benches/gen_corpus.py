#!/usr/bin/env python3
"""Generate a synthetic bilingual work plan of N items, for benchmarks.

The text is cut from the real 2023 plan in ../seed/, shuffled with a fixed
seed, so every run with the same arguments writes the same files.

    gen_corpus.py --items 10000 --out bench/plan10k            # planpub layout
    gen_corpus.py --items 10000 --out bench/hugo10k --format hugo
    gen_corpus.py --items 10000 --out bench/zola10k --format zola

planpub layout (see ../spec/content-format.md):
    OUT/site.toml
    OUT/content/<plan>/_index.md, _index.en.md
    OUT/content/<plan>/<s>-section-<s>/_index.md, _index.en.md
    OUT/content/<plan>/<s>-section-<s>/<NNNN>-item-<n>.md, .en.md

The hugo and zola layouts hold the same pages with minimal templates, so
that a build of each can be timed side by side with planpub's.
"""
import argparse
import os
import random
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
# The seed is the plan as shipped in content/ (a copy of ../shared/seed).
SEED = os.path.join(HERE, "..", "content", "2023", "source.zh.txt")

STATUSES = ["not-started", "in-progress", "completed", "delayed", "ongoing"]
EN_WORDS = (
    "education quality schools teachers students rural county city plan "
    "improve promote strengthen implement build expand training reform "
    "kindergarten primary secondary vocational boarding safety health sports "
    "curriculum evaluation funding inspection digital resources support "
    "development priority annual target public service moral guidance "
    "language culture law governance supervision enrollment examination"
).split()
TAGS = ["学前教育", "义务教育", "普通高中", "职业教育", "特殊教育", "双减",
        "教师队伍", "思政", "安全", "信息化", "督导", "乡村振兴", "法治", "体育",
        "美育", "劳动教育", "语言文字", "民办教育", "考试招生", "党建"]


def seed_sentences():
    text = open(SEED, encoding="utf-8").read()
    body = text.split("\n", 3)[-1]
    sents = [s.strip() + "。" for s in re.split(r"。", body) if len(s.strip()) > 8]
    return [re.sub(r"^\d+[.、．]\s*", "", s.replace("\n", "")) for s in sents]


def en_sentence(rng):
    words = [rng.choice(EN_WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def zh_body(rng, sents):
    paras = []
    for _ in range(rng.randint(1, 3)):
        paras.append("".join(rng.choice(sents) for _ in range(rng.randint(3, 7))))
    return "\n\n".join(paras) + "\n"


def en_body(rng):
    paras = []
    for _ in range(rng.randint(1, 3)):
        paras.append(" ".join(en_sentence(rng) for _ in range(rng.randint(3, 7))))
    return "\n\n".join(paras) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def gen_items(n, sections, rng, sents):
    """Yield one dict per item, identical whatever the output format."""
    per = -(-n // sections)
    for i in range(1, n + 1):
        sec = (i - 1) // per + 1
        title_zh = rng.choice(sents)[:rng.randint(8, 20)].rstrip("。,、")
        item = {
            "number": i,
            "section": sec,
            "title_zh": title_zh,
            "title_en": en_sentence(rng)[:-1][:70],
            "status": rng.choice(STATUSES),
            "tags": rng.sample(TAGS, rng.randint(1, 3)),
            "related": sorted({rng.randint(1, n) for _ in range(rng.randint(0, 3))} - {i}),
            "body_zh": zh_body(rng, sents),
            "body_en": en_body(rng),
            "targets": [],
            "updates": [],
        }
        for k in range(rng.choice([0, 0, 1, 2])):
            goal = rng.randint(5, 5000)
            item["targets"].append({
                "key": f"t{k + 1}",
                "label_zh": rng.choice(sents)[:12].rstrip("。,、"),
                "label_en": en_sentence(rng)[:40].rstrip("."),
                "goal": goal,
                "actual": rng.randint(0, goal),
                "unit": rng.choice(["所", "个", "名", ""]),
            })
        for m in range(rng.choice([0, 1, 2])):
            item["updates"].append({
                "date": f"2023-{3 * m + 3:02d}-28",
                "status": rng.choice(STATUSES),
                "zh": rng.choice(sents),
                "en": en_sentence(rng),
            })
        yield item


def planpub_item(it):
    fm = [f"number = {it['number']}", f"title = {toml_str(it['title_zh'])}",
          f"status = {toml_str(it['status'])}",
          "tags = [" + ", ".join(toml_str(t) for t in it["tags"]) + "]",
          "related = [" + ", ".join(str(r) for r in it["related"]) + "]"]
    en = [f"title = {toml_str(it['title_en'])}"]
    for t in it["targets"]:
        fm += ["", "[[targets]]", f"key = {toml_str(t['key'])}",
               f"label = {toml_str(t['label_zh'])}", f"goal = {t['goal']}",
               f"actual = {t['actual']}", f"unit = {toml_str(t['unit'])}"]
        en += ["", f"[targets.{t['key']}]", f"label = {toml_str(t['label_en'])}"]
    for u in it["updates"]:
        fm += ["", "[[updates]]", f"date = {u['date']}",
               f"status = {toml_str(u['status'])}", f"text = {toml_str(u['zh'])}"]
        en += ["", f"[updates.{u['date']}]", f"text = {toml_str(u['en'])}"]
    zh = "+++\n" + "\n".join(fm) + "\n+++\n\n" + it["body_zh"]
    return zh, "+++\n" + "\n".join(en) + "\n+++\n\n" + it["body_en"]


def peer_item(it, fmt):
    """Front matter for hugo/zola: title, weight and the same data as extras."""
    extra = [f"number = {it['number']}", f"status = {toml_str(it['status'])}",
             "related = [" + ", ".join(str(r) for r in it["related"]) + "]"]
    head = [f"title = {toml_str(it['title_zh'])}", f"weight = {it['number']}"]
    head_en = [f"title = {toml_str(it['title_en'])}", f"weight = {it['number']}"]
    if fmt == "hugo":
        tags = "tags = [" + ", ".join(toml_str(t) for t in it["tags"]) + "]"
        zh = head + [tags, "[params]"] + extra
        en = head_en + ["[params]"] + extra
    else:
        tags = "[taxonomies]\ntags = [" + ", ".join(toml_str(t) for t in it["tags"]) + "]"
        zh = head + [tags, "[extra]"] + extra
        en = head_en + ["[extra]"] + extra
    return ("+++\n" + "\n".join(zh) + "\n+++\n\n" + it["body_zh"],
            "+++\n" + "\n".join(en) + "\n+++\n\n" + it["body_en"])


HUGO_CONFIG = """baseURL = "https://plan.example.gov.cn/"
defaultContentLanguage = "zh"
defaultContentLanguageInSubdir = false
disableKinds = ["RSS"]
[taxonomies]
tag = "tags"
[languages.zh]
languageName = "中文"
weight = 1
title = "工作要点"
[languages.en]
languageName = "English"
weight = 2
title = "Work plan"
"""
ZOLA_CONFIG = """base_url = "https://plan.example.gov.cn"
default_language = "zh"
title = "工作要点"
build_search_index = true
compile_sass = false
taxonomies = [{ name = "tags" }]
[search]
index_format = "elasticlunr_json"
[languages.en]
title = "Work plan"
build_search_index = true
taxonomies = [{ name = "tags" }]
"""
PAGE_TPL = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1>{body}<ul>{list}</ul></main></body></html>
"""


def peer_templates(out, fmt):
    if fmt == "hugo":
        d = os.path.join(out, "layouts", "_default")
        write(os.path.join(d, "single.html"), PAGE_TPL.format(
            lang="{{ .Lang }}", title="{{ .Title }}", body="{{ .Content }}",
            list="{{ range .Params.related }}<li>{{ . }}</li>{{ end }}"))
        list_tpl = PAGE_TPL.format(
            lang="{{ .Lang }}", title="{{ .Title }}", body="{{ .Content }}",
            list='{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}')
        write(os.path.join(d, "list.html"), list_tpl)
        write(os.path.join(d, "taxonomy.html"), list_tpl)
        write(os.path.join(d, "term.html"), list_tpl)
        write(os.path.join(out, "layouts", "index.html"), list_tpl)
    else:
        d = os.path.join(out, "templates")
        write(os.path.join(d, "page.html"), PAGE_TPL.format(
            lang="{{ lang }}", title="{{ page.title }}", body="{{ page.content | safe }}",
            list="{% for r in page.extra.related %}<li>{{ r }}</li>{% endfor %}"))
        sec = PAGE_TPL.format(
            lang="{{ lang }}", title="{{ section.title }}", body="{{ section.content | safe }}",
            list='{% for p in section.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>{% endfor %}')
        write(os.path.join(d, "section.html"), sec)
        write(os.path.join(d, "index.html"), sec)
        write(os.path.join(d, "taxonomy_list.html"), PAGE_TPL.format(
            lang="{{ lang }}", title="tags", body="",
            list="{% for t in terms %}<li>{{ t.name }}</li>{% endfor %}"))
        write(os.path.join(d, "taxonomy_single.html"), PAGE_TPL.format(
            lang="{{ lang }}", title="{{ term.name }}", body="",
            list='{% for p in term.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>{% endfor %}'))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--sections", type=int, default=0, help="default: about one per 50 items, at least 7")
    ap.add_argument("--plan", default="2023")
    ap.add_argument("--format", choices=["planpub", "hugo", "zola"], default="planpub")
    ap.add_argument("--seed", type=int, default=619)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sections = a.sections or max(7, a.items // 50)
    sections = min(sections, a.items)
    rng = random.Random(a.seed)
    sents = seed_sentences()
    marker = os.path.join(a.out, ".gen_corpus")
    if os.path.exists(a.out) and os.listdir(a.out):
        if not os.path.exists(marker):
            ap.error(f"{a.out} is not empty and was not written by this script; choose another --out")
        shutil.rmtree(a.out)
    os.makedirs(a.out, exist_ok=True)
    open(marker, "w").close()
    content = os.path.join(a.out, "content")
    plan = os.path.join(content, a.plan)
    if a.format == "planpub":
        write(os.path.join(a.out, "site.toml"),
              'base_url = "https://plan.example.gov.cn/"\ndefault_language = "zh"\n\n'
              '[languages.zh]\ntitle = "南阳市教育局工作要点(基准测试)"\n\n'
              '[languages.en]\ntitle = "Work plan (benchmark)"\n')
    else:
        write(os.path.join(a.out, "config.toml" if a.format == "zola" else "hugo.toml"),
              ZOLA_CONFIG if a.format == "zola" else HUGO_CONFIG)
        peer_templates(a.out, a.format)
    extra = 'sort_by = "weight"\n' if a.format == "zola" else ""
    write(os.path.join(plan, "_index.md"),
          f'+++\ntitle = "{a.plan}年工作要点"\n{extra}+++\n\n' + zh_body(rng, sents))
    write(os.path.join(plan, "_index.en.md"),
          f'+++\ntitle = "{a.plan} work plan"\n+++\n\n' + en_body(rng))
    made = set()
    for it in gen_items(a.items, sections, rng, sents):
        sdir = os.path.join(plan, f"{it['section']}-section-{it['section']}")
        if sdir not in made:
            made.add(sdir)
            sh = "number = {n}\n".format(n=it["section"]) if a.format == "planpub" else ""
            sh += 'sort_by = "weight"\n' if a.format == "zola" else ""
            write(os.path.join(sdir, "_index.md"), f"+++\n{sh}title = \"第{it['section']}部分\"\n+++\n")
            write(os.path.join(sdir, "_index.en.md"), f"+++\ntitle = \"Part {it['section']}\"\n+++\n")
        zh, en = planpub_item(it) if a.format == "planpub" else peer_item(it, a.format)
        name = f"{it['number']:04d}-item-{it['number']}"
        write(os.path.join(sdir, name + ".md"), zh)
        write(os.path.join(sdir, name + ".en.md"), en)
    print(f"{a.items} items in {sections} sections, {a.format} layout, under {a.out}")


if __name__ == "__main__":
    main()
