"""Protected regions: parts of a record script whose meaning must match the baseline exactly.

Each region is found by what it does (reads shards, references validation data, calls a clock, prints the metric),
not by line numbers, so the agent may move, reformat and comment around them freely; any change of meaning is a
reject, reported with the candidate's lines.
"""
import ast

from integrity_ast import (
    CLOCK_FUNCTIONS, DATA_NAMES, SHARD_READERS, VAL_NAMES, assigned_names, calls_in, in_source_order, lines_of,
    meaning, names_in, simple_statements,
)
from integrity_findings import compare_nodes, finding

METRIC_KEYS = ("val_loss:", "train_time:", "train_loss:", "step_avg:")


# --- the shard loader and validation function -----------------------------------------------------------------

def protected_defs(parsed):
    """Top-level functions/classes that read shards or validation data, plus those that call them (the DataLoader
    class calls load_shard): the whole data path is fixed by the track's rules."""
    protected = {}
    for name, node in parsed.defs.items():
        if isinstance(node, ast.ClassDef) and not any(isinstance(s, ast.FunctionDef) for s in node.body):
            continue  # a settings holder (Hyperparameters): its data fields are compared one by one in data_statements
        if calls_in(parsed, node) & SHARD_READERS or names_in(node) & VAL_NAMES:
            protected[name] = node
    # Grown both ways: what calls a protected def (the loader class calls load_shard) and what one calls (the
    # shard reader a loader uses) are the data path too.
    grew = True
    while grew:
        grew = False
        called = set().union(*(names_in(node) for node in protected.values()))
        for name, node in parsed.defs.items():
            if name not in protected and (names_in(node) & set(protected) or name in called):
                protected[name] = node
                grew = True
    return protected


def is_validation_def(node):
    # The validation function is the protected def that runs the model on val data (it calls .item()/model).
    return bool(names_in(node) & VAL_NAMES) and isinstance(node, ast.FunctionDef) and "item" in names_in(node)


def check_protected_defs(base, cand):
    findings = []
    base_defs, cand_defs = protected_defs(base), protected_defs(cand)
    for name, node in base_defs.items():
        rule = "val_loss" if is_validation_def(node) else "data_loading"
        other = cand.defs.get(name)
        if other is None:
            findings.append(finding(rule, f"'{name}' (protected) was removed or renamed", [], key=(rule, "removed", name)))
            continue
        if meaning(node) == meaning(other):
            continue
        if rule == "val_loss":
            rule = _val_subrule(node, other)
        findings += compare_nodes(rule, f"'{name}' (protected)", [node], [other])
    for name, node in cand_defs.items():
        if name not in base_defs and names_in(node) & VAL_NAMES:
            findings.append(finding("val_loss", f"new code '{name}' touches validation data", lines_of(node),
                                    key=("val_loss", "new-def"), match="meanings", meanings=[meaning(node)]))
    return findings


def _val_subrule(base_fn, cand_fn):
    """Inside a changed validation function, say whether the batch arithmetic (statements using val_tokens) moved."""
    def arithmetic(fn):
        loops = [meaning(s.iter) for s in ast.walk(fn) if isinstance(s, ast.For) and "val_tokens" in names_in(s.iter)]
        # The return's divisor mentions val_tokens too, but a changed return is a changed loss, not batch arithmetic.
        return loops + [meaning(s) for s in simple_statements(fn) if "val_tokens" in names_in(s) and not isinstance(s, ast.Return)]
    return "val_batch" if arithmetic(base_fn) != arithmetic(cand_fn) else "val_loss"


# --- data names, val_tokens and the env vars -------------------------------------------------------------------

def data_statements(parsed):
    """Statements that assign a data name anywhere (Hyperparameters.val_tokens, val_data = ...), plus top-level
    statements outside the training loop that mention validation data (the val_data assert)."""
    found = [s for s in simple_statements(parsed.tree) if assigned_names(s) & DATA_NAMES]
    found += [s for s in parsed.tree.body if not hasattr(s, "body") and names_in(s) & VAL_NAMES and s not in found]
    return in_source_order(found)


