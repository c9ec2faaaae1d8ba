"""The meaning of a training script, as a hash: two scripts that differ only in comments, formatting or docstrings
get the same one (README "Scoring": a no-op edit is a duplicate of the node it came from and scores exactly 0).

stdin:  the script's source
stdout: {"sha256": "<hex>"}, or {"sha256": null} when the source does not parse (it then has no meaning to share)

Standard library only, and it never crashes on bad input: whatever happens, one JSON object is printed.
"""
import ast
import hashlib
import json
import sys


def drop_docstrings(tree):
    """Removes the leading string statement of the module and of every class and function body."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                node.body = body[1:]
    return tree


def meaning(source):
    try:
        tree = ast.parse(source)
        # Line and column numbers are left out of the dump (include_attributes=False): layout is not meaning.
        dumped = ast.dump(drop_docstrings(tree), annotate_fields=True, include_attributes=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError, TypeError):
        return None
    return hashlib.sha256(dumped.encode("utf-8")).hexdigest()


def main():
    try:
        source = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        digest = meaning(source)
    except Exception:  # noqa: BLE001 - the contract is one JSON object, whatever the input
        digest = None
    sys.stdout.write(json.dumps({"sha256": digest}))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
