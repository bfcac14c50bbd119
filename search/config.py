"""All tunable settings in one place, with defaults that work out of the box."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_INDEX_DIR = "index"


def _from_env(name: str, default: float) -> float:
    """A number from the environment (for operators and tests), else the default."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = type(default)(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise SystemExit(f"{name} must not be negative, not {raw!r}")
    return value


def default_index_dir() -> Path:
    """The index folder: `$ZHSEARCH_INDEX`, else `./index`."""
    return Path(os.environ.get("ZHSEARCH_INDEX", DEFAULT_INDEX_DIR))


@dataclass(frozen=True)
class RankingConfig:
    """How a query is scored: BM25F parameters and field weights."""

    bm25_b: float = 1.0
    bm25_k1: float = 1.2
    field_boosts: dict[str, float] = field(default_factory=lambda: {"title": 2.0, "text": 1.0})
    # The title's weight for a query of at most `short_query_words` words, and for longer
    # ones (questions), whose common words would otherwise match unrelated headlines.
    short_query_words: int = 2
    title_boost_short: float = 2.0
    title_boost_long: float = 0.5
    # Queries of at most this many words list the articles that have all of them first
    # (the words themselves, not their sub-words); for a question, at most this many.
    all_words_first_max: int = 3
    question_all_words_max: int = 2
    # Score of query words that stand next to each other in an article (slop: words between).
    proximity_weight: float = 0.5
    proximity_slop: int = 1
    # Only the first pairs of a long question: each pair is a phrase search of its own.
    max_proximity_pairs: int = 16
    # Words in more than this share of the articles add no proximity score between them.
    common_share: float = 0.2
    # Coordination bonus of a loosened query: articles with more of the words rank higher.
    coord_scale: float = 0.9
    # Weight of a query word's sub-words (足球联赛 → 足球, 联赛) beside the word itself.
    subword_weight: float = 0.6
    # A synonym's match (search/synonyms.py) counts this much of the word typed.
    synonym_weight: float = 0.8
    # Weight of the character pairs of a name jieba did not know (雷沛鸿 → 雷沛, 沛鸿), which
    # find it where an article's segmentation glued it to a neighbour (雷沛鸿说).
    bigram_weight: float = 0.5
    # Weight of a question's character pairs that the index holds as such pairs of a name:
    # they find the name where the question's segmentation cut through it (拉|露出 for 拉露).
    name_pair_weight: float = 0.5
    # The best matches of a plain-word query are ordered again by how much of the query
    # their title and the beginning of their text hold (search/rerank.py): this many of them
    # (0: no reordering), the text's first `rerank_text_chars` characters, and these weights
    # of the shares of the query's characters and character pairs found, beside the score as
    # a share of the best one's. Chosen on the tune halves of bench.quality's sets; 50 deep
    # and 1,000 characters gain a little more (DRCD MRR@10 +0.003, Sogou nDCG@10 +0.0015) for
    # a sixth of the searches a second over HTTP.
    rerank_depth: int = 30
    rerank_text_chars: int = 500
    rerank_unit_weight: float = 1.0
    rerank_pair_weight: float = 1.0
    # How many of an article's most telling words find its related articles.
    related_terms: int = 12
    related_min_shared: int = 2  # of those words, that a related article must also have


@dataclass(frozen=True)
class SearchLimits:
    """Bounds that keep every query cheap, whatever the user typed."""

    max_query_chars: int = 500
    max_query_words: int = 40  # the longest real questions have about 35
    # A search stops collecting after this long and answers with what it found so far.
    search_seconds: float = 1.0
    # Segments are scored together in runs of up to this many articles, and the time limit
    # is also checked between runs: a search past it answers with the runs it finished.
    scoring_run_docs: int = 100_000
    default_page_size: int = 10
    max_page_size: int = 100
    max_page: int = 100
    snippet_chars: int = 160
    related_articles: int = 5  # on an article's page and in /api/documents/<id>
    facet_values: int = 20  # the most frequent values a facet lists
    max_filter_values: int = 20  # sources or categories chosen at once
    suggestion_words: int = 60_000  # the most frequent indexed words kept for suggestions


@dataclass(frozen=True)
class IndexingConfig:
    """How documents are written: memory and commit sizes, file limits."""

    writer_memory_mb: int = 256
    commit_every: int = 5000
    # A parallel run's workers each build segments of this many articles, committed as each is
    # finished (search/backends/whoosh/builders.py): large, since they are never merged while
    # writing.
    segment_docs: int = 50_000
    # Batches of at least this many bytes are analysed and written by several processes.
    parallel_min_bytes: int = 4 * 1024 * 1024
    max_procs: int = 4
    # A text file, read whole; JSON Lines exports are streamed and have no size limit.
    max_file_bytes: int = 50 * 1024 * 1024
    # One web page; real article pages are well under 2 MB, and parsing is slow per byte.
    max_html_bytes: int = 8 * 1024 * 1024
    # Real news pages nest some tens of levels; one near libxml2's own limit (256) is hostile
    # or broken, and BeautifulSoup's recursive tree walks would take minutes or overflow on it.
    max_html_nesting: int = 200


