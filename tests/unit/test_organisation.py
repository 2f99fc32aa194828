"""The organisation file: the policy's rules (§2) and the who-is-who lookups the processes use."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable

import pytest
import typer
import yaml
from typer.testing import CliRunner

from workers.cli.provision import provision
from workers.shared.organisation import lookups
from workers.shared.organisation.model import Organisation, OrganisationError, load_organisation, parse_organisation

DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"


@pytest.fixture(scope="module")
def demo_data() -> dict[str, Any]:
    return yaml.safe_load(DEMO.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def org() -> Organisation:
    return load_organisation(DEMO)


def problems_after(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> list[str]:
    """The problems the loader reports once `change` is applied to a copy of the demo data."""
    changed = copy.deepcopy(data)
    change(changed)
    with pytest.raises(OrganisationError) as raised:
        parse_organisation(changed, source="test.yaml")
    return raised.value.problems


def department_index(data: dict[str, Any], department_id: str) -> int:
    return next(i for i, d in enumerate(data["departments"]) if d["id"] == department_id)


def person(data: dict[str, Any], person_id: str) -> dict[str, Any]:
    return next(p for p in data["people"] if p["id"] == person_id)


# --- the demo organisation -------------------------------------------------------------------


def test_demo_organisation_has_the_policy_departments_and_about_twenty_people(org: Organisation) -> None:
    names = {d.name_zh for d in org.departments}
    assert names == {"总经理办公室", "市场部", "销售部", "技术部", "生产部", "财务部", "项目管理部", "内审部"}
    assert 18 <= len(org.people) <= 24
    assert all(p.email.endswith("@example.com") for p in org.people)


def test_demo_responsibility_lists_cover_the_policy_examples(org: Organisation) -> None:
    items = " ".join(r.work_item for d in org.departments for r in d.responsibilities)
    for example in ("市场调研", "客户需求反馈", "技术方案", "生产与交付", "预算执行情况报告"):
        assert example in items, f"no responsibility mentions {example}"


def test_members_are_derived_from_the_people_when_omitted(org: Organisation) -> None:
    assert org.department("sales").members == ["li.qiang", "sun.li", "wu.hao"]


# --- one test per rule -----------------------------------------------------------------------


def test_demo_organisation_names_the_company_in_both_languages(org: Organisation) -> None:
    assert org.company.label == "示例科技有限公司 / Example Technology Co., Ltd."


def test_the_company_name_is_required(demo_data: dict[str, Any]) -> None:
    assert problems_after(demo_data, lambda d: d.pop("company")) == ["company: is required"]


def test_the_company_name_needs_both_languages(demo_data: dict[str, Any]) -> None:
    problems = problems_after(demo_data, lambda d: d["company"].update(name_en=" "))
    assert problems == ["company.name_en: String should have at least 1 character"]


def test_a_company_name_on_one_line_says_to_give_both_languages(demo_data: dict[str, Any]) -> None:
    problems = problems_after(demo_data, lambda d: d.update(company="示例科技有限公司 Example Technology"))
    assert len(problems) == 1 and problems[0].startswith("company: Value error, give the name in both languages")


def test_names_the_documents_print_must_be_printable(demo_data: dict[str, Any]) -> None:
    def emoji(data: dict[str, Any]) -> None:
        data["company"]["name_zh"] = "示例科技 😀"
        person(data, "wu.hao")["name"] = "吴昊 😀"

    problems = problems_after(demo_data, emoji)
    j = demo_data["people"].index(person(demo_data, "wu.hao"))
    assert problems == [
        "company.name_zh: '示例科技 😀' has characters the documents' font cannot print (U+1F600)",
        f"people[{j}].name: '吴昊 😀' has characters the documents' font cannot print (U+1F600)"]


def test_head_must_be_a_defined_person(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "finance")
    problems = problems_after(demo_data, lambda d: d["departments"][i].update(head="li.na"))
    assert f"departments[{i}].head: person 'li.na' is not defined" in problems


def test_every_department_needs_a_head(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "production")
    problems = problems_after(demo_data, lambda d: d["departments"][i].pop("head"))
    assert problems == [f"departments[{i}].head: is missing; every department needs a head (部门负责人)"]


def test_head_must_belong_to_the_department(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "marketing")
    problems = problems_after(demo_data, lambda d: d["departments"][i].update(head="wu.hao"))
    assert f"departments[{i}].head: 'wu.hao' belongs to department 'sales', not 'marketing'" in problems


def test_listed_members_must_match_the_peoples_departments(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "sales")
    problems = problems_after(demo_data, lambda d: d["departments"][i].update(members=["li.qiang", "xu.ming"]))
    assert f"departments[{i}].members[1]: 'xu.ming' belongs to department 'engineering'" in problems
    assert f"departments[{i}].members: 'sun.li' has this department but is not listed" in problems


def test_person_department_must_exist(demo_data: dict[str, Any]) -> None:
    j = next(k for k, p in enumerate(demo_data["people"]) if p["id"] == "ma.lin")
    problems = problems_after(demo_data, lambda d: d["people"][j].update(department="logistics"))
    assert f"people[{j}].department: department 'logistics' is not defined" in problems


def test_superior_must_be_a_defined_person(demo_data: dict[str, Any]) -> None:
    j = next(k for k, p in enumerate(demo_data["people"]) if p["id"] == "xu.ming")
    problems = problems_after(demo_data, lambda d: d["people"][j].update(superior="nobody"))
    assert problems == [f"people[{j}].superior: person 'nobody' is not defined"]


def test_superior_chain_must_not_form_a_cycle(demo_data: dict[str, Any]) -> None:
    def make_cycle(data: dict[str, Any]) -> None:
        person(data, "zhang.wei")["superior"] = "xu.ming"  # xu.ming → huang.lei → zhang.wei → xu.ming

    problems = problems_after(demo_data, make_cycle)
    j = next(k for k, p in enumerate(demo_data["people"]) if p["id"] == "zhang.wei")
    assert problems == [
        f"people[{j}].superior: superiors form a cycle zhang.wei → xu.ming → huang.lei → zhang.wei; "
        "every chain must end at company leadership"
    ]


def test_superior_chain_must_end_at_leadership(demo_data: dict[str, Any]) -> None:
    j = next(k for k, p in enumerate(demo_data["people"]) if p["id"] == "hu.bin")
    problems = problems_after(demo_data, lambda d: d["people"][j].pop("superior"))
    assert problems == [
        f"people[{j}].superior: is missing, but only company leadership may have no superior "
        "(every chain of superiors must end at leadership)"
    ]


def test_work_item_may_not_be_claimed_by_two_departments(demo_data: dict[str, Any]) -> None:
    sales, marketing = department_index(demo_data, "sales"), department_index(demo_data, "marketing")

    def claim_market_research(data: dict[str, Any]) -> None:
        item = copy.deepcopy(data["departments"][marketing]["responsibilities"][0])
        item["crosses"] = ["marketing"]
        data["departments"][sales]["responsibilities"].append(item)

    problems = problems_after(demo_data, claim_market_research)
    n = len(demo_data["departments"][sales]["responsibilities"])
    assert problems == [
        f"departments[{sales}].responsibilities[{n}].work_item: '市场调研 / Market research' is already "
        f"claimed by departments[{marketing}].responsibilities[0] (marketing); "
        "a work item has exactly one owning department"
    ]


def test_cross_point_must_name_an_existing_department(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "production")
    problems = problems_after(
        demo_data, lambda d: d["departments"][i]["responsibilities"][0]["crosses"].append("logistics")
    )
    assert problems == [f"departments[{i}].responsibilities[0].crosses[2]: department 'logistics' is not defined"]


def test_cross_point_may_not_name_the_owning_department(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "production")
    problems = problems_after(
        demo_data, lambda d: d["departments"][i]["responsibilities"][0]["crosses"].append("production")
    )
    assert problems == [f"departments[{i}].responsibilities[0].crosses[2]: 'production' is the owning department itself"]


def rename_department(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    """A change that renames a department everywhere the file refers to it."""

    def renamed(ids: list[str]) -> list[str]:
        return [new if x == old else x for x in ids]

    def rename(data: dict[str, Any]) -> None:
        data["departments"][department_index(data, old)]["id"] = new
        for p in data["people"]:
            p["department"] = new if p["department"] == old else p["department"]
        for d in data["departments"]:
            for r in d["responsibilities"]:
                r["crosses"] = renamed(r["crosses"])
        data["roles"] = {role: renamed(entries) for role, entries in data["roles"].items()}
        data["process_starters"] = {key: renamed(groups) for key, groups in data["process_starters"].items()}
        for o in data.get("sharing_obligations", []):
            o["owner"], o["targets"] = renamed([o["owner"]])[0], renamed(o["targets"])
        data["data_owners"] = {category: renamed([d])[0] for category, d in data.get("data_owners", {}).items()}

    return rename


def test_department_id_must_be_a_valid_camunda_group_id(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "finance")
    problems = problems_after(demo_data, rename_department("finance", "fin-ance"))
    assert problems == [f"departments[{i}].id: 'fin-ance' is not a valid Camunda group id (letters and digits only)"]


def test_department_id_may_not_take_a_role_group_name(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "projectoffice")
    problems = problems_after(demo_data, rename_department("projectoffice", "pmo"))
    assert problems == [f"departments[{i}].id: 'pmo' is reserved for the company role group of that name"]


def test_department_id_may_not_take_the_name_of_another_departments_heads_group(demo_data: dict[str, Any]) -> None:
    i = department_index(demo_data, "projectoffice")
    problems = problems_after(demo_data, rename_department("projectoffice", "salesheads"))
    assert problems == [f"departments[{i}].id: 'salesheads' is reserved for the heads group of department 'sales'"]


def test_person_id_must_be_a_valid_camunda_user_id(demo_data: dict[str, Any]) -> None:
    j = next(k for k, p in enumerate(demo_data["people"]) if p["id"] == "tang.ning")
    problems = problems_after(demo_data, lambda d: d["people"][j].update(id="tang ning"))
    assert problems[0].startswith(f"people[{j}].id: 'tang ning' is not a valid Camunda user id")


def test_ids_must_be_unique(demo_data: dict[str, Any]) -> None:
    problems = problems_after(demo_data, lambda d: d["people"].append(copy.deepcopy(d["people"][-1])))
    n = len(demo_data["people"])
    assert f"people[{n}].id: 'tang.ning' is already used by people[{n - 1}]" in problems


def test_role_entries_must_name_departments_or_people(demo_data: dict[str, Any]) -> None:
    problems = problems_after(demo_data, lambda d: d["roles"]["audit"].append("auditors"))
    assert problems == ["roles.audit[1]: 'auditors' is neither a department nor a person"]


def test_process_starters_must_name_known_groups(demo_data: dict[str, Any]) -> None:
    problems = problems_after(demo_data, lambda d: d["process_starters"]["work-handover"].append("hr"))
    assert problems == [
        "process_starters.work-handover[1]: group 'hr' is neither a department nor a role group "
        "(leadership, pmo, audit, heads)"
    ]


def test_structural_errors_name_the_path(demo_data: dict[str, Any]) -> None:
    def break_structure(data: dict[str, Any]) -> None:
        data["departments"][3].pop("name_zh")
        data["departments"][3]["haed"] = "x"
        data["people"][0]["email"] = "not an address"

    problems = problems_after(demo_data, break_structure)
    assert "departments[3].name_zh: is required" in problems
    assert "departments[3].haed: is not a known field" in problems
    assert any(p.startswith("people[0].email: String should match pattern") for p in problems)


def test_all_problems_are_reported_at_once(demo_data: dict[str, Any]) -> None:
    def break_twice(data: dict[str, Any]) -> None:
        data["departments"][0]["head"] = "li.na"
        data["roles"]["pmo"] = ["nobody"]

    assert len(problems_after(demo_data, break_twice)) == 2


def test_error_message_names_the_file_and_every_problem(tmp_path: Path, demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["departments"][3]["head"] = "li.na"
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(OrganisationError) as raised:
        load_organisation(path)
    assert str(raised.value) == f"{path}: 1 problem:\n  - departments[3].head: person 'li.na' is not defined"


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text("departments:\n  - id: a\n    name_zh: x: y\n", encoding="utf-8")
    with pytest.raises(OrganisationError) as raised:
        load_organisation(path)
    assert raised.value.problems[0].startswith("line 3, column 15: not valid YAML")


# --- lookups ---------------------------------------------------------------------------------


def test_department_head_of_a_department_and_of_a_person(org: Organisation) -> None:
    assert lookups.department_head(org, "engineering").id == "zhang.wei"
    assert lookups.head_of(org, "xu.ming").id == "zhang.wei"
    assert lookups.head_of(org, "zhang.wei").id == "zhang.wei"


def test_superior_and_chain(org: Organisation) -> None:
    assert lookups.superior(org, "wu.hao").id == "sun.li"
    assert lookups.superior(org, "wang.jianguo") is None
    assert [p.id for p in lookups.superior_chain(org, "wu.hao")] == ["sun.li", "li.qiang", "liu.min", "wang.jianguo"]


@pytest.mark.parametrize(
    ("giver", "receiver", "supervisor"),
    [
        ("xu.ming", "wu.hao", "wang.jianguo"),  # engineering and sales meet at the general manager
        ("yang.fan", "wu.hao", "liu.min"),  # marketing and sales meet at the deputy GM
        ("yang.fan", "zheng.yu", "chen.jing"),  # colleagues: their head
        ("wu.hao", "sun.li", "li.qiang"),  # one is the other's superior: the next one up
        ("sun.li", "wu.hao", "li.qiang"),  # the order of the two does not matter
    ],
)
def test_handover_supervisor_is_the_lowest_common_superior(
    org: Organisation, giver: str, receiver: str, supervisor: str
) -> None:
    found = lookups.lowest_common_superior(org, giver, receiver)
    assert found is not None and found.id == supervisor


def test_no_common_superior_at_the_top(org: Organisation) -> None:
    assert lookups.lowest_common_superior(org, "wang.jianguo", "liu.min") is None


def test_handover_needs_two_people(org: Organisation) -> None:
    with pytest.raises(ValueError, match="two different people"):
        lookups.lowest_common_superior(org, "wu.hao", "wu.hao")


def test_role_members_resolve_departments_and_people(org: Organisation) -> None:
    assert [p.id for p in lookups.role_members(org, "leadership")] == ["wang.jianguo", "liu.min"]
    assert [p.id for p in lookups.role_members(org, "pmo")] == ["hu.bin", "luo.fang"]
    assert [p.id for p in lookups.role_members(org, "audit")] == ["song.jie", "tang.ning"]
    assert len(lookups.role_members(org, "heads")) == len(org.departments)


def test_unknown_ids_are_named(org: Organisation) -> None:
    with pytest.raises(KeyError, match="person 'li.na' is not defined"):
        lookups.superior(org, "li.na")
    with pytest.raises(KeyError, match="role 'hr' is not defined"):
        lookups.role_members(org, "hr")


def test_cli_rejects_an_invalid_file_with_every_problem(tmp_path: Path, demo_data: dict[str, Any]) -> None:
    data = copy.deepcopy(demo_data)
    data["departments"][3]["head"] = "li.na"
    data["roles"]["audit"] = ["auditors"]
    path = tmp_path / "org.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    app = typer.Typer()
    app.command()(provision)

    result = CliRunner().invoke(app, [str(path)])

    assert result.exit_code == 1
    assert "departments[3].head: person 'li.na' is not defined" in result.output
    assert "roles.audit[0]: 'auditors' is neither a department nor a person" in result.output


def test_names_are_not_checked_where_the_documents_font_is_missing(
    demo_data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Provisioning from an operator's machine without the font still works; the workers need it."""
    from workers.shared import documents

    def no_font(text: str) -> list[str]:
        raise documents.FontMissingError("the Chinese font is missing")

    monkeypatch.setattr(documents, "undrawable", no_font)
    changed = copy.deepcopy(demo_data)
    changed["company"]["name_zh"] = "示例科技 😀"
    assert parse_organisation(changed).company.name_zh == "示例科技 😀"


def test_a_data_owner_must_be_a_department(demo_data: dict[str, Any]) -> None:
    problems = problems_after(demo_data, lambda data: data["data_owners"].update(customer="salez"))
    assert problems == ["data_owners.customer: 'salez' is not a department"]
