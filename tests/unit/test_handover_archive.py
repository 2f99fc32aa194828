"""资料归档 / Archiving (policy §3.2 step 5): the checklist's PDF and its write-once triplicate.

No engine: the PDF is rendered with the Debian font, read back with pypdf, and archived under
tmp_path, including after a worker process that really died in the middle of writing.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from workers.processes.work_handover.checklist import CopyHolder, archive_triplicate
from workers.processes.work_handover.document import WorkHandoverChecklist
from workers.shared.archive import RECORD_FILE, ArchiveError
from workers.processes.work_handover.pdf import FontMissingError, render_checklist_pdf

COPY_NAMES = sorted(holder.file_name for holder in CopyHolder)

CHECKLIST = {
    "processInstanceId": "5c1f0a2e-9d3b-11f0-8de9-0242ac120002",
    "company": "示例科技有限公司 / Example Technology Co., Ltd.",
    "companyTimeZone": "Asia/Shanghai",
    "giver": {"id": "zhangsan", "name": "张三"},
    "giverDepartment": {"id": "procurement", "name": "采购部 / Procurement"},
    "receiver": {"id": "lisi", "name": "李四"},
    "receivingDepartment": {"id": "finance", "name": "财务部 / Finance"},
    "supervisor": {"id": "wangwu", "name": "王五"},
    "reason": "postChange",
    "noticeDate": "2026-11-23",
    "plannedDate": "2026-12-07",
    "arrangements": "交接期间，采购审批由王五代为处理；紧急事项请致电张三。",
    "items": [
        {"category": "documents", "description": "2026年度采购合同扫描件", "location": "共享盘 /采购/合同"},
        {"category": "materials", "description": "供应商样品三箱", "location": "B座二楼储物间"},
        {"category": "equipment", "description": "笔记本电脑 ThinkPad X1", "location": "工位 A-12",
         "assetNumber": "IT-2024-0042"},
        {"category": "unfinishedTasks", "description": "审核十一月付款申请", "location": "Camunda Tasklist",
         "camundaTaskId": "8a7e1c3d-9d3b-11f0-8de9-0242ac120002"},
        {"category": "pendingItems", "description": "下周三前回复审计问询 <第3项> & 附件", "location": "邮箱草稿箱"},
        {"category": "customerInformation", "description": "华东区重点客户名单", "location": "CRM 客户组 华东",
         "contact": "赵六 138-0000-0000"},
    ],
    "rounds": [
        {"round": 1, "returnedBy": "receiver", "at": "2026-12-02T16:20:00Z", "questions": [
            {"item": 2, "description": "供应商样品三箱", "question": "样品是否含去年的退货？",
             "answer": "不含，去年的退货已于十月退回供应商。"},
            {"item": 3, "description": "笔记本电脑 ThinkPad X1", "question": "充电器在哪里？"},
        ]},
        {"round": 2, "returnedBy": "supervisor", "at": "2026-12-04T02:05:00Z",
         "reason": "请补充华东区客户的最新联系人。"},
    ],
    "signatures": [
        {"signedBy": {"id": "zhangsan", "name": "张三"}, "role": "giver", "signedAt": "2026-12-07T09:30:00+08:00"},
        {"signedBy": {"id": "lisi", "name": "李四"}, "role": "receiver", "signedAt": "2026-12-07T10:05:00+08:00"},
        {"signedBy": {"id": "wangwu", "name": "王五"}, "role": "supervisor", "signedAt": "2026-12-07T16:48:00Z"},
    ],
}


@pytest.fixture(scope="module")
def checklist() -> WorkHandoverChecklist:
    return WorkHandoverChecklist.model_validate(CHECKLIST)


@pytest.fixture(scope="module")
def pdf(checklist: WorkHandoverChecklist) -> bytes:
    return render_checklist_pdf(checklist)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without whitespace, so a line wrapped in a table cell still matches."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return "".join(text.split())


def compact(text: str) -> str:
    return "".join(text.split())


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- the content hash -------------------------------------------------------------------------


def test_content_hash_is_the_sha256_of_the_canonical_json(checklist: WorkHandoverChecklist) -> None:
    canonical = checklist.canonical_json()
    assert json.loads(canonical)["processInstanceId"] == CHECKLIST["processInstanceId"]
    assert canonical == json.dumps(
        json.loads(canonical), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert checklist.content_sha256() == hashlib.sha256(canonical).hexdigest()


def test_content_hash_does_not_depend_on_the_signers_time_zone(checklist: WorkHandoverChecklist) -> None:
    in_utc = json.loads(json.dumps(CHECKLIST))
    for signature in in_utc["signatures"]:
        local = datetime.fromisoformat(signature["signedAt"])
        signature["signedAt"] = local.astimezone(timezone.utc).isoformat()
    assert WorkHandoverChecklist.model_validate(in_utc).content_sha256() == checklist.content_sha256()


def test_content_hash_changes_when_an_item_changes(checklist: WorkHandoverChecklist) -> None:
    changed = checklist.model_copy(deep=True)
    changed.items[0].location = "共享盘 /采购/旧合同"
    assert changed.content_sha256() != checklist.content_sha256()


def test_content_hash_covers_the_verification_record(checklist: WorkHandoverChecklist) -> None:
    changed = checklist.model_copy(deep=True)
    changed.rounds[0].questions[0].answer = "含两箱。"
    assert changed.content_sha256() != checklist.content_sha256()


def test_content_hash_does_not_depend_on_how_a_round_time_is_written(checklist: WorkHandoverChecklist) -> None:
    local = json.loads(json.dumps(CHECKLIST))
    local["rounds"][0]["at"] = "2026-12-03T00:20:00+08:00"
    assert WorkHandoverChecklist.model_validate(local).content_sha256() == checklist.content_sha256()


def test_an_unknown_company_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="not a known time zone"):
        WorkHandoverChecklist.model_validate({**CHECKLIST, "companyTimeZone": "Beijing"})


def test_a_checklist_signed_twice_in_the_same_role_is_rejected() -> None:
    twice = {**CHECKLIST, "signatures": CHECKLIST["signatures"] + CHECKLIST["signatures"][:1]}
    with pytest.raises(ValueError, match="more than one signature as giver"):
        WorkHandoverChecklist.model_validate(twice)


# --- the PDF ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    ["工作交接清单", "交接人", "接收人", "监交人", "一式三份", "交接确认", "工作资料", "设备",
     "未完成工作任务", "待办事项", "客户信息", "Work Hand-over Checklist", "Hand-over supervisor"],
)
def test_pdf_text_contains_the_bilingual_label(pdf: bytes, label: str) -> None:
    assert compact(label) in pdf_text(pdf), f"label {label!r} not found in the PDF's text"


def test_pdf_text_contains_every_item_with_its_location_and_details(pdf: bytes) -> None:
    text = pdf_text(pdf)
    for item in CHECKLIST["items"]:
        for field in ("description", "location", "contact", "assetNumber", "camundaTaskId"):
            if field in item:
                assert compact(item[field]) in text, f"item {field} {item[field]!r} not found in the PDF's text"


def test_pdf_shows_who_signed_when_the_instance_and_the_content_hash(
    checklist: WorkHandoverChecklist, pdf: bytes
) -> None:
    text = pdf_text(pdf)
    assert compact("张三 (zhangsan)") in text
    assert compact("王五 (wangwu)") in text
    assert compact("2026年12月7日 09:30") in text, "the giver's signature time in Beijing time"
    assert CHECKLIST["processInstanceId"] in text
    assert checklist.content_sha256() in text


def test_pdf_names_the_company_both_departments_the_notice_date_and_the_arrangements(pdf: bytes) -> None:
    text = pdf_text(pdf)
    for shown in ("示例科技有限公司 / Example Technology Co., Ltd.",
                  "交接人部门", "Department handing over", "采购部 / Procurement (procurement)",
                  "接收部门", "Receiving department", "财务部 / Finance (finance)",
                  "预告日期", "Notice date", "2026年11月23日", "计划交接日期", "2026年12月7日",
                  "交接期间工作安排", CHECKLIST["arrangements"], "北京时间 Asia/Shanghai (UTC+08:00)"):
        assert compact(shown) in text, f"{shown!r} not found in the PDF's text"


def test_pdf_says_when_the_notice_gave_no_arrangements() -> None:
    silent = WorkHandoverChecklist.model_validate({**CHECKLIST, "arrangements": None})
    assert compact("预告未写明 / none given in the notice") in pdf_text(render_checklist_pdf(silent))


def test_a_signature_just_after_midnight_in_beijing_is_dated_the_beijing_day(pdf: bytes) -> None:
    """The supervisor signed at 16:48 UTC on 7 December: 00:48 on 8 December in Beijing."""
    text = pdf_text(pdf)
    assert compact("2026年12月8日 00:48") in text
    assert "16:48" not in text and "2026-12-07" not in text, "no time is printed in UTC"


def test_pdf_keeps_each_round_who_returned_it_when_with_the_questions_and_answers(pdf: bytes) -> None:
    text = pdf_text(pdf)
    for shown in ("核对记录 / Verification record",
                  "第 1 轮：接收人 李四 于 2026年12月3日 00:20 退回交接人",
                  "样品是否含去年的退货？", "不含，去年的退货已于十月退回供应商。",
                  "充电器在哪里？", "未答复 / not answered",
                  "第 2 轮：监交人 王五 于 2026年12月4日 10:05 退回交接人",
                  "退回原因 / Reason: 请补充华东区客户的最新联系人。"):
        assert compact(shown) in text, f"{shown!r} not found in the PDF's text"


def test_pdf_says_when_the_checklist_was_never_returned() -> None:
    first_time = WorkHandoverChecklist.model_validate({**CHECKLIST, "rounds": []})
    assert compact("清单未被退回，一次核对通过。") in pdf_text(render_checklist_pdf(first_time))


def test_no_line_of_the_pdf_starts_with_a_closing_mark(pdf: bytes) -> None:
    from workers.shared.documents import CANNOT_START_LINE

    layout = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True,
                            timeout=60).stdout.decode()
    # -layout prints table cells side by side: each cell's text starts after a run of spaces.
    starts = [cell[0] for line in layout.splitlines() for cell in re.split(r"\s{2,}|│|\|", line.strip()) if cell]
    assert not CANNOT_START_LINE.intersection(starts), layout


def test_pdf_marks_a_missing_signature() -> None:
    unsigned = WorkHandoverChecklist.model_validate({**CHECKLIST, "signatures": []})
    assert compact("未签字 / not signed") in pdf_text(render_checklist_pdf(unsigned))


def test_pdf_embeds_the_chinese_font(pdf: bytes) -> None:
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("WenQuanYi" in name or "wqy" in name.lower() for name in fonts), fonts


def test_the_same_checklist_renders_to_the_same_bytes(checklist: WorkHandoverChecklist, pdf: bytes) -> None:
    assert render_checklist_pdf(checklist) == pdf


def test_a_fresh_worker_process_renders_the_same_bytes(pdf: bytes) -> None:
    """What a retry after a crash relies on: the new process's copies equal those already stored."""
    script = (
        "import hashlib, json, sys; from workers.processes.work_handover.document import WorkHandoverChecklist; "
        "from workers.processes.work_handover.pdf import render_checklist_pdf; "
        "print(hashlib.sha256(render_checklist_pdf(WorkHandoverChecklist.model_validate("
        "json.loads(sys.argv[1])))).hexdigest())"
    )
    fresh = subprocess.run(
        [sys.executable, "-c", script, json.dumps(CHECKLIST)], capture_output=True, text=True, timeout=120
    )
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stdout.strip() == hashlib.sha256(pdf).hexdigest()


