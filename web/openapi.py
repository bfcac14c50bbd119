"""The OpenAPI 3.1 description of the JSON API (served at /api/openapi.json)."""

from __future__ import annotations

from search.config import LIMITS, WRITING
from search.documents import SORTS
from search.filters import DATE_PRESETS

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _query(name: str, description: str, schema: dict, **extra) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERROR = _json(_ref("Error"), "The request could not be answered; `message` says why.")

_SCHEMAS = {
    "Error": _object({"error": _STRING, "message": _STRING}),
    "Hit": _object(
        {
            "id": _STRING,
            "title": _STRING,
            "url": _STRING,
            "date": _DATE_TIME,
            "score": {"type": "number"},
            "title_html": {**_STRING, "description": "HTML-escaped, query words in <mark>"},
            "snippet_html": {**_STRING, "description": "HTML-escaped, query words in <mark>"},
            "author": _STRING,
            "source": _STRING,
            "category": _STRING,
        }
    ),
    "FacetValue": _object(
        {"value": _STRING, "count": {"type": "integer"}, "selected": {"type": "boolean"}}
    ),
    "Facets": _object(
        {
            name: {"type": "array", "items": _ref("FacetValue")}
            for name in ("source", "category", "year", "date_range")
        }
    ),
    "SearchResults": _object(
        {
            "query": _STRING,
            "total": {"type": "integer", "description": "all matching articles"},
            "page": {"type": "integer"},
            "size": {"type": "integer"},
            "took_ms": {"type": "number"},
            "hits": {"type": "array", "items": _ref("Hit")},
            "facets": _ref("Facets"),
            "suggestion": {
                **_NULLABLE_STRING,
                "description": "a corrected query (did you mean) when this one found nothing",
            },
            "partial": {
                "type": "boolean",
                "description": "the search ran out of time, or some shard did not answer;"
                " total and facets are lower bounds",
            },
            "missing_shards": {
                "type": "array",
                "items": _STRING,
                "description": "the shards (host:port) that did not answer; empty on one index",
            },
            "notes": {
                "type": "array",
                "items": _ref("QueryNote"),
                "description": "how the query was read other than as typed (empty: as typed)",
            },
            "expanded": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "the synonyms each query word was also searched with",
            },
        }
    ),
    "QueryNote": _object(
        {
            "kind": {
                "type": "string",
                "enum": ["plain_words", "cut", "number_prefix"],
                "description": "plain_words: operators that could not be read (an unbalanced"
                " quote or parenthesis, only an exclusion) were dropped and the words searched;"
                " cut: only the first words (or characters) up to the limit were searched;"
                " number_prefix: a long number no article holds was searched by its longest"
                " leading digits some article holds (a phone number's 号段)",
            },
            "message": _STRING,
        }
    ),
    "Suggestion": _object(
        {
            "text": _STRING,
            "kind": {"type": "string", "enum": ["word", "title"]},
            "id": {**_NULLABLE_STRING, "description": "the article of a title suggestion"},
        }
    ),
    "Suggestions": _object(
        {"query": _STRING, "suggestions": {"type": "array", "items": _ref("Suggestion")}}
    ),
    "Document": _object(
        {
            "id": _STRING,
            "title": _STRING,
            "text": {**_STRING, "description": "one paragraph a line"},
            "url": _STRING,
            "date": _DATE_TIME,
            "author": _STRING,
            "source": _STRING,
            "category": _STRING,
            "related": {"type": "array", "items": _ref("Hit")},
        }
    ),
    "Stats": _object(
        {
            "articles": {"type": "integer"},
            "index_bytes": {
                "type": ["integer", "null"],
                "description": "the index's size on disk; null on Xapian shards",
            },
            "last_update": _DATE_TIME,
            "queued": {"type": "integer", "description": "writes accepted, not yet searchable"},
            "last_commit": {**_DATE_TIME, "description": "when the newest commit was written"},
        }
    ),
    "Article": {
        "type": "object",
        "description": "One article, as a line of a JSON Lines export",
        "properties": {
            "id": {"type": ["string", "integer"], "maxLength": WRITING.max_id_chars},
            "title": _STRING,
            "text": {**_STRING, "description": "one paragraph a line (also called content)"},
            "url": _STRING,
            "date": {**_STRING, "description": "ISO 8601 or a Chinese date; China time if unzoned"},
            "author": _STRING,
            "source": _STRING,
            "category": _STRING,
        },
    },
    "Rejected": _object(
        {
            "index": {"type": "integer", "description": "its place in the request, from 0"},
            "id": _NULLABLE_STRING,
            "error": _STRING,
        }
    ),
    "Accepted": _object(
        {
            "accepted": {"type": "integer"},
            "rejected": {"type": "array", "items": _ref("Rejected")},
            "seq": {"type": "integer", "description": "the last accepted write's number"},
        }
    ),
    "Deleted": _object({"seq": {"type": "integer"}}),
    "Task": _object(
        {
            "seq": {"type": "integer"},
            "status": {"type": "string", "enum": ["queued", "searchable", "failed"]},
            "error": {**_STRING, "description": "why a failed write could not be applied"},
        },
        required=["seq", "status"],
    ),
    "WriteTimeout": _object({"error": _STRING, "message": _STRING, "seq": {"type": "integer"}}),
    "Health": _object(
        {"status": {"type": "string", "enum": ["ok", "no_index"]}, "articles": {"type": "integer"}}
    ),
}

