"""What a person may type, checked at each process's first check (through the harness, as the worker
runs it): lengths, types, characters that are not text and characters the checklist's PDF cannot
draw, each problem naming the form's label (Chinese first) and the variable's key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workers.processes.work_handover import rules
from workers.runtime.testing import BpmnError, Completed, FakeEngine, HandlerEnvironment, Typed
from workers.shared.text import MAX_PROBLEMS_SHOWN, MAX_ROWS, MaxLength, check_text, rejection_message

DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
DEADLINES = {"verificationDays": 2, "companyTimeZone": "Asia/Shanghai", "deadlineTime": "18:00",
             "plannedDate": "2026-12-09"}


def row(**changes: Any) -> dict[str, Any]:
    return {"category": "equipment", "description": "笔记本电脑 / Laptop", "location": "3F 柜子",
            "assetNumber": "IT-2024-0173", **changes}


def check_checklist(*rows: Any) -> BpmnError | Completed:
    return HandlerEnvironment().run("handover.check-checklist", {"checklistItems": list(rows), **DEADLINES})


def rejected(outcome: Any, code: str) -> str:
    """The rejection's message without the list it is about (`checklistItems: ...`), when it names one."""
    assert isinstance(outcome, BpmnError) and outcome.code == code, outcome
    for listed in ("checklistItems: ", "verificationItems: ", "responsibilities: "):
        outcome = BpmnError(outcome.code, outcome.message.removeprefix(listed), outcome.variables)
    return outcome.message


# --- the shared rules ---------------------------------------------------------------------------
def test_text_longer_than_its_kind_allows_is_named_with_label_key_and_both_lengths() -> None:
    assert check_text("x" * 2001, "description", "说明", MaxLength.TEXT, where=("第 2 项 ", "item 2 ")) == [
        "第 2 项 说明 / item 2 description: 不能超过 2000 个字符（现有 2001 个） / must be at most 2000 characters (has 2001)"]
    assert check_text("x" * 2000, "description", "说明", MaxLength.TEXT) == []


def test_a_field_with_its_forms_bilingual_label_is_named_by_the_label_in_both_languages_never_the_key() -> None:
    assert check_text(None, "assetNumber", "资产编号 / Asset number", MaxLength.CODE, where=("第 2 项 ", "item 2 "),
                      required=True) == ["第 2 项 资产编号 / item 2 Asset number: 必填 / is required"]


@pytest.mark.parametrize("value, kind", [(["a"], "列表 / a list"), (3, "数字 / a number"), ({"a": 1}, "对象 / an object"),
                                         (True, "是否值 / a yes/no value")])
def test_a_value_that_is_not_text_is_named_with_what_it_is(value: Any, kind: str) -> None:
    assert check_text(value, "location", "存放位置或系统", MaxLength.LINE) == [
        f"存放位置或系统 / location: 须为文字，收到{kind} / must be text"]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\u202e", "\ud800", "\ue000"])
def test_control_bidi_override_surrogate_and_private_use_characters_are_refused(char: str) -> None:
    assert "control characters" in check_text(f"a{char}b", "k", "标签", 10, multiline=True)[0]


def test_a_textarea_may_hold_line_breaks_and_tabs_a_one_line_field_may_not() -> None:
    assert check_text("a\r\nb\tc", "k", "标签", 10, multiline=True) == []
    assert check_text("a\nb", "k", "标签", 10) != []


def test_a_rejection_message_shows_the_first_problems_and_counts_the_rest() -> None:
    message = rejection_message([f"p{n}" for n in range(MAX_PROBLEMS_SHOWN + 7)])
    assert message.splitlines()[-1] == "……另有 7 个问题 / … and 7 more problems"
    assert len(message.splitlines()) == MAX_PROBLEMS_SHOWN + 1


# --- the checklist (handover.check-checklist) ---------------------------------------------------
def test_a_100_kb_description_is_sent_back_to_the_giver_naming_the_field() -> None:
    message = rejected(check_checklist(row(), row(description="很长" * 50_000)), "CHECKLIST_INCOMPLETE")
    assert message == ("第 2 项 说明 / item 2 Description: 不能超过 2000 个字符（现有 100000 个） / "
                       "must be at most 2000 characters (has 100000)")


@pytest.mark.parametrize("description", [["Laptop"], 42, {"text": "Laptop"}])
def test_a_description_that_is_not_text_is_sent_back_not_archived_later(description: Any) -> None:
    message = rejected(check_checklist(row(description=description)), "CHECKLIST_INCOMPLETE")
    assert message.startswith("第 1 项 说明 / item 1 Description: 须为文字")


@pytest.mark.parametrize("asset, rule", [(-1, "须为文字"), (1.5, "须为文字"),
                                         ("-1", "资产编号为资产标签上的文字"), ("A" * 41, "不能超过 40 个字符")])