@dataclass(frozen=True)
class ServingConfig:
    """How `zhsearch serve` runs: worker processes, threads and when suggestions warm up."""

    host: str = "127.0.0.1"
    port: int = 8000
    # One search is CPU work that holds a process: one worker process per core uses them all.
    # Each worker keeps its own caches of the index, so their number is capped.
    max_workers: int = 4
    workers: int = 0  # worker processes; 0: one per core, at most `max_workers`
    threads: int = 8  # per worker: connections waiting on a slow client do not block others
    # The suggestion lexicon takes seconds on a large index: built this long after start,
    # out of the way of the first searches.
    lexicon_delay_seconds: float = 3.0
    # After a commit, a new lexicon is built only if the one at hand is at least this old:
    # writes over HTTP commit several times a second, and a build takes seconds of CPU.
    lexicon_min_age_seconds: float = 300.0
    # What each process keeps of the index's posting lists and positions once decoded
    # (search/backends/whoosh/vectorized.py): a search of words found in this cache does not
    # decode them again, and at 10⁶ articles a frequent word's postings take megabytes
    # (bench.scale at 10⁶, 64 → 160 MB: keyword p50 107 → 83 ms, 10.9 → 18.5 searches/s at 8
    # clients, serving PSS 1,185 → 1,322 MB). An index of 10⁵ articles never fills it.
    postings_cache_mb: int = 160
    positions_cache_mb: int = 64

    def default_workers(self) -> int:
        if self.workers:
            return self.workers
        return max(1, min(os.cpu_count() or 1, self.max_workers))


@dataclass(frozen=True)
class WritingConfig:
    """The write path over HTTP: request bounds, the journal's backlog, how often it commits."""

    max_request_articles: int = 10_000
    max_request_bytes: int = 32 * 1024 * 1024
    max_article_bytes: int = 4 * 1024 * 1024  # one article as JSON
    max_id_chars: int = 256
    # Past either bound the journal refuses writes (HTTP 429) until the committer catches up;
    # $ZHSEARCH_MAX_QUEUED_WRITES and $ZHSEARCH_MAX_QUEUED_MB set them.
    max_queued_writes: int = field(
        default_factory=lambda: _from_env("ZHSEARCH_MAX_QUEUED_WRITES", 100_000)
    )
    max_queued_bytes: int = field(
        default_factory=lambda: _from_env("ZHSEARCH_MAX_QUEUED_MB", 1024) * 1024 * 1024
    )
    retry_after_seconds: int = 5
    # The committer starts a commit of what is queued at most this often (and of at most this
    # many writes at once): fewer, larger commits than one per request. Every commit is a
    # segment; at 0.1 s they piled up faster than merges folded them. Under a steady stream a
    # write waits at most the longer of the interval and a commit, and then its own commit.
    commit_interval_seconds: float = 0.4
    commit_max_writes: int = 1_000
    committer_memory_mb: int = 64  # of postings its writer holds before spilling to disk
    # The committer's segments are merged beside it (search/writes/merging.py), this many of
    # one tier (a power of ten of articles) at a time, none over `merge_max_docs` articles;
    # in three lanes, each never behind another's merge: segments under `small_merge_docs`
    # (merges of a second or so), under `medium_merge_docs` (seconds), and the rest. (With one
    # lane from 100 up, ten segments of ~100 waited two minutes behind a merge of ten of
    # 1,000 and more under 20 writes a second, and the segments doubled to 85; with one lane
    # from 1,000 down, 70 piled up behind a merge of 6,000.)
    merge_factor: int = 10
    merge_max_docs: int = 100_000
    small_merge_docs: int = 100
    medium_merge_docs: int = 1_000
    merge_memory_mb: int = 128
    # A merge's CPU priority (nice) while its lane keeps up: commits and searches come first.
    merge_nice: int = 10
    # How long `?wait=true` waits for a write to become searchable before answering 504
    # ($ZHSEARCH_WRITE_WAIT_SECONDS).
    wait_seconds: float = field(
        default_factory=lambda: _from_env("ZHSEARCH_WRITE_WAIT_SECONDS", 30.0)
    )


@dataclass(frozen=True)
class AnalyticsConfig:
    """What readers search for (search/analytics.py): recorded beside the index, bounded."""

    enabled: bool = True
    max_age_days: int = 90  # older searches are dropped
    max_rows: int = 1_000_000  # and the oldest beyond this many
    # 热门搜索 on the home page: the past week's queries that found something, each asked
    # at least this many times (so that no single reader can put words there).
    popular_days: int = 7
    popular_min_count: int = 5
    popular_shown: int = 8
    popular_refresh_seconds: float = 30.0


@dataclass(frozen=True)
class XapianConfig:
    """The Xapian shards (search/backends/xapian/), each served by `xapian-tcpsrv`."""

    shards: str = ""  # host:port,host:port… in routing order
    timeout_ms: int = 2000  # a shard that has not answered by then counts as down
    # A search some shard did not answer shows what the others found, flagged partial with the
    # missing shards named; false: it is refused (HTTP 503) instead.
    partial_results: bool = True
    retry_seconds: float = 1.0  # how often a shard found down is tried again


RANKING = RankingConfig()
LIMITS = SearchLimits()
INDEXING = IndexingConfig()
SERVING = ServingConfig()
WRITING = WritingConfig()
ANALYTICS = AnalyticsConfig()
XAPIAN = XapianConfig()


# The tables of a settings file and what each changes (search/settings.py).
SECTIONS = {
    "ranking": RANKING,
    "limits": LIMITS,
    "indexing": INDEXING,
    "serving": SERVING,
    "writing": WRITING,
    "analytics": ANALYTICS,
    "xapian": XAPIAN,
}


def _apply_settings_file() -> None:
    """$ZHSEARCH_CONFIG over the defaults above (search/settings.py), in every process that
    imports this module: the CLI, the server's workers, its background merges."""
    path = os.environ.get("ZHSEARCH_CONFIG", "").strip()
    if path:
        from .settings import SettingsError, apply_file

        try:
            apply_file(Path(path), SECTIONS)
        except SettingsError as exc:
            raise SystemExit(f"$ZHSEARCH_CONFIG: {exc}") from None


_apply_settings_file()
