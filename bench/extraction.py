"""Article extraction quality on real saved pages: zhsearch's extractor against trafilatura.

    python -m bench.extraction [--verbose]

Scores every page of ../shared/corpora/news_html/ that has expected (gold) fields: body
character-level F1 after removing whitespace (bag of characters), title / author /
publish_time exact after whitespace normalisation, title_contains as a substring, and the
body_must_contain / body_must_not_contain snippets. Both extractors get the same decoded text.

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
from collections import Counter

from bench.common import require_shared
from indexer.encoding import declared_html_charset, decode
from indexer.html import extract

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


def same_time(predicted: str | None, expected: str) -> bool:
    """Exact match at the precision the expected value gives (a date, or a time to the minute)."""
    if not predicted:
        return False
    digits_expected = re.findall(r"\d+", expected)
    digits_predicted = re.findall(r"\d+", predicted)[: len(digits_expected)]
    return [int(d) for d in digits_predicted] == [int(d) for d in digits_expected]


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
        scores["author"] = float(normalise(fields["author"]) == normalise(expected["author"]))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every page's scores")
    args = parser.parse_args()
    folder = require_shared() / "news_html"
    systems = {"zhsearch": zhsearch_fields, "trafilatura": trafilatura_fields}
    per_field: dict[str, dict[str, list[float]]] = {s: {} for s in systems}
    pages = 0
    for meta_path in sorted(folder.glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if not meta.get("gold") or not meta.get("expected"):
            continue
        pages += 1
        data = (folder / f"{meta['id']}.html").read_bytes()
        html, _ = decode(data, declared_html_charset(data))
        for name, fields_of in systems.items():
            keeps_suffix = "site suffix included" in (meta.get("notes") or "")
            scores = score(fields_of(html), meta["expected"], keeps_suffix)
            for key, value in scores.items():
                per_field[name].setdefault(key, []).append(value)
            if args.verbose:
                print(meta["id"], name, {k: round(v, 3) for k, v in scores.items()})
    keys = sorted({k for s in per_field.values() for k in s})
    print(f"\nEXTRACTION on {pages} gold pages of news_html (mean per field; n = pages with it)")
    print(f"{'field':<18}{'n':>4}" + "".join(f"{s:>14}" for s in systems))
    for key in keys:
        n = len(per_field["zhsearch"].get(key, []))
        row = "".join(f"{statistics.mean(per_field[s][key]):>14.3f}" for s in systems)
        print(f"{key:<18}{n:>4}{row}")


if __name__ == "__main__":
    main()
