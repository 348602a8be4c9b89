"""The Jinja2 environment message templates run in: a sandbox narrower than Jinja's own.

Templates are written by the people who set up a webhook, and rendered on the worker's loop for
every event, so they must neither reach into the process nor cost much. On top of
`ImmutableSandboxedEnvironment` (no ``__`` attributes, no mutation):

- a name the view does not have is an error (`StrictUndefined`), found when the template is saved;
- attributes are only a mapping's keys and a loop's counters: no method of a string or a list is
  reachable (``title.center(10**9)``), and a name starting with ``_`` is refused as unsafe;
- nothing can be called but the translation helpers (no macros, no ``loop()``, no ``range``);
- filters are a short list that cannot blow a text up (no ``format``, ``center``, ``indent``,
  ``replace``, ``wordwrap``); ``*`` and ``**`` are checked before they run, ``%`` is for numbers;
- no ``include``, ``import``, ``extends``, macros or call blocks, and loops are not nested
  (`refusals`): with the caps of `sources/caps.py` a loop runs at most some thousand times;
- what a part renders is read chunk by chunk and stops at `MAX_OUTPUT` characters (`rendered`).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jinja2 import StrictUndefined, Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT = 16_384  # characters one part of a template may produce before it is stopped
MAX_REPEAT = 4_096  # the longest text or list ``*`` may make
MAX_EXPONENT = 64
MAX_BITS = 256  # the largest integer ``*`` and ``**`` may make
SAFE_FILTERS = (
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "first",
    "float",
    "int",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "reverse",
    "round",
    "select",
    "selectattr",
    "sort",
    "string",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "wordcount",
)
LOOP_ATTRIBUTES = frozenset(
    {"index", "index0", "revindex", "revindex0", "first", "last", "length", "previtem", "nextitem"}
)
REFUSED_NODES: Mapping[type[nodes.Node], str] = {
    nodes.Extends: "extends",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.Macro: "macro",
    nodes.CallBlock: "call",
}


class Helper:
    """A function templates may call (the translation helpers): nothing else is callable."""

    __slots__ = ("_function",)

    def __init__(self, function: Callable[..., str]) -> None:
        self._function = function

    def __call__(self, *args: Any) -> str:
        return self._function(*args)


class Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,  # the message is plain text: each platform escapes it
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.filters = {name: FILTERS[name] for name in SAFE_FILTERS}
        self.globals = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, Undefined):
            return obj  # the error names what was missing first
        if isinstance(attribute, str) and not attribute.startswith("_"):
            if isinstance(obj, Mapping):
                return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
            if isinstance(obj, LoopContext) and attribute in LOOP_ATTRIBUTES:
                return getattr(obj, attribute)
        return self.unsafe_undefined(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Mapping) and isinstance(argument, str):
            return self.getattr(obj, argument)
        if isinstance(obj, Sequence) and isinstance(argument, int | slice):
            try:
                return obj[argument]
            except IndexError:
                pass
        return self.undefined(obj=obj, name=str(argument))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(__obj, Helper) or kwargs:
            raise SecurityError("only the translation helpers (_, gettext, ngettext) can be called")
        return __obj(*args)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            for size, times in ((left, right), (right, left)):
                if (
                    isinstance(size, str | list | tuple)
                    and isinstance(times, int)
                    and len(size) * times > MAX_REPEAT
                ):
                    raise SecurityError(f"a repeated text or list may be at most {MAX_REPEAT} long")
            if isinstance(left, int) and isinstance(right, int) and _bits(left) + _bits(right) > MAX_BITS:
                raise SecurityError("a number this large is not needed in a message")
            return operator.mul(left, right)
        if operator_name == "**":
            if not isinstance(right, int | float) or abs(right) > MAX_EXPONENT:
                raise SecurityError(f"an exponent may be at most {MAX_EXPONENT}")
            if isinstance(left, int) and _bits(left) * abs(right) > MAX_BITS:
                raise SecurityError("a number this large is not needed in a message")
            return operator.pow(left, right)
        if isinstance(left, str) or isinstance(right, str):
            raise SecurityError("% is for numbers; there is no string formatting")
        return operator.mod(left, right)


def _bits(number: int) -> int:
    return abs(number).bit_length()


def refusals(tree: nodes.Template) -> tuple[int, str] | None:
    """The first construct a template may not use, with its line; None when there is none."""
    for node_type, name in REFUSED_NODES.items():
        for node in tree.find_all(node_type):
            return node.lineno, f"{{% {name} %}} is not available in message templates"
    for loop in tree.find_all(nodes.For):
        inner = next(iter(loop.find_all(nodes.For)), None)
        if inner is not None:
            return inner.lineno, "loops cannot be nested in message templates"
    return None
