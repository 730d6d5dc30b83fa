"""Just enough PromQL and exposition-format parsing to know which series an expression reads.

`selectors(expr)` returns every vector selector in a PromQL expression as
`(metric_name, [(label, op, value), ...])`. It understands strings, comments, label
matchers, range and subquery brackets, `offset`, grouping clauses (`by`, `without`, `on`,
`ignoring`, `group_left`, `group_right`), function calls and aggregation operators, and
Grafana's `$__rate_interval`-style variables. It is not a full parser: it only has to
find identifiers that name series, and it errs towards reporting too many (an unknown
identifier is reported as a metric, so a typo fails the check instead of hiding).
"""

import re

AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}
GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end"}

_DURATION = re.compile(r"\d+(?:\.\d+)?(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_VARIABLE = re.compile(r"\$\{[^}]*\}|\$[a-zA-Z_][a-zA-Z0-9_]*")
_MATCHER = re.compile(r"\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*")


class PromQLError(ValueError):
    pass


def _read_string(text: str, start: int):
    quote = text[start]
    i = start + 1
    out = []
    while i < len(text):
        ch = text[i]
        if ch == "\\" and quote != "`" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise PromQLError(f"unterminated string at offset {start}")


def _read_matchers(text: str, start: int):
    """Parses `{a="x", b=~"y"}` starting at `{`; returns (matchers, index after `}`)."""
    i = start + 1
    matchers = []
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text):
            raise PromQLError(f"unterminated label matchers at offset {start}")
        if text[i] == "}":
            return matchers, i + 1
        if text[i] in "\"'`":  # a bare metric name in braces: {"metric_name"}
            value, i = _read_string(text, i)
            matchers.append(("__name__", "=", value))
            continue
        m = _MATCHER.match(text, i)
        if not m:
            raise PromQLError(f"bad label matcher at offset {i}: {text[i:i + 30]!r}")
        i = m.end()
        if i >= len(text) or text[i] not in "\"'`":
            raise PromQLError(f"label {m.group(1)} needs a quoted value at offset {i}")
        value, i = _read_string(text, i)
        matchers.append((m.group(1), m.group(2), value))


def _skip_balanced(text: str, start: int, opening: str, closing: str) -> int:
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch in "\"'`":
            _, i = _read_string(text, i)
            continue
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise PromQLError(f"unbalanced {opening}{closing} at offset {start}")


def _next_significant(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def selectors(expr: str):
    """Every vector selector of `expr` as (name, matchers); the name of `{__name__="x"}` is x."""
    text = _VARIABLE.sub("1m", expr)
    text = re.sub(r"#[^\n]*", "", text)
    found = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "\"'`":
            _, i = _read_string(text, i)
        elif ch == "[":
            i = _skip_balanced(text, i, "[", "]")
        elif ch == "{":
            matchers, i = _read_matchers(text, i)
            names = [v for (label, op, v) in matchers if label == "__name__" and op == "="]
            rest = [m for m in matchers if m[0] != "__name__"]
            if not names:
                raise PromQLError("a selector without a metric name matches every series")
            found.append((names[0], rest))
        elif ch.isdigit() or (ch == "." and i + 1 < len(text) and text[i + 1].isdigit()):
            m = _DURATION.match(text, i) or _NUMBER.match(text, i)
            i = m.end()
        elif _IDENT.match(text, i):
            m = _IDENT.match(text, i)
            word = m.group(0)
            i = m.end()
            j = _next_significant(text, i)
            following = text[j] if j < len(text) else ""
            if word in GROUPING:
                if following == "(":
                    i = _skip_balanced(text, j, "(", ")")
                elif word not in ("group_left", "group_right"):
                    raise PromQLError(f"'{word}' must be followed by a label list")
            elif word == "offset":
                k = _next_significant(text, i)
                if k < len(text) and text[k] == "-":
                    k += 1
                m = _DURATION.match(text, k)
                i = m.end() if m else i
            elif word in AGGREGATIONS or word in KEYWORDS:
                continue
            elif following == "(":
                continue  # a function call
            elif following == "{":
                matchers, i = _read_matchers(text, j)
                found.append((word, matchers))
            else:
                found.append((word, []))
        else:
            i += 1
    return found


def metric_names(expr: str):
    return sorted({name for name, _ in selectors(expr)})


# ---------------------------------------------------------------------------------------------
# Exposition format (text 0.0.4): what the binary's /metrics serves.

_SAMPLE = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+\d+)?\s*$")


def parse_exposition(text: str):
    """Returns ({sample name: [label dict, ...]}, {family: type}) from a /metrics body."""
    samples = {}
    types = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 4 and parts[1] == "TYPE":
                types[parts[2]] = parts[3].strip()
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise PromQLError(f"line {number} is not a sample: {line[:80]!r}")
        labels = {}
        if m.group(2):
            for label, op, value in _read_matchers(m.group(2), 0)[0]:
                if op != "=":
                    raise PromQLError(f"line {number}: exposition labels use '='")
                labels[label] = value
        float(m.group(3).replace("+Inf", "inf").replace("-Inf", "-inf").replace("NaN", "nan"))
        samples.setdefault(m.group(1), []).append(labels)
    return samples, types
