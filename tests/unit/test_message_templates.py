"""Message templates: compiled, checked with the part and line of each problem, run in a sandbox
that refuses escapes and blow-ups, and whatever hostile text they carry stays harmless on every
platform (encoded like any message)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookcast.events import EventKind, Person, ProjectRef, Tone
from hookcast.messages.model import plain
from hookcast.messages.render import render
from hookcast.messages.sandbox import MAX_OUTPUT
from hookcast.messages.template_view import DETAIL_NAMES, VARIABLE_NAMES, view_of
from hookcast.messages.templates import MAX_SOURCE, TemplateError, check, compile_spec, rendered
from hookcast.platforms import PLATFORMS
from hookcast.platforms.base import PlatformName
from hookcast.sample_events import sample_event
from hookcast.services import message_templates
from hookcast.services.errors import Invalid
from tests.unit.test_hostile_text import (
    GUARDED,
    GUARDED_HTML,
    URLS,
    check_platform_limits,
    encoded,
    hostile,
    texts,
)

PUSH = sample_event(EventKind.PUSH)
SPEC = {
    "title": "{{ actor.name }} pushed {{ items|length }} to {{ branch }}",
    "lines": "{% for c in items %}\n- {{ c.title }}\n{% endfor %}",
    "fields": [{"label": "{{ _('Project') }}", "value": "{{ project.name }}"}],
    "buttons": [{"label": "Open", "url": "{{ url }}"}, {"label": "Bad", "url": "javascript:alert(1)"}],
    "zh_CN": {"title": "{{ actor.name }} 推送到 {{ branch }}"},
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "templates.md"


def error_of(spec: dict[str, object], kind: str = "push") -> TemplateError:
    with pytest.raises(TemplateError) as raised:
        check(compile_spec(kind, spec), sample_event(EventKind(kind)))
    return raised.value


def test_a_template_rewords_the_builtin_message_in_both_languages() -> None:
    template = compile_spec("push", SPEC)
    check(template, PUSH)
    builtin = render(PUSH, "en")
    message, failure = rendered(PUSH, "en", template)
    assert failure is None
    assert message.title == "John Smith pushed 2 to master" == message.summary
    assert [plain(line) for line in message.lines] == [f"- {item.title}" for item in PUSH.items]
    assert [(f.label, plain(f.value)) for f in message.fields] == [("Project", "Diaspora")]
    assert [a.label for a in message.actions] == ["Open"]  # the javascript: button is dropped
    assert (message.tone, message.url, message.footer) == (builtin.tone, builtin.url, builtin.footer)
    chinese, _ = rendered(PUSH, "zh_CN", template)
    assert chinese.title == "John Smith 推送到 master"
    assert chinese.fields[0].label == "项目"  # the translation helper, in the webhook's language
    assert chinese.lines == message.lines  # a part the variant leaves out is the base one


def test_a_part_left_out_is_the_builtin_one_and_mentions_can_be_dropped() -> None:
    builtin = render(PUSH, "en")
    message, _ = rendered(PUSH, "en", compile_spec("push", {"title": "only the title", "mentions": False}))
    assert message.title == "only the title"
    assert (message.lines, message.fields, message.actions) == (
        builtin.lines,
        builtin.fields,
        builtin.actions,
    )
    assert message.mentions == ()


def test_tone_is_the_builtin_one_whatever_the_words() -> None:
    failed = sample_event(EventKind.PIPELINE).model_copy(update={"tone": Tone.FAILURE})
    template = compile_spec("pipeline", {"title": "all good, success, green", "lines": "{{ tone }}"})
    message, _ = rendered(failed, "en", template)
    assert message.tone == render(failed, "en").tone
    assert plain(message.lines[0]) == message.tone.value


@pytest.mark.parametrize(
    ("spec", "part", "line", "problem"),
    [
        ({"lines": "ok\n{{ nosuch }}"}, "lines", 2, "'nosuch' is undefined"),
        ({"lines": "ok\nok\n{{ branch "}, "lines", 3, "unexpected end of template"),
        ({"title": "{{ details.nosuch }}"}, "title", 1, "no attribute 'nosuch'"),
        ({"zh_CN": {"lines": "a\n{% if %}"}}, "zh_CN.lines", 2, "Expected an expression"),
        ({"fields": [{"label": "x", "value": "{{ title|center(9) }}"}]}, "fields[0].value", 1, "No filter"),
        ({"buttons": [{"label": "x"}, {"label": "y", "url": "{{ 1/0 }}"}]}, "buttons[1].url", 1, "division"),
        ({"colour": "red"}, "colour", 0, "unknown part"),
        ({"fields": "x"}, "fields", 0, "must be a list"),
        ({"mentions": "yes"}, "mentions", 0, "true or false"),
    ],
)
def test_errors_name_the_part_and_the_line(
    spec: dict[str, object], part: str, line: int, problem: str
) -> None:
    error = error_of(spec)
    assert (error.kind, error.part, error.line) == ("push", part, line)
    assert problem in error.problem
    assert str(error).startswith(f"push: {part}")


@pytest.mark.parametrize(
    "source",
    [
        "{{ title.__class__ }}",
        "{{ title.__class__.__mro__[1].__subclasses__() }}",
        "{{ items.__class__ }}",
        "{{ project['__class__'] }}",
        "{{ title.upper() }}",
        "{{ title.format(1) }}",
        "{{ self.__init__.__globals__ }}",
        "{{ range(10**6)|list }}",
        "{{ lipsum() }}",
        "{{ cycler(1) }}",
        "{% set n = namespace(x=1) %}",
        "{% for i in items %}{{ loop.cycle(1, 2) }}{% endfor %}",
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
        "{% include 'x' %}",
        "{% import 'x' as y %}",
        "{% extends 'x' %}",
        "{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}",
        "{{ 'a' * 100000 }}",
        "{{ [1] * 100000 }}",
        "{{ 10 ** 10 ** 10 }}",
        "{{ (10**60) * (10**60) }}",
        "{{ '%999999999s' % 1 }}",
        "{{ title|format(1) }}",
        "{{ title|indent(10**9) }}",
        "{{ title|replace('', title) }}",
    ],
)
def test_sandbox_escapes_and_blow_ups_are_refused(source: str) -> None:
    error = error_of({"lines": source})
    assert error.part == "lines" and error.line == 1


def test_a_part_that_renders_too_much_is_stopped() -> None:
    spec = {"lines": "{% for c in items %}" + "{{ description }}{{ title }}" * 100 + "{% endfor %}"}
    long_push = PUSH.model_copy(update={"description": "x" * 8000})
    _, failure = rendered(long_push, "en", compile_spec("push", spec))
    assert failure is not None and str(MAX_OUTPUT) in failure.problem


def test_a_template_source_is_bounded() -> None:
    assert "at most" in error_of({"lines": "x" * (MAX_SOURCE + 1)}).problem


def test_a_run_time_failure_keeps_the_builtin_message() -> None:
    template = compile_spec("push", {"title": "{{ 1 // (actor.username != 'breaks') }}"})
    check(template, PUSH)
    broken = PUSH.model_copy(update={"actor": Person(name="B", username="breaks")})
    message, failure = rendered(broken, "en", template)
    assert message == render(broken, "en")
    assert failure is not None and failure.part == "title" and "division" in failure.problem


def test_the_view_has_exactly_the_declared_variables() -> None:
    view = view_of(PUSH, "en", "Push", Tone.SUCCESS)
    assert tuple(view) == VARIABLE_NAMES
    assert tuple(view["details"]) == DETAIL_NAMES


def test_the_documentation_lists_every_variable_and_detail() -> None:
    documented = DOCS.read_text(encoding="utf-8")
    missing = [name for name in (*VARIABLE_NAMES, *DETAIL_NAMES) if f"`{name}`" not in documented]
    assert missing == []


def test_saving_names_kind_part_and_line_and_refuses_kinds_without_templates() -> None:
    with pytest.raises(Invalid) as raised:
        message_templates.stored(None, {"merge_request": {"lines": "a\n{{ actor.email }}"}})
    assert raised.value.field == "templates"
    assert str(raised.value).startswith("template of merge_request, lines, line 2:")
    with pytest.raises(Invalid):
        message_templates.stored(None, {"review_reminder": {"title": "x"}})
    kept = message_templates.stored({"push": SPEC}, {"push": None, "tag_push": {"title": "{{ ref }}"}})
    assert kept == {"tag_push": {"title": "{{ ref }}"}}


@pytest.mark.parametrize("kind", [k for k in EventKind if k.value in message_templates.TEMPLATE_KINDS])
def test_every_variable_renders_for_every_kind(kind: EventKind) -> None:
    """A template using every name is valid for every kind's sample (no name is missing anywhere)."""
    every = " ".join("{{ " + name + " }}" for name in VARIABLE_NAMES)
    details = " ".join("{{ details." + name + " }}" for name in DETAIL_NAMES)
    check(compile_spec(kind.value, {"lines": every + "\n" + details}), sample_event(kind))


