"""Rules that hold anywhere in the candidate script, whatever region the code sits in.

Most compare against the baseline too (a baseline that already imports a module or sets a compiler flag is not
blamed for it); they look for tricks that change what the metric means without touching a protected region.
"""
import ast
import re

from integrity_ast import VAL_NAMES, calls_in, lines_of, meaning, names_in
from integrity_regions import finding, training_loop, protected_defs

# Objects the harness trusts: rebinding an attribute of one changes the clock or the printed metric.
PATCHABLE = ("time", "torch.cuda", "builtins", "sys", "os", "torch.cuda.Event")
# Names whose top-level rebinding shadows the trusted one for the whole script.
SHADOWABLE = {"print", "time", "open", "sys", "builtins", "__builtins__"}
NETWORK_MODULES = ("subprocess", "socket", "urllib", "urllib3", "requests", "http", "httpx", "aiohttp", "ftplib", "pty", "asyncio.subprocess")
PROCESS_CALLS = ("os.system", "os.popen", "os.exec", "os.spawn", "os.fork", "os.posix_spawn")
DYNAMIC_CALLS = {"eval", "exec", "compile", "__import__", "importlib.import_module"}
FILE_CALLS = {"open", "io.open", "np.load", "numpy.load", "torch.load", "torch.save", "np.save", "pickle.load", "json.load",
              "os.listdir", "os.remove", "shutil.copy", "os.rename"}
SEED_CALLS = {"torch.manual_seed", "torch.cuda.manual_seed", "torch.cuda.manual_seed_all", "np.random.seed", "numpy.random.seed", "random.seed"}
HARDCODED_METRIC = re.compile(r"(val_loss|train_time)\s*[:=]\s*-?\d")


def _new(base_meanings, nodes):
    return [n for n in nodes if meaning(n) not in base_meanings]


def check_monkey_patching(base, cand):
    """Assignments or setattr on time/sys/builtins/torch.cuda, or a top-level rebinding of print/time."""
    findings = []
    for node in ast.walk(cand.tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            name = cand.resolve(target) if isinstance(target, ast.Attribute) else None
            if name and any(name.startswith(p + ".") for p in PATCHABLE) and name != "os.environ":
                findings.append(finding("monkey_patch", f"assignment to {name}", lines_of(node)))
            if isinstance(target, ast.Name) and target.id in SHADOWABLE and target.id not in base.aliases:
                findings.append(finding("monkey_patch", f"'{target.id}' is rebound", lines_of(node)))
        if isinstance(node, ast.Call) and cand.resolve(node.func) in ("setattr", "delattr") and node.args:
            owner = cand.resolve(node.args[0])
            if owner in PATCHABLE or owner in ("torch", "print"):
                findings.append(finding("monkey_patch", f"setattr on {owner}", lines_of(node)))
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node in cand.tree.body and node.name in SHADOWABLE:
            findings.append(finding("monkey_patch", f"a top-level definition shadows '{node.name}'", lines_of(node)))
    return findings


def check_env_writes(cand):
    """Writing a NANOGPT_* variable redirects the data the script reads (e.g. val files pointed at train shards)."""
    findings = []
    for node in ast.walk(cand.tree):
        texts = {c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)}
        if not any(t.startswith("NANOGPT_") for t in texts):
            continue
        writes_subscript = isinstance(node, (ast.Assign, ast.AugAssign)) and any(
            isinstance(t, ast.Subscript) and cand.resolve(t.value) == "os.environ" for t in getattr(node, "targets", [getattr(node, "target", None)]))
        writes_call = isinstance(node, ast.Call) and cand.resolve(node.func) in ("os.environ.update", "os.environ.setdefault", "os.putenv", "os.environ.pop")
        if writes_subscript or writes_call:
            findings.append(finding("env_override", "a NANOGPT_* environment variable is written", lines_of(node)))
    return findings


def check_val_in_training(base, cand):
    """Inside the training loop, validation data may only be touched by statements the baseline already has there
    (the untimed validation call); anything new trains on, or tunes to, the validation set."""
    def touches(parsed, loop):
        val_defs = {n for n, d in protected_defs(parsed).items() if names_in(d) & VAL_NAMES}
        return [s for s in ast.walk(loop) if isinstance(s, ast.stmt) and not hasattr(s, "body")
                and names_in(s) & (VAL_NAMES | val_defs)]
    base_loop, cand_loop = training_loop(base), training_loop(cand)
    if cand_loop is None:
        return [] if base_loop is None else [finding("clock", "no timed training loop found (a loop calling backward() and a clock)", [])]
    allowed = {meaning(s) for s in touches(base, base_loop)} if base_loop else set()
    return [finding("val_in_training", "validation data used inside the training loop", lines_of(s))
            for s in _new(allowed, touches(cand, cand_loop))]