def test_an_asset_number_is_short_label_text_never_a_number(asset: Any, rule: str) -> None:
    message = rejected(check_checklist(row(assetNumber=asset)), "CHECKLIST_INCOMPLETE")
    assert message.startswith("第 1 项 资产编号 / item 1 Asset number: ") and rule in message


def test_an_asset_number_of_1e400_in_a_json_list_is_refused_as_a_number() -> None:
    # 1e400 in JSON is a number too big for a double: Python reads it as inf, the engine as Infinity.
    outcome = HandlerEnvironment().run("handover.check-checklist", {
        "checklistItems": Typed("Json", '[{"category": "equipment", "description": "Laptop", "location": "3F", '
                                        '"assetNumber": 1e400}]'), **DEADLINES})
    assert "item 1 Asset number: 须为文字，收到数字 / a number / must be text" in rejected(outcome, "CHECKLIST_INCOMPLETE")


@pytest.mark.parametrize("asset", ["IT-2024-0173", "固资-0007", "SN 4411/B.2"])
def test_asset_numbers_as_labels_spell_them_are_accepted(asset: str) -> None:
    assert rules.checklist_problems([row(assetNumber=asset)]) == []


def test_a_nul_character_is_refused_naming_its_code_point() -> None:
    message = rejected(check_checklist(row(location="3F\x00")), "CHECKLIST_INCOMPLETE")
    assert message == ("第 1 项 存放位置或系统 / item 1 Where it is: 含有不允许的控制字符 U+0000 / "
                       "contains control characters that are not text")


def test_an_emoji_the_checklist_font_cannot_draw_is_refused_naming_the_character() -> None:
    message = rejected(check_checklist(row(description="交接 😀")), "CHECKLIST_INCOMPLETE")
    assert message == ("第 1 项 说明 / item 1 Description: 字符 😀 (U+1F600) 无法打印在交接清单上 / "
                       "cannot be printed on the checklist")


def test_arabic_text_the_checklist_font_cannot_draw_is_refused_each_character_once() -> None:
    problems = rules.checklist_problems([row(contact="عمر عمر")])
    assert [p.split("字符 ")[1].split(" ")[1] for p in problems] == ["(U+0639)", "(U+0645)", "(U+0631)"]


def test_more_rows_than_a_checklist_holds_are_refused_at_once() -> None:
    assert rules.checklist_problems([row()] * (MAX_ROWS + 1)) == [
        f"交接事项 / Items: 不能超过 {MAX_ROWS} 项（现有 {MAX_ROWS + 1} 项） / "
        f"must have at most {MAX_ROWS} rows (has {MAX_ROWS + 1})"]
    assert "须为列表" in rules.checklist_problems({"category": "documents"})[0]


def test_a_checklist_within_the_limits_passes_with_mixed_chinese_latin_and_cyrillic() -> None:
    outcome = check_checklist(row(description="交接 Ноутбук — café\n第二行", location="x" * MaxLength.LINE))
    assert isinstance(outcome, Completed), outcome


# --- the notice (handover.resolve-parties) ------------------------------------------------------
def resolve(**changes: Any) -> Any:
    from tests.unit.test_handover_parties import notice, resolve as resolve_notice

    return resolve_notice(notice("yang.fan", "wu.hao", "sales", "chen.jing", **changes))


def test_a_notice_with_a_list_as_giver_or_overlong_arrangements_goes_back_to_its_form() -> None:
    assert rejected(resolve(giverId=["yang.fan"]), "HANDOVER_INVALID") == "交出人 / Person handing over: 须为文字，收到列表 / a list / must be text"
    message = rejected(resolve(arrangements="安排" * 1001), "HANDOVER_INVALID")
    assert message.startswith("交接安排 / Arrangements: 不能超过 2000 个字符")


def test_arrangements_the_checklist_font_cannot_draw_go_back_to_the_notice_form() -> None:
    """The arrangements are printed on the signed checklist: refused at the notice, not at the archive."""
    assert rejected(resolve(arrangements="周一交接 😀"), "HANDOVER_INVALID") == (
        "交接安排 / Arrangements: 字符 😀 (U+1F600) 无法打印在交接清单上 / cannot be printed on the checklist")


def test_a_notice_within_the_limits_still_resolves() -> None:
    assert isinstance(resolve(arrangements="周一上午交接\n周二跟进"), Completed)


# --- verification (handover.record-verification) and the send-back -----------------------------
def test_a_question_beyond_its_limit_or_of_the_wrong_type_is_named_by_row() -> None:
    from workers.processes.work_handover.checklist import ChecklistItem

    checklist = [ChecklistItem(category="documents", description=d, location="share") for d in "AB"]
    result = rules.verify(checklist, [{"verdict": "question", "question": "?" * 2001},
                                      {"verdict": "question", "question": ["where?"]}])
    assert [p.split(":")[0] for p in result.problems] == ["第 1 项 疑问 / item 1 Question", "第 2 项 疑问 / item 2 Question"]
    assert "须为列表" in rules.verify(checklist, "accept").problems[0]


