"""The write API: articles put, replaced and deleted over HTTP, journaled before answering.

A `202` means the write is fsynced in the index's journal (`search.writes.journal`); a
committer thread (`search.writes.committer`) makes it searchable, usually within a second.
`?wait=true` answers only once it is.
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, current_app, jsonify, request

from search.config import WRITING
from search.records import RecordError, checked_article
from search.writes import journal as journal_ops
from search.writes.committer import CommitterThread
from search.writes.journal import Journal

from .params import BadParameter, PayloadTooLarge

bp = Blueprint("writes", __name__)

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")


def journal() -> Journal:
    """This process's journal of the app's index, its committer thread started."""
    app = current_app
    found = app.extensions.get("zhsearch_journal")
    if found is None:
        found = app.extensions["zhsearch_journal"] = Journal(app.config["INDEX_DIR"])
    start_committer(app)
    return found


def start_committer(app: Flask) -> None:
    """Run a committer thread in this process (it commits once it gets the writer lock)."""
    thread = app.extensions.get("zhsearch_committer")
    if thread is None or not thread.is_alive():
        shards = app.config["SHARDS"] if app.config.get("BACKEND") == "xapian" else ""
        thread = CommitterThread(app.config["INDEX_DIR"], shards=shards)
        app.extensions["zhsearch_committer"] = thread
        thread.start()


def request_body() -> bytes:
    """The request body, refused whole (413) past WRITING.max_request_bytes."""
    limit = WRITING.max_request_bytes
    too_large = PayloadTooLarge(
        f"请求过大 (request body over {limit // (1024 * 1024)} MB; send fewer articles at once)"
    )
    if (request.content_length or 0) > limit:
        # Read what was sent (up to a bound) so the client hears the answer rather than a
        # connection reset while it is still sending.
        remaining = min(request.content_length, 4 * limit)
        while remaining > 0 and (chunk := request.stream.read(min(remaining, 1 << 20))):
            remaining -= len(chunk)
        raise too_large
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


def parse_json(data: bytes):
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadParameter("请求体不是 UTF-8 (the body is not UTF-8 JSON)") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadParameter(f"请求体不是有效的 JSON (the body is not JSON: {exc})") from None


def _records(data: bytes) -> list[tuple[object, str | None]]:
    """The batch's articles as (record, None), or (None, why) for a line that is no JSON."""
    if request.mimetype in NDJSON_TYPES:
        parsed: list[tuple[object, str | None]] = []
        for raw in data.split(b"\n"):
            if not raw.strip():
                continue
            try:
                parsed.append((json.loads(raw.decode("utf-8")), None))
            except UnicodeDecodeError:
                parsed.append((None, "不是 UTF-8 (not UTF-8)"))
            except (json.JSONDecodeError, RecursionError) as exc:
                parsed.append((None, f"不是有效的 JSON (not JSON: {exc})"))
        if not any(why is None for _, why in parsed):
            raise BadParameter("请求体不是 JSON Lines (the body holds no JSON line)")
        return parsed
    body = parse_json(data)
    if not isinstance(body, list):
        raise BadParameter(
            "请求体必须是文章的 JSON 数组 (the body must be a JSON array of articles,"
            " or JSON Lines with Content-Type: application/x-ndjson)"
        )
    return [(record, None) for record in body]


def _raw_id(record: object) -> str | None:
    value = record.get("id") if isinstance(record, dict) else None
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _accepted(body: dict, seq: int, wrote: bool):
    """202 with `body`; with ?wait=true, once the write `seq` is searchable (504 if not in
    time: it stays safe in the journal and will be)."""
    waits = wrote and request.args.get("wait", "").lower() in ("true", "1", "yes")
    if waits and not journal().wait_applied(seq, WRITING.wait_seconds):
        message = (
            f"写入已保存但 {WRITING.wait_seconds:g} 秒内未能完成索引 (the write is saved and"
            f" queued, not yet searchable after {WRITING.wait_seconds:g} s;"
            f" see /api/tasks/{seq})"
        )
        return jsonify({"error": "timeout", "message": message, "seq": seq}), 504
    return jsonify(body), 202


def _check_count(count: int) -> None:
    if count > WRITING.max_request_articles:
        raise PayloadTooLarge(
            f"一次最多 {WRITING.max_request_articles} 篇 (at most"
            f" {WRITING.max_request_articles} articles a request; this one has {count})"
        )


@bp.put("/api/documents/<path:doc_id>")
def put_document(doc_id: str):
    record = parse_json(request_body())
    if not isinstance(record, dict):
        raise BadParameter("请求体必须是一个 JSON 对象 (the body must be one JSON object)")
    if "id" in record and _raw_id(record) != doc_id:
        raise BadParameter(
            f"正文中的 id 与路径不一致 (the body's id {record.get('id')!r} is not the path's"
            f" {doc_id!r})"
        )
    try:
        article = checked_article({**record, "id": doc_id})
    except RecordError as exc:
        raise BadParameter(str(exc)) from None
    seq = journal().append([journal_ops.put(article)])
    return _accepted({"accepted": 1, "rejected": [], "seq": seq}, seq, wrote=True)


@bp.post("/api/documents")
def post_documents():
    records = _records(request_body())
    _check_count(len(records))
    writes, rejected = [], []
    for index, (record, unreadable) in enumerate(records):
        try:
            if unreadable:
                raise RecordError(unreadable)
            writes.append(journal_ops.put(checked_article(record)))
        except RecordError as exc:
            rejected.append({"index": index, "id": _raw_id(record), "error": str(exc)})
    seq = journal().append(writes) if writes else journal().last_seq()
    body = {"accepted": len(writes), "rejected": rejected, "seq": seq}
    return _accepted(body, seq, wrote=bool(writes))


@bp.delete("/api/documents/<path:doc_id>")
def delete_document(doc_id: str):
    seq = journal().append([journal_ops.delete(doc_id)])
    return _accepted({"seq": seq}, seq, wrote=True)


@bp.post("/api/documents/delete")
def delete_documents():
    body = parse_json(request_body())
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list):
        raise BadParameter('请求体必须是 {"ids": [...]} (the body must be {"ids": [...]})')
    _check_count(len(ids))
    for index, value in enumerate(ids):
        if _raw_id({"id": value}) is None or not str(value).strip():
            raise BadParameter(f"ids[{index}] 不是有效的 id (ids[{index}] is not an id)")
    if not ids:
        return _accepted({"seq": journal().last_seq()}, 0, wrote=False)
    seq = journal().append([journal_ops.delete(str(value).strip()) for value in ids])
    return _accepted({"seq": seq}, seq, wrote=True)


@bp.get("/api/tasks/<int:seq>")
def task(seq: int):
    return jsonify(journal().status(seq))
