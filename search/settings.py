"""A settings file (TOML) over the defaults of search/config.py.

One table a part of the configuration, its keys the fields of that part:

    [ranking]
    bm25_k1 = 1.4
    synonym_weight = 0.7
    [ranking.field_boosts]
    title = 3.0
    [serving]
    threads = 16
    [analytics]
    enabled = false

The file is `--config FILE` on any command, else `$ZHSEARCH_CONFIG`. It is applied once, as
the process starts and before anything reads a setting (search/config.py applies
`$ZHSEARCH_CONFIG` on import, so the server's workers and its background merges see the same
settings); an unknown table or key, or a value of the wrong kind, stops the start with a
message that names it and what is allowed.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # the same parser, before it joined the standard library
    import tomli as tomllib

ENV = "ZHSEARCH_CONFIG"

# Where each setting in force came from: "section.key" -> the file (absent: the default).
SOURCES: dict[str, str] = {}


class SettingsError(ValueError):
    """A settings file that cannot be applied; the message names the key and what it may be."""


def _kind(default: object) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, int | float):
        return "a number ≥ 0" if isinstance(default, float) else "a whole number ≥ 0"
    if isinstance(default, str):
        return "a string"
    if isinstance(default, dict):
        return "a table of numbers ≥ 0 with the keys " + ", ".join(sorted(default))
    return type(default).__name__


def _checked(name: str, value: object, default: object) -> object:
    """The value, if it is of the default's kind; else SettingsError naming the key."""
    wrong = SettingsError(
        f"设置 {name} 的值无效：{value!r}，应为 {_kind(default)}"
        f" (setting {name} = {value!r} is not {_kind(default)}; the default is {default!r})"
    )
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise wrong
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise wrong
        if isinstance(default, int) and not isinstance(value, int):
            raise wrong
        return type(default)(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise wrong
        return value
    if isinstance(default, dict):
        if not isinstance(value, dict) or set(value) - set(default):
            raise wrong
        return {**default, **{k: _checked(f"{name}.{k}", v, default[k]) for k, v in value.items()}}
    raise wrong


def read(path: Path, sections: dict[str, object]) -> dict[str, dict[str, object]]:
    """The file's settings, checked against `sections` (search/config.py's SECTIONS: each
    table's name and the settings object it changes): {section: {key: value}}."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"设置文件不存在：{path} (no settings file at {path})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"设置文件不是有效的 TOML：{path} (not TOML: {exc})") from None
    settings: dict[str, dict[str, object]] = {}
    for section, values in data.items():
        if section not in sections or not isinstance(values, dict):
            raise SettingsError(
                f"未知的设置部分 [{section}] (unknown table [{section}] in {path}; the tables"
                f" are {', '.join(f'[{s}]' for s in sections)})"
            )
        target = sections[section]
        defaults = {f.name: getattr(target, f.name) for f in dataclasses.fields(target)}
        for key, value in values.items():
            if key not in defaults:
                raise SettingsError(
                    f"未知的设置 {section}.{key} (unknown setting {section}.{key} in {path};"
                    f" [{section}] has {', '.join(sorted(defaults))})"
                )
            settings.setdefault(section, {})[key] = _checked(
                f"{section}.{key}", value, defaults[key]
            )
    return settings


def apply_file(path: Path, sections: dict[str, object]) -> None:
    """Apply a settings file over the defaults, in place (see the module's docstring)."""
    for section, values in read(path, sections).items():
        target = sections[section]
        for key, value in values.items():
            # The settings are frozen for the code that reads them; this is their one writer,
            # before any of it runs.
            object.__setattr__(target, key, value)
            SOURCES[f"{section}.{key}"] = str(path)


def in_force(sections: dict[str, object]) -> list[tuple[str, object, str]]:
    """(section.key, value, where it came from) of every setting."""
    return [
        (
            f"{section}.{f.name}",
            getattr(target, f.name),
            SOURCES.get(f"{section}.{f.name}", "default"),
        )
        for section, target in sections.items()
        for f in dataclasses.fields(target)
    ]
