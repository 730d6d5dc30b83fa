"""A tiny pass/fail reporter shared by the ops checks: one line per check, a summary at the end."""

import sys


class Report:
    """Collects check results and prints them as `PASS`/`FAIL`/`NOTE` lines."""

    def __init__(self, section: str):
        self.section = section
        self.passed = 0
        self.failed = 0

    def ok(self, name: str, detail: str = "") -> None:
        self.passed += 1
        print(f"  PASS  {self.section}: {name}" + (f" ({detail})" if detail else ""), flush=True)

    def fail(self, name: str, problems) -> None:
        self.failed += 1
        if isinstance(problems, str):
            problems = [problems]
        print(f"  FAIL  {self.section}: {name}", flush=True)
        for problem in problems:
            print(f"          - {problem}", flush=True)

    def note(self, text: str) -> None:
        print(f"  NOTE  {self.section}: {text}", flush=True)

    def check(self, name: str, problems, detail: str = "") -> bool:
        """Passes when `problems` is empty, else fails listing them."""
        if problems:
            self.fail(name, problems)
            return False
        self.ok(name, detail)
        return True

    def finish(self) -> int:
        """Writes the counts for ops/check.sh to add up and returns the exit status."""
        print(f"  ({self.section}: {self.passed} passed, {self.failed} failed)", flush=True)
        counts = _counts_file()
        if counts:
            with open(counts, "a", encoding="utf-8") as handle:
                handle.write(f"{self.passed} {self.failed}\n")
        return 1 if self.failed else 0


def _counts_file():
    import os
    return os.environ.get("OPS_CHECK_COUNTS")


def die(message: str) -> None:
    print(f"  FAIL  {message}", file=sys.stderr, flush=True)
    sys.exit(2)
