"""The program inside the sandbox: run a trainee's cells, report what they left behind as data.

Started by :mod:`cadrelab.grading.sandbox` as
``python -I -m cadrelab.grading.inside_sandbox.runner``.
It reads a plan (the cells to run: answer cells as submitted, locked cells as
released; never a test cell) as the first line of standard input, runs the cells
in one IPython shell (the kernel: client and kernel are one process here, so no
socket is needed), and writes one JSON line per event to its original standard
output: ``start`` and ``done`` per cell with the cell's outputs and, for answer
cells, the names it bound or changed, encoded by :mod:`cadrelab.grading.value_codec`.
After ``finished`` it serves the judge's requests: ``call`` a function the trainee
defined with given arguments, or ``rerun`` one of the trainee's cells on other data
(names bound to given values, files replaced) and send back the names asked for;
both answer as data.

Everything here shares a process with the trainee's code, so the trainee can
change any of it; the grader therefore trusts nothing it receives beyond its
shape, and never sends a test, an expected value or a hidden test in.
"""

from __future__ import annotations

import ast
import base64
import io
import json
import os
import re
import resource
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from cadrelab.grading import value_codec as capture

SKIPPED_NAMES = {"In", "Out", "get_ipython", "exit", "quit"}
MAX_NAMES = 500
MAX_NAME_LENGTH = 100
KEPT_MIME = ("text/plain", "image/png")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class _Outputs:
    """The current cell's outputs, cut off at a size limit (the rest is counted, not kept)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[dict] = []
        self.size = 0
        self.dropped = 0

    def add(self, output: dict, size: int) -> None:
        if self.size + size > self.limit:
            self.dropped += size
            return
        self.size += size
        self.items.append(output)

    def stream(self, name: str, text: str) -> None:
        room = self.limit - self.size
        if len(text) > room:
            self.dropped += len(text) - max(room, 0)
            text = text[: max(room, 0)]
        if not text:
            return
        self.size += len(text)
        last = self.items[-1] if self.items else None
        if last and last["output_type"] == "stream" and last["name"] == name:
            last["parts"].append(text)  # joined once at the end: many small prints stay cheap
        else:
            self.items.append({"output_type": "stream", "name": name, "parts": [text]})

    def finished(self) -> list[dict]:
        """The outputs in nbformat's shape."""
        done = []
        for item in self.items:
            if "parts" in item:
                item = {
                    "output_type": "stream",
                    "name": item["name"],
                    "text": "".join(item["parts"]),
                }
            done.append(item)
        return done


class _Stream(io.TextIOBase):
    def __init__(self, runner: Runner, name: str) -> None:
        self.runner = runner
        self.name_ = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.runner.outputs.stream(self.name_, str(text))
        return len(text)

    def flush(self) -> None:
        return None


def _make_shell(runner: Runner) -> Any:
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Publisher(DisplayPublisher):
        def publish(
            self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs
        ) -> None:
            runner.add_display("display_data", data)

        def clear_output(self, wait: bool = False) -> None:
            runner.outputs.items.clear()

    class Hook(DisplayHook):
        def write_output_prompt(self) -> None:
            return None

        def write_format_data(self, format_dict, md_dict=None) -> None:
            runner.add_display("execute_result", format_dict)

        def finish_displayhook(self) -> None:
            self._is_active = False

    class Shell(InteractiveShell):
        displayhook_class = Hook
        display_pub_class = Publisher

        def _showtraceback(self, etype, evalue, stb) -> None:
            # Errors are kept whatever the output limit: they are short and explain the score.
            if sum(o["output_type"] == "error" for o in runner.outputs.items) >= 3:
                return
            lines = [ANSI.sub("", line)[:2000] for line in stb][-40:]
            runner.outputs.items.append(
                {
                    "output_type": "error",
                    "ename": etype.__name__,
                    "evalue": str(evalue)[:2000],
                    "traceback": lines,
                }
            )

    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    return Shell.instance(config=config, colors="nocolor", cache_size=0)


