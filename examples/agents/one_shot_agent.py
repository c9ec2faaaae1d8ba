#!/usr/bin/env python3
"""An example agent for `speedrun run --agent exec` (docs/agent-protocol.md), standard library only.

It reads the task from its workspace (the current folder), asks the model behind the run's proxy for a faster
train_gpt.py in one call, and writes the script back with a note. The harness trains and measures the result.
"""
import json
import os
import re
import sys
import urllib.error
import urllib.request

FENCE = re.compile(r"```(?:python|py)?\n(.*?)```", re.S)


def read(name, default=""):
    try:
        with open(name, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return default


def prompt(task, script, hint, history):
    lines = [
        f"You are improving the training script of record {task['record']} of the {task['track']} speedrun.",
        f"Goal: reach validation loss {task['target_val_loss']} in less training time than the baseline "
        f"({task['baseline_time_ms'] / 1000:.1f} s on {task['hardware']}). Do not touch data loading, validation or timing.",
        f"This node is a {task['operator']} of node {task['parent']}.",
    ]
    if hint.strip():
        lines += ["", "Hint:", hint.strip()]
    tried = [n for n in history["nodes"] if n["operator"] != "baseline"]
    if tried:
        lines += ["", "Earlier attempts:"] + [f"- node {n['node']}: {n['status']}, {n['note'] or ''}" for n in tried]
    if history.get("failing_log_tail"):
        lines += ["", "The parent failed; its log ends:", history["failing_log_tail"]]
    lines += ["", "Current script:", "```python", script.rstrip("\n"), "```", "",
              "Answer with one sentence on your change, then the whole new script in one ```python block."]
    return "\n".join(lines)


def ask(messages):
    body = json.dumps({"model": "default", "messages": messages}).encode()
    request = urllib.request.Request(
        os.environ["OPENAI_BASE_URL"].rstrip("/") + "/chat/completions",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]},
    )
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.load(response)["choices"][0]["message"]["content"] or ""
    except urllib.error.HTTPError as error:
        # The proxy says why (e.g. the run's budget is spent); a non-zero exit ends the node as agent-failed.
        sys.exit(f"model call failed: HTTP {error.code}: {error.read().decode(errors='replace')}")


def main():
    task = json.loads(read("task.json"))
    script = read("train_gpt.py")
    answer = ask([{"role": "user", "content": prompt(task, script, read("hint.md"), json.loads(read("history.json", "{}")) or {"nodes": []})}])
    match = FENCE.search(answer)
    if not match:
        sys.exit("the model's answer holds no ```python block; the script is left as it was")
    with open("train_gpt.py", "w", encoding="utf-8") as f:
        f.write(match.group(1))
    note = FENCE.sub("", answer).strip().splitlines()
    with open("notes.md", "w", encoding="utf-8") as f:
        f.write((note[0] if note else "rewrote the script") + "\n")


if __name__ == "__main__":
    main()
