"""A search result as the page and the API show it, from the article it is of."""

from __future__ import annotations

from .config import LIMITS
from .dates import format_date
from .documents import Article, Hit
from .highlight import highlight, snippet


def hit_of(article: Article, score: float, terms: set[str]) -> Hit:
    """The hit for `article`, its title and snippet marking `terms`."""
    return Hit(
        id=article.id,
        title=article.title,
        url=article.url,
        date=format_date(article.date),
        score=round(float(score), 4),
        title_html=highlight(article.title, terms),
        snippet_html=snippet(article.text, terms, LIMITS.snippet_chars),
        author=article.author,
        source=article.source,
        category=article.category,
    )