def check_data_statements(base, cand):
    findings = []
    for rule, names in (("val_tokens", {"val_tokens"}), ("val_batch", {"val_steps", "val_batch_size"})):
        pick = lambda p: [s for s in data_statements(p) if assigned_names(s) & names]
        findings += compare_nodes(rule, f"the {rule} computation", pick(base), pick(cand))
    rest = lambda p: [s for s in data_statements(p) if not assigned_names(s) & {"val_tokens", "val_steps", "val_batch_size"}]
    findings += compare_nodes("data_loading", "the data-loading statements", rest(base), rest(cand))
    findings += compare_nodes("data_loading", "the reads of NANOGPT_* environment variables", env_reads(base), env_reads(cand))
    findings += compare_nodes("data_loading", "the uses of train_files", train_file_uses(base), train_file_uses(cand))
    return findings


def env_reads(parsed):
    """Statements holding a "NANOGPT_..." string: the only place the data paths and val size may come from."""
    statements = {parsed.statement_of(n) for n in ast.walk(parsed.tree)
                  if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("NANOGPT_")}
    return in_source_order(statements)


def train_file_uses(parsed):
    # Only the call that receives train_files is protected: its other arguments (batch size, sequence length) may change.
    uses = []
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.Call) and any("train_files" in names_in(a) for a in node.args):
            first = ast.Call(func=node.func, args=[a for a in node.args if "train_files" in names_in(a)], keywords=[])
            ast.copy_location(first, node)
            uses.append(first)
    return in_source_order(uses)


# --- the training clock and the validation block --------------------------------------------------------------

def clock_calls(parsed):
    return [n for n in ast.walk(parsed.tree) if isinstance(n, ast.Call) and parsed.resolve(n.func) in CLOCK_FUNCTIONS]


def clock_statements(parsed):
    """Statements that call a clock, plus every statement assigning a variable that holds clock time
    (t0, training_time_ms): together they define what the printed train_time measures."""
    direct = {parsed.statement_of(c) for c in clock_calls(parsed)}
    clock_vars = set().union(*(assigned_names(s) for s in direct)) if direct else set()
    related = {s for s in simple_statements(parsed.tree) if assigned_names(s) & clock_vars}
    return in_source_order(direct | related)


def training_loop(parsed):
    """The outermost loop that both reads a clock and calls backward(): the timed region."""
    for node in ast.walk(parsed.tree):
        if isinstance(node, (ast.For, ast.While)):
            calls = calls_in(parsed, node)
            if calls & CLOCK_FUNCTIONS and any(c.endswith(".backward") for c in calls):
                return node
    return None


def placement(parsed, stmt):
    """Where a clock statement sits: the chain of enclosing blocks with their conditions, so moving the clock start
    into a branch or past the loop header changes it."""
    chain = []
    for anc in parsed.ancestors(stmt):
        if isinstance(anc, (ast.If, ast.While)):
            chain.append(f"{type(anc).__name__}({meaning(anc.test)})")
        elif isinstance(anc, ast.For):
            chain.append(f"For({meaning(anc.target)} in {meaning(anc.iter)})")
        elif isinstance(anc, (ast.FunctionDef, ast.With, ast.Try)):
            chain.append(type(anc).__name__ + getattr(anc, "name", ""))
    return chain


def guarded_blocks(parsed, loop):
    """Compound statements inside the training loop that hold a clock statement (the validation block, where the
    clock stops, evaluate() runs and the val line prints): protected whole, so no training work can move inside."""
    blocks = set()
    for stmt in clock_statements(parsed):
        parent = parsed.parents.get(stmt)
        if loop is not None and parent is not loop and loop in parsed.ancestors(stmt) and hasattr(parent, "body"):
            blocks.add(parent)
    return in_source_order(blocks)


