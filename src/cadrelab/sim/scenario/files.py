"""Scenario files: YAML, ``extends:``, and errors that name the file and the key path.

``extends: other.yaml`` (a path relative to the file) loads that scenario first
and lays this file over it:

* mappings merge key by key, recursively;
* ``staff`` entries merge by ``id`` and ``procedures`` entries by ``code``: an
  entry with a known id updates that officer (a new id is appended), and
  ``{id: x, remove: true}`` removes officer ``x``;
* any other value, lists included, replaces the inherited one.

Top-level keys that start with ``x-`` are ignored, as in Compose files: they
hold YAML anchors (``&civil_status``) that procedures reuse.

Key paths in error messages refer to the merged scenario.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cadrelab.sim.scenario.model import Scenario
from cadrelab.sim.scenario.problems import input_error, key_path, keyed_error

MERGE_KEYS = {"staff": "id", "procedures": "code"}
MAX_EXTENDS_DEPTH = 10


def load_scenario(path: str | Path) -> Scenario:
    """The validated scenario in ``path``, with everything it extends merged in."""
    path = Path(path)
    data = load_merged(path)
    return parse_scenario(data, source=path)


def parse_scenario(data: object, source: str | Path | None = None) -> Scenario:
    """Validate a scenario dict (as the dashboard builds it); problems become InputError."""
    if not isinstance(data, dict):
        raise keyed_error("sim.error.not_mapping", source)
    data = {k: v for k, v in data.items() if not (isinstance(k, str) and k.startswith("x-"))}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, source) from None
    except RecursionError:
        raise keyed_error("sim.error.too_deep", source) from None


def load_merged(path: Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The raw mapping of ``path`` with its ``extends:`` chain merged, not yet validated."""
    data = read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise keyed_error("sim.error.extends_type", path, field="extends")
    parent_path = (path.parent / parent).resolve()
    chain = (*_chain, path.resolve())
    if parent_path in chain:
        raise keyed_error("sim.error.extends_cycle", path, field="extends", file_name=parent)
    if len(chain) > MAX_EXTENDS_DEPTH:
        raise keyed_error("sim.error.extends_depth", path, field="extends", limit=MAX_EXTENDS_DEPTH)
    if not parent_path.is_file():
        raise keyed_error("sim.error.extends_missing", path, field="extends", file_name=parent)
    base = load_merged(parent_path, chain)
    return merge(base, data, source=path)


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as the plain dict a YAML file would hold (defaults left out)."""
    return scenario.model_dump(mode="json", exclude_defaults=True)


def scenario_yaml(
    scenario: Scenario | dict[str, Any], notes: Sequence[tuple[str, str]] = ()
) -> str:
    """A scenario as the YAML text of a scenario file (what ``load_scenario`` reads back);
    ``notes`` (English, Vietnamese) go under ``x-calibration``, which loading ignores."""
    data = scenario_data(scenario) if isinstance(scenario, Scenario) else dict(scenario)
    if notes:
        data["x-calibration"] = [{"en": en, "vi": vi} for en, vi in notes]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        raise keyed_error("sim.error.file_missing", path) from None
    except UnicodeDecodeError:
        raise keyed_error("sim.error.not_utf8", path) from None
    except OSError as exc:
        raise keyed_error("sim.error.unreadable", path, reason=exc.strerror or str(exc)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        raise keyed_error(
            "sim.error.yaml", path, where=where, detail=getattr(exc, "problem", None) or str(exc)
        ) from None
    except RecursionError:
        raise keyed_error("sim.error.too_deep", path) from None
    if not isinstance(data, dict):
        raise keyed_error("sim.error.not_mapping", path)
    return data


def merge(
    base: Any, override: Any, *, source: Path | None = None, path: tuple[str | int, ...] = ()
) -> Any:
    """``override`` laid over ``base`` by the rules in the module docstring."""
    if isinstance(base, dict) and isinstance(override, dict):
        result = dict(base)
        for key, value in override.items():
            result[key] = (
                merge(base[key], value, source=source, path=(*path, key))
                if key in base
                else copy.deepcopy(value)
            )
        return result
    if (
        path
        and len(path) == 1
        and path[0] in MERGE_KEYS
        and isinstance(base, list)
        and isinstance(override, list)
    ):
        return _merge_by_key(base, override, MERGE_KEYS[path[0]], source, path[0])
    return copy.deepcopy(override)


def _merge_by_key(base: list, override: list, key: str, source: Path | None, name: str) -> list:
    result = [copy.deepcopy(item) for item in base]
    for i, item in enumerate(override):
        where = key_path((name, i))
        if not isinstance(item, dict) or key not in item:
            raise keyed_error("sim.error.merge_needs_key", source, field=where, id_key=key)
        ids = [entry.get(key) if isinstance(entry, dict) else None for entry in result]
        remove = item.get("remove", False)
        if remove not in (True, False):
            raise keyed_error("sim.error.remove_flag", source, field=f"{where}.remove")
        item = {k: v for k, v in item.items() if k != "remove"}
        if item[key] in ids:
            position = ids.index(item[key])
            if remove:
                del result[position]
            else:
                result[position] = merge(result[position], item, source=source)
        elif remove:
            raise keyed_error(
                "sim.error.remove_unknown", source, field=where, id_key=key, value=item[key]
            )
        else:
            result.append(copy.deepcopy(item))
    return result
