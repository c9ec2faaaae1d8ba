#!/usr/bin/env python3
"""The experiment tool of an exec agent's workspace (docs/agent-protocol.md, "Experiments").

    ./speedrun-tool train [--note TEXT] [--smoke N]

trains the workspace's current train_gpt.py through the run's executor, as a node of the run, and prints the
measured result as JSON on stdout. With --smoke N it trains the script rewritten to N steps: a quick check that it
runs and how its loss starts, never scored (its time is not the script's). Exit 0: trained (whatever its status); 3: refused (node cap or time budget
reached); 1: any other failure, said on stderr. Standard library only: it runs wherever the agent runs.
"""
import argparse
import json
import os
import sys
import urllib.error
import urllib.request


def positive_int(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a positive whole number of steps, not {text!r}")
    return int(text)


def main():
    parser = argparse.ArgumentParser(prog="speedrun-tool")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train the current train_gpt.py as a node of the run")
    train.add_argument("--note", default="", help="what this experiment tries (kept as the node's note)")
    train.add_argument("--smoke", type=positive_int, metavar="N", help="train only N steps: a quick check, never scored")
    args = parser.parse_args()

    workspace = os.environ.get("SPEEDRUN_WORKSPACE", ".")
    with open(os.path.join(workspace, "train_gpt.py"), encoding="utf-8") as f:
        script = f.read()
    request = urllib.request.Request(
        os.environ["OPENAI_BASE_URL"].rstrip("/") + "/speedrun/train",
        data=json.dumps({"script": script, "note": args.note, **({"smoke": args.smoke} if args.smoke else {})}).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]},
    )
    try:
        # A training takes as long as it takes: the harness applies the run's own time limit.
        with urllib.request.urlopen(request, timeout=None) as response:
            print(json.dumps(json.load(response), indent=2))
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        print(f"speedrun-tool: {body}", file=sys.stderr)
        sys.exit(3 if error.code == 409 else 1)
    except urllib.error.URLError as error:
        sys.exit(f"speedrun-tool: the harness did not answer: {error.reason}")


if __name__ == "__main__":
    main()