def test_a_question_the_checklist_font_cannot_draw_is_named_by_row() -> None:
    """The receiver's questions are printed in the checklist's verification record."""
    from workers.processes.work_handover.checklist import ChecklistItem

    checklist = [ChecklistItem(category="documents", description="A", location="share")]
    result = rules.verify(checklist, [{"verdict": "question", "question": "在哪？😀"}])
    assert result.problems == ["第 1 项 疑问 / item 1 Question: 字符 😀 (U+1F600) 无法打印在交接清单上 / "
                               "cannot be printed on the checklist"]


def test_a_send_back_reason_beyond_its_limit_or_with_a_control_character_goes_back_to_the_supervisor() -> None:
    for reason, rule in (("因" * 2001, "不能超过 2000 个字符"), ("退回\x00", "含有不允许的控制字符 U+0000"),
                         (["退回"], "须为文字")):
        [problem] = rules.supervisor_decision_problems("sendBack", reason, None)
        assert problem.startswith("退回原因 / Reason for sending back: ") and rule in problem, problem


def test_a_send_back_reason_the_checklist_font_cannot_draw_goes_back_to_the_supervisor() -> None:
    """The reason is printed in the checklist's verification record: refused at the form, not dropped."""
    [problem] = rules.supervisor_decision_problems("sendBack", "缺少项目文档 😀", None)
    assert problem == ("退回原因 / Reason for sending back: 字符 😀 (U+1F600) 无法打印在交接清单上 / "
                       "cannot be printed on the checklist")


# --- delegation (delegation.validate) and the responsibility review (review.record-list) -------
def test_a_delegation_with_a_list_as_delegate_or_a_nul_in_the_reason_goes_back_to_its_form() -> None:
    env = HandlerEnvironment()
    base = {"principal": "yang.fan", "delegate": "zheng.yu", "startDate": "2026-12-02", "endDate": "2026-12-04"}
    for changes, named in (({"delegate": ["zheng.yu"]}, "代理人 / delegate: 须为文字"),
                           ({"reason": "休假\x00"}, "原因 / reason: 含有不允许的控制字符 U+0000")):
        outcome = env.run("delegation.validate", {**base, **changes}, properties={"organisationFile": str(DEMO)})
        assert rejected(outcome, "DELEGATION_INVALID").startswith(named)


def test_a_department_list_row_beyond_its_limit_is_named_by_row_and_field() -> None:
    outcome = HandlerEnvironment().run("review.record-list", {
        "departmentId": "sales", "reviewItems": [{"departmentId": "sales", "departmentLabel": "销售部 / Sales",
                                                  "responsibilities": [], "originalAssignee": "li.qiang",
                                                  "assignee": "li.qiang", "taskName": "x"}],
        "responsibilities": [{"workItem": "报价" * 101, "workflow": "a", "standard": "b", "responsiblePost": "c"}]})
    assert rejected(outcome, "LIST_INVALID").startswith(
        "第 1 行 工作事项 / row 1 workItem: 不能超过 200 个字符（现有 202 个）")


# --- the forms tell the person first ------------------------------------------------------------
FORMS = Path(__file__).resolve().parents[2] / "forms"
FORM_LIMITS = {
    "work-handover-checklist": {"description": MaxLength.TEXT, "location": MaxLength.LINE,
                                "contact": MaxLength.LINE, "assetNumber": MaxLength.CODE},
    "work-handover-notice": {"arrangements": MaxLength.TEXT},  # people and departments are picked
    "work-handover-verify": {"question": MaxLength.TEXT},
    "work-handover-sign": {"sendBackReason": MaxLength.TEXT},
    "delegation-start": {"reason": MaxLength.TEXT},
    "delegation-correct": {"reason": MaxLength.TEXT},
    "responsibility-review-department": {key: MaxLength.LINE for key in
                                         ("workItem", "workflow", "standard", "responsiblePost", "crosses")},
}


def _fields(components: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for component in components:
        if component.get("key"):
            found[component["key"]] = component
        found |= _fields(component.get("components", []))
    return found


@pytest.mark.parametrize("form", sorted(FORM_LIMITS))
def test_each_typed_form_field_has_the_workers_limit_as_its_max_length(form: str) -> None:
    import json

    fields = _fields(json.loads((FORMS / f"{form}.form").read_text())["components"])
    assert {key: fields[key].get("validate", {}).get("maxLength") for key in FORM_LIMITS[form]} == FORM_LIMITS[form]
