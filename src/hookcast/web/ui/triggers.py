"""The trigger checkboxes of the integration form: each event kind with a one-line explanation.

Labels, explanations, which kinds are default triggers and their order all come from the kinds
catalogue (hookcast/kinds.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from hookcast.kinds import CATALOGUE, KindSpec
from hookcast.messages.i18n import translator


@dataclass(frozen=True, slots=True)
class TriggerOption:
    value: str
    label: str
    explanation: str
    default: bool


def trigger_options(language: str) -> tuple[list[TriggerOption], list[TriggerOption]]:
    """(the usual triggers, the others), labelled in ``language``, in the catalogue's order."""
    t = translator(language)

    def option(spec: KindSpec) -> TriggerOption:
        return TriggerOption(
            spec.kind.value, t.gettext(spec.label), t.gettext(spec.explanation), spec.default_trigger
        )

    main = [option(spec) for spec in CATALOGUE if spec.default_trigger]
    more = [option(spec) for spec in CATALOGUE if not (spec.default_trigger or spec.made_here)]
    return main, more
