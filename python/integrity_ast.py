"""Shared AST helpers for integrity_check.py: parsing, meaning-level dumps, name resolution, lookups.

Everything here is about comparing *meaning*: ast.dump drops comments, formatting and line numbers, and
docstrings are stripped, so a reformatted or re-commented script compares equal to its baseline.
"""
import ast
import copy

# Functions whose calls make up a training clock (CPU time, wall time, and the GPU sync that makes wall time honest).
CLOCK_FUNCTIONS = {
    "time.process_time", "time.process_time_ns", "time.perf_counter", "time.perf_counter_ns",
    "time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns", "time.thread_time",
    "time.thread_time_ns", "torch.cuda.synchronize", "torch.cuda.Event",
}

# Names that carry validation data or its size: a reference to one of them is a reference to the val set.
VAL_NAMES = {"val_data", "val_files", "val_tokens", "val_loader", "val_steps", "val_batch_size", "input_val_bin"}

# Names of the data pipeline's inputs; assignments to them are protected like the val names.
DATA_NAMES = VAL_NAMES | {"train_files", "input_bin"}

# Modules that reach the network or start processes: a script needs none of them to train.
NETWORK_MODULES = ("subprocess", "socket", "urllib", "urllib3", "requests", "http", "httpx", "aiohttp", "ftplib", "pty", "asyncio.subprocess")

# Calls that read token shards from disk: a function using one belongs to the data-loading path.
SHARD_READERS = {"np.fromfile", "numpy.fromfile", "np.frombuffer", "numpy.frombuffer", "np.memmap", "numpy.memmap", "glob.glob",
                 "torch.from_file", "torch.frombuffer"}


class Parsed:
    """A parsed script plus the indexes every rule needs."""

    def __init__(self, source):
        self.tree = ast.parse(source)
        self.aliases = import_aliases(self.tree)
        self.parents = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.defs = {node.name: node for node in self.tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        self.local_names = _local_name_nodes(self.tree)

    def resolve(self, node, scoped=False):
        """Dotted name of an expression with import aliases undone: `pc` from `from time import perf_counter as pc`
        resolves to `time.perf_counter`, so renaming an import cannot hide a clock or a patch.
        scoped=True leaves a name bound inside its function alone: record 2 imports torch._inductor.config as
        `config` and its classes take a model `config` parameter, which is not the inductor's. Rules about what a
        script could patch keep scoped=False, so passing a module in as an argument hides nothing from them."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        local = scoped and node in self.local_names
        parts.append(node.id if local else self.aliases.get(node.id, node.id))
        return ".".join(reversed(parts))

    def ancestors(self, node):
        chain = []
        while node in self.parents:
            node = self.parents[node]
            chain.append(node)
        return chain

    def statement_of(self, node):
        """The innermost statement that holds an expression node."""
        while not isinstance(node, ast.stmt) and node in self.parents:
            node = self.parents[node]
        return node


def _local_name_nodes(tree):
    """Name nodes that refer to a binding of their own function (a parameter or a local assignment)."""
    found = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        args = fn.args
        bound = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
        bound |= {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        found |= {n for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id in bound}
    return found


def import_aliases(tree):
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


MODEL_NAMES = {"model", "raw_model", "ddp_model", "compiled_model", "uncompiled_model"}


class _Normalize(ast.NodeTransformer):
    """Drops docstrings, and the model's own arguments from calls of the model: validation may pass the model a
    window size or block mask that the model code (the agent's to change) takes; only the data it gets (the first
    two arguments) belongs to the measurement."""

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in MODEL_NAMES:
            node.args = node.args[:2]
            node.keywords = []
        return node

    def generic_visit(self, node):
        super().generic_visit(node)
        body = getattr(node, "body", None)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                node.body = body[1:] or [ast.Pass()]
        return node


def meaning(node):
    """A comparable fingerprint of a node: no positions, no comments, no docstrings, no model-only arguments."""
    return ast.dump(_Normalize().visit(copy.deepcopy(node)))


def lines_of(node):
    return list(range(node.lineno, (getattr(node, "end_lineno", None) or node.lineno) + 1))


def first_line(node):
    return [node.lineno]


def names_in(node):
    """Every identifier and attribute name used under a node (args.val_tokens gives 'args' and 'val_tokens')."""
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.add(sub.attr)
    return found


def calls_in(parsed, node):
    """Resolved dotted names of every call under a node; a method of an unnamed value (`model(x).backward()`)
    counts as `?.backward`, so rules that look for `.backward`/`.step` still see it."""
    found = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            name = parsed.resolve(sub.func)
            if name is None and isinstance(sub.func, ast.Attribute):
                name = f"?.{sub.func.attr}"
            if name is not None:
                found.add(name)
    return found


def assigned_names(stmt):
    """Terminal names a statement assigns to (x = ..., a.b = ..., x += ..., for x in ...)."""
    targets = []
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
        targets = [stmt.target]
    return set().union(*(names_in(target) for target in targets))


def simple_statements(tree):
    return [node for node in ast.walk(tree) if isinstance(node, ast.stmt) and not hasattr(node, "body")]


def in_source_order(nodes):
    return sorted(nodes, key=lambda n: (n.lineno, n.col_offset))
