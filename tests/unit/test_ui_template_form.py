"""The form's templates section: what its inputs make, and what a save from the form keeps of a
template set through the API."""

from __future__ import annotations

from hookcast.web.ui import template_form

STORED = {
    "push": {
        "title": "{{ title }}",
        "fields": [{"label": f"l{i}", "value": f"v{i}"} for i in range(6)],
        "mentions": False,
        "zh_CN": {"title": "标题", "buttons": [{"label": "打开", "url": "{{ url }}"}]},
    }
}


def form_of(kind: str) -> dict[str, str]:
    """The inputs the form shows for ``kind``'s stored template, as the browser sends them back."""
    shown = template_form.values(STORED, kind)
    sent = {
        "template_kind": kind,
        "template_title": shown["template_title"],
        "template_lines": shown["template_lines"].replace("\n", "\r\n"),
        "template_zh_title": shown["template_zh_title"],
        "template_zh_lines": shown["template_zh_lines"],
    }
    if shown["template_mentions"]:
        sent["template_mentions"] = "on"
    for index, row in enumerate(shown["template_fields"]):
        sent |= {f"template_field_label_{index}": row["label"], f"template_field_value_{index}": row["value"]}
    for index, row in enumerate(shown["template_buttons"]):
        sent |= {f"template_button_label_{index}": row["label"], f"template_button_url_{index}": row["url"]}
    return sent


def test_a_form_saved_unchanged_keeps_the_template_whole() -> None:
    assert template_form.changes_from(form_of("push"), STORED) == STORED


def test_an_empty_section_removes_the_kinds_template_and_other_kinds_are_untouched() -> None:
    assert template_form.changes_from({"template_kind": "push", "template_mentions": "on"}, STORED) == {
        "push": None
    }
    assert template_form.changes_from(form_of("tag_push"), STORED) == {"tag_push": None}
    assert template_form.changes_from({"template_kind": "no such kind"}, STORED) == {}


def test_lines_typed_in_a_browser_lose_their_carriage_returns() -> None:
    form = {"template_kind": "push", "template_lines": "\r\na\r\n{{ b }}\r\n", "template_mentions": "on"}
    assert template_form.spec_from(form) == {"lines": "a\n{{ b }}"}