class Runner:
    def __init__(
        self, protocol: io.BufferedWriter, requests: io.BufferedReader, output_limit: int
    ) -> None:
        self.protocol = protocol
        self.requests = requests
        self.output_limit = output_limit
        self.outputs = _Outputs(output_limit)
        self.shell: Any = None

    def send(self, message: dict) -> None:
        self.protocol.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
        self.protocol.flush()

    def add_display(self, output_type: str, data: dict) -> None:
        kept = {mime: data[mime] for mime in KEPT_MIME if isinstance(data.get(mime), str)}
        if not kept:
            return
        output: dict[str, Any] = {"output_type": output_type, "data": kept, "metadata": {}}
        if output_type == "execute_result":
            output["execution_count"] = self.shell.execution_count
        self.outputs.add(output, sum(len(v) for v in kept.values()))

    def run(self, plan: dict) -> None:
        self.shell = _make_shell(self)
        sys.stdout, sys.stderr = _Stream(self, "stdout"), _Stream(self, "stderr")
        hooks = _hook_counts(self.shell)
        self.send({"op": "ready"})
        for cell in plan["cells"]:
            self.run_cell(cell)
        changed = _hook_counts(self.shell) != hooks
        self.send({"op": "finished", "hooks_changed": changed, "answers": _answer_files()})
        self.serve_calls({cell["key"]: cell["source"] for cell in plan["cells"]})

    def run_cell(self, cell: dict) -> None:
        self.send({"op": "start", "key": cell["key"]})
        self.outputs = _Outputs(self.output_limit)
        namespace = self.shell.user_ns
        source = cell["source"]
        referenced = _names(self.shell, source) if cell["answer"] else set()
        before_ids = {name: id(value) for name, value in namespace.items()}
        before_data = {
            name: _fingerprint(namespace[name])
            for name in referenced
            if name in namespace and _kept(name)
        }
        result = self.shell.run_cell(source, store_history=True)
        error = result.error_before_exec or result.error_in_exec
        message: dict[str, Any] = {
            "op": "done",
            "key": cell["key"],
            "outputs": self.outputs.finished(),
            "dropped": self.outputs.dropped,
            "error": None
            if error is None
            else {"ename": type(error).__name__, "evalue": str(error)[:500]},
        }
        if cell["answer"]:
            message["effects"] = _effects(namespace, before_ids, before_data)
        self.send(message)

    def serve_calls(self, cells: dict[str, str]) -> None:
        for line in self.requests:
            request = json.loads(line)
            self.outputs = _Outputs(0)
            if request.get("op") == "call":
                self.send(self.call(request))
            elif request.get("op") == "rerun":
                self.send(self.rerun(request, cells.get(request.get("key"), "")))
            else:
                return

    def rerun(self, request: dict, source: str) -> dict:
        """Run ``source`` again in a copy of the namespace with some names rebound, in a
        copy of the working folder with some files replaced; the names asked for come back."""
        home = Path.cwd()
        folder = Path(
            tempfile.mkdtemp(prefix="rerun-", dir="/tmp" if Path("/tmp").is_dir() else None)
        )
        try:
            shutil.copytree(home, folder, dirs_exist_ok=True, symlinks=True)
            for name, encoded in request["files"].items():
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(base64.b64decode(encoded))
            namespace = dict(self.shell.user_ns)
            namespace.update(capture.decode(request["bind"]))
            os.chdir(folder)
            code = compile(self.shell.transform_cell(source), "<rerun>", "exec")
            exec(code, namespace)
            values = {
                name: capture.encode_or_opaque(namespace[name])
                for name in request["read"]
                if name in namespace
            }
        except Exception as exc:
            return {"op": "raised", "ename": type(exc).__name__, "evalue": str(exc)[:500]}
        finally:
            os.chdir(home)
            shutil.rmtree(folder, ignore_errors=True)
        return {"op": "values", "values": values}

    def call(self, request: dict) -> dict:
        function = self.shell.user_ns.get(request["name"])
        try:
            args = capture.decode(request["args"])
            kwargs = capture.decode(request["kwargs"])
            value = function(*args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            return {"op": "raised", "ename": type(exc).__name__, "evalue": str(exc)[:500]}
        return {"op": "result", "value": capture.encode_or_opaque(value)}


def _names(shell: Any, source: str) -> set[str]:
    """Every name a cell mentions (bound, read or deleted), after IPython's own rewriting."""
    try:
        tree = ast.parse(shell.transform_cell(source))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def _kept(name: str) -> bool:
    """Names worth sending: public, and within what the grader accepts (it checks again)."""
    return (
        not name.startswith("_")
        and name not in SKIPPED_NAMES
        and len(name) <= MAX_NAME_LENGTH
        and name.isidentifier()
        and name.isascii()
    )


def _fingerprint(value: object) -> str:
    return json.dumps(capture.encode_or_opaque(value), sort_keys=True, ensure_ascii=False)


def _effects(namespace: dict, before_ids: dict[str, int], before_data: dict[str, str]) -> dict:
    """The names this cell bound, rebound, changed in place or deleted, as data."""
    changed = {
        name
        for name, value in namespace.items()
        if _kept(name) and before_ids.get(name) != id(value)
    }
    for name, fingerprint in before_data.items():
        if (
            name in namespace
            and name not in changed
            and _fingerprint(namespace[name]) != fingerprint
        ):
            changed.add(name)
    deleted = sorted(name for name in before_ids if _kept(name) and name not in namespace)
    kept = sorted(changed)[: max(MAX_NAMES - len(deleted[:MAX_NAMES]), 0)]
    return {
        "set": {name: capture.encode_or_opaque(namespace[name]) for name in kept},
        "deleted": deleted[:MAX_NAMES],
    }


def _answer_files(limit: int = 5 << 20) -> dict[str, str]:
    """The answer store (``answers/``, written by the widgets) as it is after the run."""
    found, size = {}, 0
    folder = Path("answers")
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            size += len(data)
            if size > limit:
                break
            found[path.relative_to(folder).as_posix()] = base64.b64encode(data).decode("ascii")
    return found


def _hook_counts(shell: Any) -> tuple[int, ...]:
    return (
        len(shell.input_transformers_cleanup),
        len(shell.input_transformers_post),
        len(shell.ast_transformers),
    )


def _apply_limits(limits: dict) -> None:
    """Per-process limits, a second line behind the budget of the whole process tree."""
    memory = int(limits["memory_bytes"])
    cpu = int(limits["cpu_seconds"])
    file_size = int(limits["file_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    resource.setrlimit(resource.RLIMIT_NPROC, (int(limits["processes"]),) * 2)


def _copy_stage(stage: Path, work: Path) -> None:
    if stage.is_dir():
        shutil.copytree(stage, work, dirs_exist_ok=True, symlinks=True)


def main() -> int:
    # The protocol keeps the real standard input and output; the trainee's code reads an
    # empty input, and anything writing to fd 1 or 2 (subprocesses, C code) goes nowhere.
    protocol = os.fdopen(os.dup(1), "wb")
    requests = os.fdopen(os.dup(0), "rb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdin = io.StringIO("")
    plan = json.loads(requests.readline())
    _copy_stage(Path(plan["stage"]), Path.cwd())
    sys.path.insert(0, str(Path.cwd()))
    _apply_limits(plan["limits"])
    Runner(protocol, requests, int(plan["limits"]["output_bytes"])).run(plan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
