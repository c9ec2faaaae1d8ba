"""Detectors for what a script reads and writes, and what it imports (see integrity_anywhere.py for how a
detector's findings become new-relative-to-baseline findings)."""
import ast
import posixpath
import sys

from integrity_ast import NETWORK_MODULES

FILE_CALLS = {"open", "io.open", "np.load", "numpy.load", "torch.load", "torch.save", "np.save", "pickle.load", "json.load",
              "os.listdir", "os.remove", "shutil.copy", "os.rename"}
# The argument that names the file, where it is not the first.
PATH_ARGUMENT = {"torch.save": 1}
METHOD_IO = ("open", "read_text", "read_bytes", "write_text")
STDLIB = set(getattr(sys, "stdlib_module_names", ()))


def file_accesses(parsed, allowed_paths=()):
    """File access calls. A literal absolute path (or one climbing out with '..') reaches outside the node's folder,
    where results of earlier runs can wait: rejected unless the track allows that prefix. Any other access is only
    flagged: checkpoints and node-local scratch files are legitimate, and a computed path is rarely decidable."""
    for node in ast.walk(parsed.tree):
        if not isinstance(node, ast.Call):
            continue
        name = parsed.resolve(node.func) or ""
        if name in FILE_CALLS:
            index = PATH_ARGUMENT.get(name, 0)
            path = literal_path(node.args[index]) if len(node.args) > index else None
        elif isinstance(node.func, ast.Attribute) and node.func.attr in METHOD_IO and name.split(".")[-1] in METHOD_IO:
            receiver = node.func.value  # Path("/tmp/x").read_text()
            path = literal_path(receiver.args[0]) if isinstance(receiver, ast.Call) and receiver.args else None
        else:
            continue
        if path is not None and escapes_node_folder(path) and not any(path.startswith(p) for p in allowed_paths):
            yield node, "absolute_path", (
                f"file access outside the node's folder: {path!r} ({ast.unparse(node)[:60]}); a script may read only its own "
                "folder and the data named by the NANOGPT_* variables"), "reject"
        else:
            yield node, "file_io", f"file access not in the baseline: {ast.unparse(node)[:80]}", "flag"


def literal_path(expr):
    """The fixed start of a path expression: "/tmp/x", f"/tmp/{name}" → "/tmp/", "/tmp/%s" % x, os.path.join("/tmp", ...)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.JoinedStr) and expr.values and isinstance(expr.values[0], ast.Constant):
        return str(expr.values[0].value)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Mod, ast.Add)):
        return literal_path(expr.left)
    if isinstance(expr, ast.Call) and expr.args and ast.unparse(expr.func) in ("os.path.join", "Path", "pathlib.Path"):
        return literal_path(expr.args[0])
    return None


def escapes_node_folder(path):
    return path.startswith(("/", "~")) or ".." in posixpath.normpath(path).split("/")


def new_imports(parsed):
    """Modules outside the standard library that the baseline does not import (keyed by module, not statement):
    the track's rules forbid new dependencies. Network modules are rejected elsewhere."""
    for node in ast.walk(parsed.tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = [node.module]
        for module in modules:
            root = module.split(".")[0]
            if root not in STDLIB and root not in NETWORK_MODULES:
                yield node, "new_import", f"new import: {module}", "flag", module