def test_a_missing_font_names_the_debian_package_to_install(
    checklist: WorkHandoverChecklist, tmp_path: Path
) -> None:
    with pytest.raises(FontMissingError, match="apt-get install fonts-wqy-microhei"):
        render_checklist_pdf(checklist, font_file=tmp_path / "absent.ttc")


# --- the archive ------------------------------------------------------------------------------


def test_archive_keeps_exactly_three_read_only_copies_and_a_record(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path
) -> None:
    record = archive_triplicate(tmp_path, checklist, pdf)

    folder = tmp_path / checklist.process_instance_id
    assert files_in(tmp_path) == [checklist.process_instance_id]
    assert files_in(folder) == sorted([*COPY_NAMES, RECORD_FILE])
    for holder in CopyHolder:
        path = record.copy_path(tmp_path, holder)
        assert path.read_bytes() == pdf, f"the {holder} copy differs from the PDF"
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert stat.S_IMODE((folder / RECORD_FILE).stat().st_mode) == 0o444
    assert len({record.copy_path(tmp_path, h).stat().st_ino for h in CopyHolder}) == 3, "three files, not links"


def test_archive_record_states_hashes_sizes_files_and_time(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path
) -> None:
    before = datetime.now(timezone.utc)
    record = archive_triplicate(tmp_path, checklist, pdf)

    stored = json.loads((tmp_path / checklist.process_instance_id / RECORD_FILE).read_text("utf-8"))
    assert stored["processInstanceId"] == checklist.process_instance_id
    assert stored["pdfSha256"] == hashlib.sha256(pdf).hexdigest()
    assert stored["pdfSizeBytes"] == len(pdf)
    assert stored["contentSha256"] == checklist.content_sha256()
    assert hashlib.sha256(
        json.dumps(stored["content"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest() == stored["contentSha256"], "the record's checklist reproduces the printed hash"
    assert sorted(c["file"] for c in stored["copies"]) == COPY_NAMES
    assert before <= record.archived_at <= before + timedelta(minutes=1)


def test_a_second_archive_call_changes_nothing_and_returns_the_same_record(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path
) -> None:
    first = archive_triplicate(tmp_path, checklist, pdf)
    folder = tmp_path / checklist.process_instance_id
    before = {name: (folder / name).stat() for name in files_in(folder)}

    second = archive_triplicate(tmp_path, checklist, pdf)

    assert second == first
    after = {name: (folder / name).stat() for name in files_in(folder)}
    assert {n: (s.st_ino, s.st_mtime_ns) for n, s in after.items()} == {
        n: (s.st_ino, s.st_mtime_ns) for n, s in before.items()
    }


def test_a_retry_after_a_failed_write_completes_the_missing_copies_without_rewriting(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_link = os.link
    links = []

    def link_then_fail(src: object, dst: object) -> None:
        if links:
            raise OSError(28, "No space left on device")
        links.append(dst)
        real_link(src, dst)

    monkeypatch.setattr(os, "link", link_then_fail)
    with pytest.raises(OSError, match="No space left"):
        archive_triplicate(tmp_path, checklist, pdf)
    folder = tmp_path / checklist.process_instance_id
    assert files_in(folder) == [Path(str(links[0])).name], "only the first copy, no temp file, no record"
    first_inode = Path(str(links[0])).stat().st_ino

    monkeypatch.setattr(os, "link", real_link)
    archive_triplicate(tmp_path, checklist, pdf)

    assert files_in(folder) == sorted([*COPY_NAMES, RECORD_FILE])
    assert all((folder / name).read_bytes() == pdf for name in COPY_NAMES)
    assert Path(str(links[0])).stat().st_ino == first_inode, "the first copy was rewritten"


CRASHING_WORKER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from workers.processes.work_handover.checklist import archive_triplicate
    from workers.processes.work_handover.document import WorkHandoverChecklist

    root, checklist_file, pdf_file, crash_at = sys.argv[1:]
    real_fsync = os.fsync

    def fsync_torn(fd):  # the machine dies half-way through writing the receiver's copy
        if "receiver" in os.readlink(f"/proc/self/fd/{fd}"):
            os.ftruncate(fd, os.fstat(fd).st_size // 2)
            os._exit(3)
        real_fsync(fd)

    def link_dies(src, dst):  # dies with the receiver's copy complete but not yet in place
        if "receiver" in str(dst):
            os._exit(3)
        real_link(src, dst)

    real_link = os.link
    if crash_at == "fsync":
        os.fsync = fsync_torn
    else:
        os.link = link_dies
    checklist = WorkHandoverChecklist.model_validate_json(Path(checklist_file).read_text("utf-8"))
    archive_triplicate(Path(root), checklist, Path(pdf_file).read_bytes())
    """
)


@pytest.mark.parametrize("crash_at", ["fsync", "link"])
def test_a_retry_after_the_worker_died_mid_write_leaves_three_complete_copies(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path, crash_at: str
) -> None:
    root = tmp_path / "archive"
    (tmp_path / "checklist.json").write_text(json.dumps(CHECKLIST, ensure_ascii=False), "utf-8")
    (tmp_path / "checklist.pdf").write_bytes(pdf)
    died = subprocess.run(
        [sys.executable, "-c", CRASHING_WORKER, str(root), str(tmp_path / "checklist.json"),
         str(tmp_path / "checklist.pdf"), crash_at],
        capture_output=True, text=True, timeout=120,
    )
    assert died.returncode == 3, died.stderr
    folder = root / checklist.process_instance_id
    left = files_in(folder)
    assert CopyHolder.GIVER.file_name in left and RECORD_FILE not in left
    assert CopyHolder.RECEIVER.file_name not in left, "a partial copy under its final name"
    assert any(name.endswith(".tmp") for name in left), "the crash should leave the temp file behind"

    archive_triplicate(root, checklist, pdf)

    assert files_in(folder) == sorted([*COPY_NAMES, RECORD_FILE]), "exactly three copies, a record, no temp"
    assert all((folder / name).read_bytes() == pdf for name in COPY_NAMES)


def test_a_tampered_copy_is_reported_and_not_overwritten(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path
) -> None:
    record = archive_triplicate(tmp_path, checklist, pdf)
    receiver_copy = record.copy_path(tmp_path, CopyHolder.RECEIVER)
    receiver_copy.chmod(0o644)
    receiver_copy.write_bytes(pdf + b"% a line added after archiving\n")

    with pytest.raises(ArchiveError, match=CopyHolder.RECEIVER.file_name):
        archive_triplicate(tmp_path, checklist, pdf)
    assert receiver_copy.read_bytes() != pdf


def test_a_wrong_copy_found_while_completing_an_archive_is_not_overwritten(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path
) -> None:
    folder = tmp_path / checklist.process_instance_id
    folder.mkdir()
    (folder / CopyHolder.GIVER.file_name).write_bytes(b"%PDF-1.4 something else")

    with pytest.raises(ArchiveError, match="not overwritten"):
        archive_triplicate(tmp_path, checklist, pdf)
    assert (folder / CopyHolder.GIVER.file_name).read_bytes() == b"%PDF-1.4 something else"
    assert RECORD_FILE not in files_in(folder)


def test_a_changed_checklist_cannot_replace_an_archived_one(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path
) -> None:
    archive_triplicate(tmp_path, checklist, pdf)
    changed = checklist.model_copy(deep=True)
    changed.items[1].description = "供应商样品两箱"

    with pytest.raises(ArchiveError, match="write-once"):
        archive_triplicate(tmp_path, changed, render_checklist_pdf(changed))
    assert all((tmp_path / checklist.process_instance_id / n).read_bytes() == pdf for n in COPY_NAMES)


@pytest.mark.parametrize("instance_id", ["../elsewhere", "a/b", ".hidden", ""])
def test_a_process_instance_id_that_is_no_folder_name_is_refused(
    checklist: WorkHandoverChecklist, pdf: bytes, tmp_path: Path, instance_id: str
) -> None:
    odd = checklist.model_copy(update={"process_instance_id": instance_id})
    with pytest.raises(ValueError, match="cannot name an archive folder"):
        archive_triplicate(tmp_path / "root", odd, pdf)
    assert not (tmp_path / "root").exists() or not any((tmp_path / "root").iterdir())


@pytest.mark.parametrize("text, missing", [("交接 😀", "U+1F600"), ("عمر", "U+0639")])
def test_text_the_font_cannot_draw_stops_the_pdf_instead_of_printing_blanks(text: str, missing: str) -> None:
    from workers.shared.documents import UndrawableText

    drawn = copy.deepcopy(CHECKLIST)
    drawn["items"][0]["description"] = text
    with pytest.raises(UndrawableText, match=re.escape(missing)):
        render_checklist_pdf(WorkHandoverChecklist.model_validate(drawn))


def test_a_description_as_long_as_the_form_allows_is_printed_over_pages() -> None:
    from workers.shared.text import MaxLength

    long = copy.deepcopy(CHECKLIST)
    long["items"][0]["description"] = ("合同扫描件，含附件与补充协议。" * 200)[:MaxLength.TEXT]
    text = pdf_text(render_checklist_pdf(WorkHandoverChecklist.model_validate(long)))
    assert long["items"][0]["description"][-40:] in text