def check_clock(base, cand):
    findings = []
    base_stmts, cand_stmts = clock_statements(base), clock_statements(cand)
    # Where each clock statement sits is part of what it means: the record's own clock moved elsewhere is no clock.
    placed = lambda parsed, stmts: [f"{meaning(s)} @ {' / '.join(placement(parsed, s))}" for s in stmts]
    cand_placed = placed(cand, cand_stmts)
    if placed(base, base_stmts) != cand_placed:
        changed = compare_nodes("clock", "the training clock", base_stmts, cand_stmts) or [
            finding("clock", "the training clock: a clock statement moved relative to the training loop", [l for s in cand_stmts for l in lines_of(s)])]
        findings += [{**f, "_key": ("clock", "the training clock"), "_match": "seq", "_seq": cand_placed} for f in changed]
    base_loop, cand_loop = training_loop(base), training_loop(cand)
    findings += compare_nodes("clock", "the validation block of the training loop", guarded_blocks(base, base_loop), guarded_blocks(cand, cand_loop))
    findings += check_untimed_training(base, cand, base_loop, cand_loop)
    return findings


def check_untimed_training(base, cand, base_loop, cand_loop):
    """Training work (backward/optimizer step) run outside the timed loop is work the clock never sees."""
    return compare_nodes("clock", "training work outside the timed loop (untimed warm-up)", untimed_training(base, base_loop), untimed_training(cand, cand_loop))


def untimed_training(parsed, loop):
    """Statements beside the timed loop (at its level or any level above it: records 1-3 keep their main code in
    one block) that train, directly or through a top-level function they call which does not hold the loop."""
    chain = {loop, *parsed.ancestors(loop)} if loop is not None else set()
    containers = [parsed.tree, *[a for a in chain if a is not loop and a is not parsed.tree]]
    found = []
    for container in containers:
        statements = [s for field in ("body", "orelse", "finalbody") for s in (getattr(container, field, None) or [])]
        for stmt in statements:
            if stmt in chain or isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            called = {c.split(".")[-1] for c in calls_in(parsed, stmt)}
            reached = [parsed.defs[c] for c in called if isinstance(parsed.defs.get(c), ast.FunctionDef)]
            if any(loop is not None and loop in ast.walk(d) for d in reached):
                continue  # main(): the call that runs the timed loop itself
            if any(c.endswith((".backward", ".step")) for n in [stmt, *reached] for c in calls_in(parsed, n)):
                found.append(stmt)
    return in_source_order(found)


# --- the metric print lines -----------------------------------------------------------------------------------

def metric_prints(parsed):
    """Calls whose arguments hold the metric keys (print(f"step:... val_loss:... train_time:...")): the harness parses them."""
    found = []
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.Call):
            texts = [c.value for a in node.args for c in ast.walk(a) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
            if any(key in text for text in texts for key in METRIC_KEYS):
                found.append(node)
    return in_source_order(found)


def check_metric_prints(base, cand):
    return compare_nodes("metric_print", "the metric print lines", metric_prints(base), metric_prints(cand))


# --- the validation schedule -----------------------------------------------------------------------------------

def validation_schedule(parsed):
    """The condition that decides at which steps validation runs, and the statements that set what it reads
    (val_every = 25): under first-crossing timing they decide how soon a crossing can be seen."""
    loop = training_loop(parsed)
    prints = [p for p in metric_prints(parsed) if any(isinstance(c, ast.Constant) and "val_loss:" in str(c.value) for c in ast.walk(p))]
    if loop is None or not prints:
        return []
    gates = [a for a in parsed.ancestors(prints[0]) if isinstance(a, ast.If) and loop in parsed.ancestors(a)]
    if not gates:
        return []
    test = gates[-1].test  # the outermost condition inside the loop
    names = names_in(test) - names_in(loop.target) if isinstance(loop, ast.For) else names_in(test)
    setters = [st for st in simple_statements(parsed.tree) if assigned_names(st) & names]
    return [test, *in_source_order(setters)]


def check_validation_schedule(base, cand):
    return compare_nodes("val_schedule", "when validation runs (first-crossing timing: a crossing is seen only when validation runs)",
                         validation_schedule(base), validation_schedule(cand))


def check_regions(base, cand, timing_rule=None):
    findings = (check_data_statements(base, cand) + check_protected_defs(base, cand) + check_clock(base, cand)
                + check_metric_prints(base, cand))
    # Under the final-line rule the last step always validates, so how often the script validates before it is free.
    return findings + (check_validation_schedule(base, cand) if timing_rule == "first-crossing" else [])
