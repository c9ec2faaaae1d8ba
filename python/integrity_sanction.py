"""What the task's own next record changed is the task, not tampering.

A candidate's finding is the record's own change when the same checker, run on the baseline against the true next
record, reports a finding with the same key that matches it: the same ordered region ("seq": the agent's version of
the region is exactly the record's), the same statements ("meanings": each offending statement is one the record
adds too), or, for compiler settings, any under the key ("rule"). Such a finding is downgraded to a flag that says
so; everything else keeps its severity, so tampering with a region the record also rewrote is still rejected.
"""

BY_RECORD = "the record itself changed this"


def sanction(findings, reference_findings):
    by_key = {}
    for f in reference_findings:
        by_key.setdefault(f["_key"], []).append(f)
    return [_downgraded(f) if _is_records_change(f, by_key.get(f["_key"], [])) else f for f in findings]


def _is_records_change(f, references):
    if not references or f["rule"] == "syntax":
        return False
    if f["_match"] == "seq":
        return any(r["_seq"] == f["_seq"] for r in references)
    if f["_match"] == "meanings":
        allowed = {m for r in references for m in (r["_meanings"] or [])}
        return bool(f["_meanings"]) and set(f["_meanings"]) <= allowed
    return True


def _downgraded(f):
    return {**f, "severity": "flag", "by_record": True, "message": f"{BY_RECORD}: {f['message']}"}