def check_hardcoded_metric(cand):
    """A literal number next to a metric key (print("val_loss:3.27")) is a metric nobody measured."""
    return [finding("hardcoded_metric", f"metric text with a literal value: {node.value[:60]!r}", lines_of(node))
            for node in ast.walk(cand.tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and HARDCODED_METRIC.search(node.value)]


def check_network_and_processes(cand):
    findings = []
    for node in ast.walk(cand.tree):
        modules = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Call):
            name = cand.resolve(node.func) or ""
            if name.startswith(PROCESS_CALLS) or any(name.startswith(m + ".") for m in NETWORK_MODULES):
                findings.append(finding("network_or_subprocess", f"call to {name}", lines_of(node)))
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name in DYNAMIC_CALLS and any(a.split(".")[0] in NETWORK_MODULES for a in args):
                findings.append(finding("network_or_subprocess", f"dynamic import of {args[0]}", lines_of(node)))
        for module in modules:
            if module.split(".")[0] in NETWORK_MODULES:
                findings.append(finding("network_or_subprocess", f"import of {module}", lines_of(node)))
    return findings


def check_dynamic_code(base, cand):
    """eval/exec/__import__ hide code from every other rule; a flag asks a human to look."""
    base_calls = {meaning(n) for n in ast.walk(base.tree) if isinstance(n, ast.Call) and base.resolve(n.func) in DYNAMIC_CALLS}
    calls = [n for n in ast.walk(cand.tree) if isinstance(n, ast.Call) and cand.resolve(n.func) in DYNAMIC_CALLS]
    return [finding("dynamic_code", f"dynamic code ({cand.resolve(n.func)}) cannot be checked", lines_of(n), "flag")
            for n in _new(base_calls, calls)]


def check_new_imports(base, cand):
    def imported(parsed):
        found = {}
        for node in ast.walk(parsed.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    found.setdefault(a.name, node)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.setdefault(node.module, node)
        return found
    base_modules, cand_modules = imported(base), imported(cand)
    return [finding("new_import", f"new import: {m}", lines_of(n), "flag")
            for m, n in cand_modules.items() if m not in base_modules and m.split(".")[0] not in NETWORK_MODULES]


def check_file_access(base, cand):
    """File reads/writes the baseline does not make: a cached result or a file outside the node's folder.
    Only a flag: checkpoints or a node-local scratch file are legitimate, and the path is rarely decidable."""
    def accesses(parsed):
        return [n for n in ast.walk(parsed.tree) if isinstance(n, ast.Call) and (parsed.resolve(n.func) or "").split(".")[-1]
                in {c.split(".")[-1] for c in FILE_CALLS} and (parsed.resolve(n.func) in FILE_CALLS or _is_method_io(parsed, n))]
    base_meanings = {meaning(n) for n in accesses(base)}
    return [finding("file_io", f"file access not in the baseline: {ast.unparse(n)[:80]}", lines_of(n), "flag")
            for n in _new(base_meanings, accesses(cand))]


def _is_method_io(parsed, call):
    # Path(...).open / .read_text style access.
    return isinstance(call.func, ast.Attribute) and call.func.attr in ("open", "read_text", "read_bytes", "write_text")


def check_compiler_config(base, cand):
    """torch._inductor / torch._dynamo settings are off limits by the upstream rules."""
    def touches(parsed):
        return [n for n in ast.walk(parsed.tree) if isinstance(n, ast.stmt) and not hasattr(n, "body")
                and any("_inductor" in (parsed.resolve(a) or "") or "_dynamo" in (parsed.resolve(a) or "")
                        for a in ast.walk(n) if isinstance(a, (ast.Attribute, ast.Name)))]
    base_meanings = {meaning(n) for n in touches(base)}
    return [finding("compiler_config", "torch._inductor / torch._dynamo configuration", lines_of(n)) for n in _new(base_meanings, touches(cand))]


def check_seeds(base, cand):
    def seeds(parsed):
        return [n for n in ast.walk(parsed.tree) if isinstance(n, ast.Call) and parsed.resolve(n.func) in SEED_CALLS]
    if sorted(meaning(n) for n in seeds(base)) == sorted(meaning(n) for n in seeds(cand)):
        return []
    base_meanings = {meaning(n) for n in seeds(base)}
    lines = [l for n in (_new(base_meanings, seeds(cand)) or seeds(cand)) for l in lines_of(n)]
    return [finding("seed", "random seeds differ from the baseline (a seed hunt is not a speedup)", lines, "flag")]


def check_anywhere(base, cand):
    return (check_monkey_patching(base, cand) + check_env_writes(cand) + check_val_in_training(base, cand)
            + check_hardcoded_metric(cand) + check_network_and_processes(cand) + check_dynamic_code(base, cand)
            + check_new_imports(base, cand) + check_file_access(base, cand) + check_compiler_config(base, cand)
            + check_seeds(base, cand))
