"""Settings come from CROSSDEPT_* variables (and .env), with errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from workers.runtime.settings import MissingSecret, Settings


def test_settings_are_read_from_crossdept_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSDEPT_ENGINE_URL", "http://engine:8080/engine-rest")
    monkeypatch.setenv("CROSSDEPT_CONCURRENCY", "16")
    monkeypatch.setenv("CROSSDEPT_WEBHOOK_URLS", "http://a/hook, http://b/hook")
    settings = Settings()
    assert settings.engine_url == "http://engine:8080/engine-rest"
    assert settings.concurrency == 16
    assert settings.webhook_urls == ["http://a/hook", "http://b/hook"]


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("CROSSDEPT_LONG_POLL_MS=2500\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert Settings().long_poll_ms == 2500


def test_invalid_setting_names_the_field_and_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROSSDEPT_CONCURRENCY", "0")
    with pytest.raises(ValidationError) as raised:
        Settings()
    error = raised.value.errors()[0]
    assert error["loc"] == ("concurrency",) and "greater than or equal to 1" in error["msg"]


def test_generated_secret_is_used_when_none_is_configured(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "engine-password").write_text("s3cret\n", encoding="utf-8")
    assert settings.worker_credentials() == ("crossdept-worker", "s3cret")


def test_configured_secret_wins_over_generated_one(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, engine_password="from-env")
    assert settings.worker_credentials()[1] == "from-env"


def test_missing_secret_says_how_to_provide_it(tmp_path: Path) -> None:
    with pytest.raises(MissingSecret, match="CROSSDEPT_ADMIN_PASSWORD"):
        Settings(data_dir=tmp_path).admin_credentials()


def test_derived_folders_follow_data_dir_unless_set(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.state_root == tmp_path / "state" and settings.archive_root == tmp_path / "archive"
    assert Settings(data_dir=tmp_path, archive_dir=tmp_path / "a").archive_root == tmp_path / "a"


def test_up_links_the_local_tasklist_and_uses_an_outbox_unless_a_mail_server_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from workers.cli.worker import _for_trying_out

    monkeypatch.delenv("CROSSDEPT_SMTP_HOST", raising=False)
    monkeypatch.delenv("CROSSDEPT_TASKLIST_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    trial = _for_trying_out(Settings(data_dir=tmp_path, engine_port=8123))
    assert trial.mail_outbox_dir == tmp_path / "outbox"
    assert trial.tasklist_url == "http://localhost:8123/camunda/app/tasklist/default/"

    monkeypatch.setenv("CROSSDEPT_SMTP_HOST", "mail.corp.example")
    monkeypatch.setenv("CROSSDEPT_TASKLIST_URL", "https://camunda.corp.example/camunda/app/tasklist/")
    configured = _for_trying_out(Settings(data_dir=tmp_path))
    assert configured.mail_outbox_dir is None
    assert configured.tasklist_url == "https://camunda.corp.example/camunda/app/tasklist/"


def test_generated_passwords_are_letters_and_digits_so_no_command_line_takes_them_for_an_option() -> None:
    from workers.runtime.settings import generate_password

    passwords = [generate_password(32) for _ in range(200)]
    assert all(len(p) == 32 and p.isascii() and p.isalnum() for p in passwords)
    assert len(set(passwords)) == 200
