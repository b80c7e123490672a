"""How much of the non-test code the adapters are: code lines (not blank, not a comment, not a
docstring) in bot/, adapters/, adapters/slack and adapters/discord.

    python bench/code_share.py [checkout]    # default: this checkout
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from pathlib import Path

SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
SKIPPED |= {tokenize.ENCODING, tokenize.ENDMARKER}
HAS_DOCSTRING = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def code_lines(path: Path) -> int:
    source = path.read_text(encoding="utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, HAS_DOCSTRING) and node.body:
            first = node.body[0]
            value = first.value if isinstance(first, ast.Expr) else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings |= set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in SKIPPED:
            lines |= set(range(token.start[0], token.end[0] + 1)) - docstrings
    return len(lines)


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    counts = {
        folder: sum(code_lines(p) for p in (root / folder).rglob("*.py"))
        for folder in ("bot", "adapters", "adapters/slack", "adapters/discord")
    }
    for folder, count in counts.items():
        print(f"{folder:18} {count:6,} code lines")
    share = counts["adapters"] / (counts["bot"] + counts["adapters"])
    print(f"adapters' share of bot/ + adapters/: {share:.1%}")


if __name__ == "__main__":
    main()
