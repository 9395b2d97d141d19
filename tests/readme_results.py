"""Run one README sample and record what each commented statement showed.

A README sample promises its results in trailing comments: ``print(x)  # 1 0x10``
promises the whole line ``print`` writes; a bare expression ``segment(t)[0].udh.hex()
# '03250101'`` promises the value's repr, as the interactive interpreter would
show it. ``tests/test_readme.py`` runs this module as a script on each sample
(``python readme_results.py SAMPLE OUT``): it rewrites the sample's syntax
tree so that each such statement also records its output by line number, runs
it, and writes ``{line: [output, ...]}`` to OUT as JSON, one output per time
the statement ran.

A script of its own, so the sample runs in a fresh interpreter as a newcomer
would paste it, with nothing of the test process imported.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import sys
import tokenize
from collections import defaultdict
from typing import Any

_shown: defaultdict[int, list[str]] = defaultdict(list)


def _print_at(line: int) -> Any:
    """``print`` that also records what it wrote for the statement at ``line``."""

    def recording_print(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("file") is None:
            text = io.StringIO()
            builtins.print(*args, **{**kwargs, "file": text})
            _shown[line].append(text.getvalue().rstrip("\n"))
        builtins.print(*args, **kwargs)

    return recording_print


def _show_at(line: int, value: object) -> object:
    _shown[line].append(repr(value))
    return value


def commented_lines(source: str) -> dict[int, str]:
    """Each line's trailing comment (``#`` and one space removed), by line number,
    for lines that hold code before their comment."""
    comments: dict[int, str] = {}
    code_lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string[1:].strip()
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            code_lines.add(token.start[0])
    return {line: text for line, text in comments.items() if line in code_lines}


class _Recorder(ast.NodeTransformer):
    """Rewrites each expression statement on a commented line to record its output."""

    def __init__(self, lines: set[int]) -> None:
        self.lines = lines

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        if node.lineno not in self.lines:
            return node
        line = ast.Constant(node.lineno)
        call = node.value
        if isinstance(call, ast.Call) and _names_print(call.func):
            call.func = ast.Call(ast.Name("__readme_print_at__", ast.Load()), [line], [])
        else:
            node.value = ast.Call(ast.Name("__readme_show_at__", ast.Load()), [line, call], [])
        return ast.fix_missing_locations(node)


def _names_print(function: ast.expr) -> bool:
    return isinstance(function, ast.Name) and function.id == "print"


def run(source: str, out_path: str) -> None:
    tree = _Recorder(set(commented_lines(source))).visit(ast.parse(source))
    namespace = {
        "__name__": "__main__",
        "__readme_print_at__": _print_at,
        "__readme_show_at__": _show_at,
    }
    try:
        exec(compile(tree, "<README sample>", "exec"), namespace)
    finally:
        with open(out_path, "w", encoding="utf-8") as out:
            json.dump(_shown, out, ensure_ascii=False)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as sample:
        run(sample.read(), sys.argv[2])