HOSTILE_SPEC = {
    "title": "{{ title }} {{ actor.name }}",
    "lines": "{{ description }}\n{% for l in labels %}{{ l }}\n{% endfor %}",
    "fields": [{"label": "{{ project.name }}", "value": "{{ title }}"}],
    "buttons": [{"label": "{{ actor.name }}", "url": "{{ project.url }}"}],
}
TEMPLATE = compile_spec("push", HOSTILE_SPEC)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile, name=hostile, description=hostile, labels=st.lists(hostile, max_size=4))
def test_hostile_text_through_a_template_stays_harmless_on_every_platform(
    title: str, name: str, description: str, labels: list[str]
) -> None:
    event = PUSH.model_copy(
        update={
            "title": title,
            "actor": Person(name=name),
            "description": description,
            "labels": tuple(labels),
            "project": ProjectRef(name=name, url="javascript:alert(1)"),
        }
    )
    message, failure = rendered(event, "en", TEMPLATE)
    assert failure is None
    assert message.actions == ()  # no web address: no button
    reference, _ = rendered(
        PUSH.model_copy(
            update={"title": "x", "actor": Person(name="x"), "description": "x", "labels": ("x",)}
        ),
        "en",
        TEMPLATE,
    )
    for platform, url in URLS.items():
        raw, body = encoded(platform, message, url)
        assert len(raw) <= PLATFORMS[platform].max_body_bytes, platform
        check_platform_limits(platform, body)
        _, benign = encoded(platform, reference, url)
        if platform is PlatformName.TELEGRAM:
            hostile_text, reference_text = body["text"], benign["text"]
        else:
            hostile_text, reference_text = texts(body), texts(benign)
        for token in GUARDED_HTML if platform is PlatformName.TELEGRAM else GUARDED:
            assert hostile_text.count(token) <= reference_text.count(token), (platform, token)


def test_markup_a_template_writes_is_text_to_every_platform() -> None:
    """What a template writes is user text, not the message's markup: each platform escapes it
    like any other (compared with the same template saying "x")."""
    template = compile_spec("push", {"title": '<at user_id="all"> @all </script> [x](https://evil.example)'})
    message, _ = rendered(PUSH, "en", template)
    assert "@all" in message.title  # kept as text in the message; each platform defuses it
    reference, _ = rendered(PUSH, "en", compile_spec("push", {"title": "x"}))
    for platform, url in URLS.items():
        _, body = encoded(platform, message, url)
        _, benign = encoded(platform, reference, url)
        telegram = platform is PlatformName.TELEGRAM
        shown, expected = (body["text"], benign["text"]) if telegram else (texts(body), texts(benign))
        for token in GUARDED_HTML if telegram else GUARDED:
            assert shown.count(token) <= expected.count(token), (platform, token)
