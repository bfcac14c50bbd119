"""The index's synonyms over HTTP: `GET /api/synonyms` reads them (as searching may),
`PUT /api/synonyms` replaces them all (a write key, as every write). See search/synonyms.py."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request

from search.synonyms import Rules, SynonymError, SynonymStore, parse_rules, unreached

from .params import BadParameter
from .writes import parse_json, request_body

bp = Blueprint("synonyms", __name__)


def _store() -> SynonymStore:
    return SynonymStore(Path(current_app.config["INDEX_DIR"]))


def _answer(rules: Rules):
    return jsonify({**rules.to_dict(), "text": rules.to_text(), "warnings": unreached(rules)})


@bp.get("/api/synonyms")
def get_synonyms():
    return _answer(_store().rules())


def _rules_of(data: bytes) -> Rules:
    """Rules from a JSON body ({"sets": [[…]], "one_way": [{"word", "finds"}]}) or from text
    in the synonyms file's format (Content-Type: text/plain)."""
    if request.mimetype == "text/plain":
        try:
            return parse_rules(data.decode("utf-8"), source="请求体 (the body)")
        except UnicodeDecodeError:
            raise BadParameter("请求体不是 UTF-8 (the body is not UTF-8 text)") from None
    body = parse_json(data)
    if not isinstance(body, dict) or set(body) - {"sets", "one_way"}:
        raise BadParameter(
            '请求体必须是 {"sets": [[...]], "one_way": [{"word": ..., "finds": [...]}]}'
            ' (the body must be {"sets": [[...]], "one_way": [{"word": ..., "finds": [...]}]},'
            " or text/plain in the synonyms file's format)"
        )
    rules = Rules()
    sets, one_way = body.get("sets", []), body.get("one_way", [])
    if not isinstance(sets, list) or not isinstance(one_way, list):
        raise BadParameter('"sets" 与 "one_way" 必须是数组 ("sets" and "one_way" must be arrays)')
    for n, words in enumerate(sets):
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise BadParameter(
                f"sets[{n}] 必须是字符串数组 (sets[{n}] must be an array of strings)"
            )
        rules = rules.with_set(words)
    for n, rule in enumerate(one_way):
        word = rule.get("word") if isinstance(rule, dict) else None
        finds = rule.get("finds") if isinstance(rule, dict) else None
        if not isinstance(word, str) or not isinstance(finds, list):
            raise BadParameter(
                f'one_way[{n}] 必须是 {{"word": ..., "finds": [...]}} (one_way[{n}] must be'
                ' {"word": "...", "finds": ["..."]})'
            )
        if not all(isinstance(w, str) for w in finds):
            raise BadParameter(f"one_way[{n}].finds 必须是字符串数组 (must be strings)")
        rules = rules.with_one_way(word, finds)
    return rules


@bp.put("/api/synonyms")
def put_synonyms():
    try:
        rules = _rules_of(request_body())
    except SynonymError as exc:
        raise BadParameter(str(exc)) from None
    store = _store()
    store.save(rules)
    return _answer(rules)
