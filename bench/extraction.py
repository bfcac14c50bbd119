"""Article extraction quality on real saved pages: zhsearch's extractor against trafilatura.

    python -m bench.extraction [--verbose] [--folders news_html,news_html_more]

Scores every page of ../shared/corpora/news_html/ and news_html_more/ that has expected (gold)
fields, per source project and overall: body character-level F1 after removing whitespace
(bag of characters), title / author / publish_time exact after whitespace normalisation,
title_contains as a substring, and the body_must_contain / body_must_not_contain snippets.
Both extractors get the same decoded text. Where the gold body opens with the page's headline
(DAniEL's annotations, many of magic-html's), body F1 is the better of the text and the title
followed by the text, for both systems alike.

Every figure is given for the tuning half (pages whose sha1 starts with an even byte), the
held-out half (odd) and all pages: rules were tuned looking at the first half only. Time per
page is the in-process time of one extraction of the decoded text (no start-up, no decoding).

Two rows read the gold at what it means rather than letter for letter, next to the strict
rows: `title_headline` accepts the headline where the gold is the page title with the site
suffix kept (Readability's expected titles, "标题_科技_腾讯网"; the page's notes say so), and
`publish_date` compares the date only (newspaper4k records a date-only value as T00:00:00).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from bench.common import require_shared
from indexer.encoding import declared_html_charset, decode
from indexer.html import extract
from search.dates import to_china_time

SPACE = re.compile(r"\s+")


def squeeze(text: str | None) -> str:
    return SPACE.sub("", text or "")


def normalise(text: str | None) -> str:
    return SPACE.sub(" ", text or "").strip()


def char_f1(predicted: str, expected: str) -> float:
    predicted, expected = Counter(squeeze(predicted)), Counter(squeeze(expected))
    common = sum((predicted & expected).values())
    if not common:
        return 0.0
    precision = common / sum(predicted.values())
    recall = common / sum(expected.values())
    return 2 * precision * recall / (precision + recall)


_ZONED = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")


def same_time(predicted: str | None, expected: str) -> bool:
    """Exact match at the precision the expected value gives (a date, or a time to the minute);
    an expected value with a zone (postlight's are UTC: 2017-03-01T06:27:02.000Z) is compared
    as that instant in China time, the zone of the predicted values."""
    if not predicted:
        return False
    if _ZONED.search(expected):
        instant = datetime.fromisoformat(expected.replace("Z", "+00:00"))
        expected = to_china_time(instant).strftime("%Y-%m-%d %H:%M:%S")
    digits_expected = re.findall(r"\d+", expected)
    digits_predicted = re.findall(r"\d+", predicted)[: len(digits_expected)]
    return [int(d) for d in digits_predicted] == [int(d) for d in digits_expected]


def names_of(authors: str | None) -> set[str]:
    """The people an author field names, however it joins them (王小明 李华, 王小明、李华)."""
    return set(re.split(r"[\s、，,;；/]+", normalise(authors))) - {""}


SUFFIX_SEPARATOR = re.compile(r"\s*(?:[_|｜@-]|::|\s[—–]\s)")


def headline_of(title: str, gold: str, gold_keeps_suffix: bool) -> bool:
    """The title is the gold, or the headline that opens a gold page title with its site suffix."""
    title, gold = normalise(title), normalise(gold)
    if title == gold:
        return True
    rest = gold[len(title) :]
    return (
        gold_keeps_suffix
        and bool(title)
        and gold.startswith(title)
        and bool(SUFFIX_SEPARATOR.match(rest))
    )


def zhsearch_fields(html: str) -> dict:
    page = extract(html)
    return {
        "title": page.title,
        "author": page.author,
        "publish_time": page.date.strftime("%Y-%m-%d %H:%M:%S") if page.date else None,
        "body": page.text,
    }


def trafilatura_fields(html: str) -> dict:
    import trafilatura

    result = trafilatura.bare_extraction(html, with_metadata=True)
    doc = result.as_dict() if result is not None else {}
    return {
        "title": doc.get("title") or "",
        "author": doc.get("author") or "",
        "publish_time": doc.get("date"),
        "body": doc.get("text") or "",
    }


def score(fields: dict, expected: dict, gold_keeps_suffix: bool = False) -> dict[str, float]:
    scores: dict[str, float] = {}
    if "body" in expected:
        scores["body_f1"] = char_f1(fields["body"], expected["body"])
    if "title" in expected:
        scores["title"] = float(normalise(fields["title"]) == normalise(expected["title"]))
        scores["title_headline"] = float(
            headline_of(fields["title"], expected["title"], gold_keeps_suffix)
        )
    if "title_contains" in expected:
        scores["title_contains"] = float(
            normalise(expected["title_contains"]) in normalise(fields["title"])
        )
    if expected.get("author"):
        scores["author"] = float(names_of(fields["author"]) == names_of(expected["author"]))
    if expected.get("publish_time"):
        scores["publish_time"] = float(same_time(fields["publish_time"], expected["publish_time"]))
        scores["publish_date"] = float(
            same_time(fields["publish_time"], expected["publish_time"][:10])
        )
    body = squeeze(fields["body"])
    if "body_must_contain" in expected:
        scores["must_contain"] = float(
            all(squeeze(s) in body for s in expected["body_must_contain"])
        )
    if "body_must_not_contain" in expected:
        scores["must_not_contain"] = float(
            not any(squeeze(s) in body for s in expected["body_must_not_contain"])
        )
    return scores


SOURCE_GROUPS = {
    "opendatalab/magic-html": "magic-html",
    "mozilla/readability": "readability",
    "adbar/trafilatura": "trafilatura",
    "AndyTheFactory/newspaper4k": "newspaper4k",
    "virus-warnning/twnews": "twnews",
    "rundimeco/waddle": "daniel",
    "immortal-autumn/Chinese-Web-Content-Extraction-Dataset": "immortal",
    "goose3/goose3": "goose3",
    "postlight/parser": "postlight",
}
HALVES = ("tune", "held-out", "all")


def half_of(meta: dict) -> str:
    """Which half a page is in: fixed by its bytes' sha1, not by anything about its content."""
    return "tune" if int(meta["sha1"][:2], 16) % 2 == 0 else "held-out"


def headline_first(html_title: str, gold_body: str) -> bool:
    """Whether the gold body opens with the headline: its first line is in the page title."""
    first = squeeze(gold_body.split("\n", 1)[0])
    return 4 <= len(first) <= 80 and first in squeeze(html_title)


def page_title(html: str) -> str:
    match = re.search(r"<title[^>]*>(.*?)</title>", html, re.I | re.S)
    return match.group(1) if match else ""


def gold_pages(folders: list[str]) -> list[tuple[Path, dict]]:
    shared = require_shared()
    pages = []
    for folder_name in folders:
        folder = shared / folder_name
        for meta_path in sorted(folder.glob("*.json")):
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("gold") and meta.get("expected"):
                pages.append((folder / f"{meta['id']}.html", meta))
    return pages


def timed_fields(fields_of, html: str) -> tuple[dict, float]:
    started = time.perf_counter()
    fields = fields_of(html)
    return fields, (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def mean_or_dash(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f}" if values else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every page's scores")
    parser.add_argument("--folders", default="news_html,news_html_more")
    args = parser.parse_args()
    systems = {"zhsearch": zhsearch_fields, "trafilatura": trafilatura_fields}
    # scores[system][(group, half)][field] -> values
    scores: dict[str, dict[tuple[str, str], dict[str, list[float]]]] = {s: {} for s in systems}
    millis: dict[str, list[float]] = {s: [] for s in systems}
    pages = gold_pages(args.folders.split(","))
    for html_path, meta in pages:
        data = html_path.read_bytes()
        html, _ = decode(data, declared_html_charset(data))
        expected = meta["expected"]
        group = SOURCE_GROUPS.get(meta["source_repo"], meta["source_repo"])
        with_headline = "body" in expected and headline_first(page_title(html), expected["body"])
        for name, fields_of in systems.items():
            fields, took = timed_fields(fields_of, html)
            millis[name].append(took)
            keeps_suffix = "site suffix included" in (meta.get("notes") or "")
            page_scores = score(fields, expected, keeps_suffix)
            if with_headline:
                titled = dict(fields, body=f"{fields['title']}\n{fields['body']}")
                page_scores["body_f1"] = max(
                    page_scores["body_f1"], score(titled, expected)["body_f1"]
                )
            for half in (half_of(meta), "all"):
                for key in ((group, half), ("overall", half)):
                    for field, value in page_scores.items():
                        scores[name].setdefault(key, {}).setdefault(field, []).append(value)
            if args.verbose:
                print(
                    meta["id"],
                    group,
                    half_of(meta),
                    name,
                    {k: round(v, 3) for k, v in page_scores.items()},
                )
    groups = [g for g in dict.fromkeys(SOURCE_GROUPS.values()) if (g, "all") in scores["zhsearch"]]
    print(f"\nEXTRACTION on {len(pages)} gold pages of {args.folders} (mean per page)")
    print("body F1 per source: zhsearch / trafilatura, tuning half | held-out half | all pages")
    print(f"{'source':<13}{'pages':>12}" + "".join(f"{h:>20}" for h in HALVES))
    for group in groups + ["overall"]:
        counts = [len(scores["zhsearch"].get((group, h), {}).get("body_f1", [])) for h in HALVES]
        cells = []
        for half in HALVES:
            values = [scores[s].get((group, half), {}).get("body_f1", []) for s in systems]
            cells.append(" / ".join(mean_or_dash(v) for v in values))
        print(f"{group:<13}{'/'.join(map(str, counts)):>12}" + "".join(f"{c:>20}" for c in cells))
    print(
        "\nother fields over all pages that have them: n, zhsearch, trafilatura (tune | held-out)"
    )
    fields = sorted(
        {f for key in scores["zhsearch"] for f in scores["zhsearch"][key]} - {"body_f1"}
    )
    for group in groups + ["overall"]:
        for field in fields:
            values = [scores[s].get((group, "all"), {}).get(field, []) for s in systems]
            if not values[0]:
                continue
            halves = [scores["zhsearch"].get((group, h), {}).get(field, []) for h in HALVES[:2]]
            right = [int(sum(values[0])), int(sum(values[1]))]
            print(
                f"{group:<13}{field:<18}{len(values[0]):>4}{right[0]:>6}{right[1]:>6}"
                f"   ({mean_or_dash(halves[0])} | {mean_or_dash(halves[1])})"
            )
    print("\ntime per page, in process (ms):")
    for name in systems:
        p50, p95 = percentile(millis[name], 0.5), percentile(millis[name], 0.95)
        print(f"  {name:<12} p50 {p50:6.1f}   p95 {p95:6.1f}")
    ratio = percentile(millis["zhsearch"], 0.5) / percentile(millis["trafilatura"], 0.5)
    print(f"  zhsearch / trafilatura at p50: {ratio:.2f}")


if __name__ == "__main__":
    main()