_SEARCH_PARAMETERS = [
    _query(
        "q",
        'the query: words, "phrases", AND / OR / NOT, -word, field:word; what these cannot'
        " read is searched as plain words, and past"
        f" {LIMITS.max_query_words} words or {LIMITS.max_query_chars} characters it is cut,"
        " both with a note (400 only for a query with nothing to search for)",
        _STRING,
    ),
    _query("page", "page number", {"type": "integer", "minimum": 1, "maximum": LIMITS.max_page}),
    _query(
        "size",
        "hits per page",
        {"type": "integer", "minimum": 1, "maximum": LIMITS.max_page_size},
    ),
    _query("sort", "order of the hits", {"type": "string", "enum": list(SORTS)}),
    _query(
        "range",
        "a preset date range ending today (not with `from`)",
        {"type": "string", "enum": list(DATE_PRESETS)},
    ),
    _query("from", "first day, China time", {"type": "string", "format": "date"}),
    _query("to", "last day, China time (included)", {"type": "string", "format": "date"}),
    _query(
        "source",
        "keep articles from these sources (repeat the parameter for several)",
        {"type": "array", "items": _STRING},
        explode=True,
    ),
    _query(
        "category",
        "keep articles in these categories (repeat the parameter for several)",
        {"type": "array", "items": _STRING},
        explode=True,
    ),
]


_WAIT = _query(
    "wait",
    f"answer only once the write is searchable (504 after {WRITING.wait_seconds:g} s)",
    {"type": "boolean"},
)
_ID = {"name": "id", "in": "path", "required": True, "schema": _STRING}
_SECURED = [{"key": []}]


def _write_responses(ok: dict) -> dict:
    return {
        "202": ok,
        "400": _ERROR,
        "401": _ERROR,
        "403": _json(_ref("Error"), "writes are off (no write key exists) or the key only reads"),
        "413": _ERROR,
        "429": _json(_ref("Error"), "the write queue is full: retry after `Retry-After` s"),
        "504": _json(_ref("WriteTimeout"), "with ?wait=true: saved, not yet searchable"),
    }


_ACCEPTED = _json(_ref("Accepted"), "journaled (on disk), searchable within about a second")
_DELETED = _json(_ref("Deleted"), "journaled; deleting an unknown id is no error")
_ARTICLES_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "array", "items": _ref("Article")}},
        "application/x-ndjson": {"schema": _STRING},
    },
}


