"""Findings and how a region's change becomes one.

A finding is what `speedrun check` prints: rule, severity, the candidate's lines and a message. While the checker
runs, each also carries how to recognise the same change in the task's next record (keys starting with "_", see
integrity_sanction.py); they are dropped before printing.
"""
from integrity_ast import lines_of, meaning, simple_statements


def finding(rule, message, lines, severity="reject", key=None, match="rule", seq=None, meanings=None):
    """match: how the next record's finding with the same key must look for this one to be the record's own change:
    "rule" (any change under the key), "seq" (the same ordered region), "meanings" (the same statements)."""
    return {"rule": rule, "severity": severity, "lines": sorted(set(lines)), "message": message,
            "_key": key or (rule,), "_match": match, "_seq": seq, "_meanings": meanings}


def public(f):
    return {k: v for k, v in f.items() if not k.startswith("_")}


def compare_nodes(rule, what, base_nodes, cand_nodes):
    """Reject when the ordered meanings differ; the lines are the candidate nodes that have no twin in the baseline
    (or, when something was only removed, every candidate node of the region)."""
    base = [meaning(n) for n in base_nodes]
    cand = [meaning(n) for n in cand_nodes]
    if base == cand:
        return []
    new = [n for n, m in zip(cand_nodes, cand) if m not in base]
    removed = [n for n, m in zip(base_nodes, base) if m not in cand]
    base_inner = {meaning(s) for n in base_nodes for s in simple_statements(n)}
    lines = [line for n in new for line in changed_lines(n, base_inner)]
    if not new and not removed:  # same pieces, other order: point at all of them
        lines = [line for n in cand_nodes for line in lines_of(n)]
    detail = [f"{len(new)} changed or added"] if new else []
    if removed:
        detail.append(f"{len(removed)} removed (baseline line{'s' if len(removed) > 1 else ''} {', '.join(str(n.lineno) for n in removed)})")
    same_pieces = "the same statements repeated, dropped or reordered" if len(base) != len(cand) else "reordered"
    return [finding(rule, f"{what}: changed in meaning ({'; '.join(detail) or same_pieces})", lines,
                    key=(rule, what), match="seq", seq=cand)]


def changed_lines(node, base_inner):
    """Lines of the simple statements inside a changed block that the baseline lacks: a one-line edit inside a
    40-line function points at that line. A changed header (loop range, condition) falls back to the whole block."""
    inner = [s for s in simple_statements(node) if s is not node]
    changed = [line for s in inner if meaning(s) not in base_inner for line in lines_of(s)]
    return changed or lines_of(node)