def _write_paths() -> dict:
    return {
        "/api/documents/{id}": {
            "get": {
                "summary": "One article and the articles related to it",
                "parameters": [_ID],
                "responses": {
                    "200": _json(_ref("Document"), "the article"),
                    "404": _ERROR,
                    "503": _ERROR,
                },
            },
            "put": {
                "summary": "Add or replace one article",
                "security": _SECURED,
                "parameters": [_ID, _WAIT],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Article")}},
                },
                "responses": _write_responses(_ACCEPTED),
            },
            "delete": {
                "summary": "Delete one article",
                "security": _SECURED,
                "parameters": [_ID, _WAIT],
                "responses": _write_responses(_DELETED),
            },
        },
        "/api/documents": {
            "post": {
                "summary": (
                    f"Add or replace up to {WRITING.max_request_articles:,} articles"
                    f" ({WRITING.max_request_bytes // (1024 * 1024)} MB); bad ones are rejected"
                    " one by one"
                ),
                "security": _SECURED,
                "parameters": [_WAIT],
                "requestBody": _ARTICLES_BODY,
                "responses": _write_responses(_ACCEPTED),
            }
        },
        "/api/documents/delete": {
            "post": {
                "summary": "Delete many articles",
                "security": _SECURED,
                "parameters": [_WAIT],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": _object(
                                {"ids": {"type": "array", "items": {"type": ["string", "integer"]}}}
                            )
                        }
                    },
                },
                "responses": _write_responses(_DELETED),
            }
        },
        "/api/tasks/{seq}": {
            "get": {
                "summary": "Whether a write is searchable yet",
                "parameters": [
                    {"name": "seq", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {"200": _json(_ref("Task"), "its state"), "404": _ERROR},
            }
        },
    }


_SYNONYMS = _object(
    {
        "sets": {
            "type": "array",
            "items": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "description": "words that mean the same: each finds the others",
        },
        "one_way": {
            "type": "array",
            "items": _object(
                {
                    "word": {"type": "string"},
                    "finds": {"type": "array", "items": {"type": "string"}},
                }
            ),
            "description": "a word that also finds others, not they it",
        },
    },
    required=[],
)


def _synonym_paths() -> dict:
    answer = {
        **_SYNONYMS,
        "properties": {
            **_SYNONYMS["properties"],
            "text": {"type": "string", "description": "the rules as the synonyms file"},
            "warnings": {
                "type": "array",
                "items": {"type": "string"},
                "description": "words of the rules that queries do not reach (cut in several)",
            },
        },
        "required": ["sets", "one_way", "text", "warnings"],
    }
    return {
        "/api/synonyms": {
            "get": {
                "summary": "The synonyms queries are expanded with",
                "responses": {"200": _json(answer, "the rules, and as the synonyms file")},
            },
            "put": {
                "summary": "Replace every synonym rule (applies from the next search)",
                "security": _SECURED,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": _SYNONYMS},
                        "text/plain": {"schema": {"type": "string"}},
                    },
                },
                "responses": {
                    "200": _json(answer, "the rules now in force"),
                    "400": _ERROR,
                    "401": _ERROR,
                    "403": _json(_ref("Error"), "writes are off or the key only reads"),
                    "413": _ERROR,
                },
            },
        }
    }


def _analytics_paths() -> dict:
    counts = _object(
        {
            "days": {"type": "integer"},
            "queries": {
                "type": "array",
                "items": _object(
                    {
                        "query": {"type": "string", "description": "folded as the analyser folds"},
                        "count": {"type": "integer"},
                        "total": {"type": "integer", "description": "hits the latest found"},
                    }
                ),
            },
        }
    )
    parameters = [
        _query("days", "the past this many days", {"type": "integer", "minimum": 1}),
        _query("limit", "at most this many queries", {"type": "integer", "minimum": 1}),
    ]
    responses = {
        "200": _json(counts, "queries by how often they were asked"),
        "401": _ERROR,
        "403": _json(_ref("Error"), "no write key exists, or the key only reads"),
    }
    return {
        "/api/analytics/top": {
            "get": {
                "summary": "The most asked queries (a write key)",
                "security": _SECURED,
                "parameters": parameters,
                "responses": responses,
            }
        },
        "/api/analytics/no-results": {
            "get": {
                "summary": "The most asked queries that found nothing (a write key)",
                "security": _SECURED,
                "parameters": parameters,
                "responses": responses,
            }
        },
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "zhsearch",
            "version": "0.1.0",
            "description": "Full-text search over Chinese articles.",
        },
        "paths": {
            **_write_paths(),
            **_synonym_paths(),
            **_analytics_paths(),
            "/api/search": {
                "get": {
                    "summary": "One page of ranked, highlighted results with facets",
                    "parameters": _SEARCH_PARAMETERS,
                    "responses": {
                        "200": _json(_ref("SearchResults"), "the results"),
                        "400": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/suggest": {
                "get": {
                    "summary": "Completions of a partly typed query (words, pinyin, titles)",
                    "parameters": [
                        _query("q", "what has been typed so far", _STRING),
                        _query(
                            "limit",
                            "most suggestions",
                            {"type": "integer", "minimum": 1, "maximum": 20},
                        ),
                    ],
                    "responses": {
                        "200": _json(_ref("Suggestions"), "the suggestions"),
                        "400": _ERROR,
                        "503": _ERROR,
                    },
                }
            },
            "/api/stats": {
                "get": {
                    "summary": "Size and freshness of the index",
                    "responses": {"200": _json(_ref("Stats"), "the figures"), "503": _ERROR},
                }
            },
            "/healthz": {
                "get": {
                    "summary": "Whether the service has an index to search",
                    "responses": {
                        "200": _json(_ref("Health"), "serving"),
                        "503": _json(_ref("Health"), "no index yet"),
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "summary": "This description",
                    "responses": {"200": {"description": "an OpenAPI 3.1 document"}},
                }
            },
        },
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "key": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A key from `zhsearch keys create NAME --scope write|read`. Writes need"
                        " a write key; with `serve --require-key` every call but /healthz"
                        " needs one (the page also takes it as a Basic password)."
                    ),
                }
            },
        },
    }
