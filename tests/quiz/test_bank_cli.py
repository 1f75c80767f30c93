"""`flask bank validate|load|import|export|retire`, `flask campaign load|list`, `flask seed demo`."""

from __future__ import annotations

import json
import shutil

import openpyxl
from sqlalchemy import func, select

from app.extensions import db
from app.models.campaign import Campaign
from app.models.question import BankQuestion
from quiz_bank.loader import DATA_DIR


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_validate_bundled_bank(app):
    result = cli(app, "bank", "validate")
    assert result.exit_code == 0 and "ok: " in result.output


def test_validate_reports_file_and_item(app, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    items = json.loads((data / "single.json").read_text(encoding="utf-8"))
    items[0]["answer"] = "E"
    items[1]["quote"] = "这句话不在条例里"
    (data / "single.json").write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    result = cli(app, "bank", "validate", "--dir", str(data))
    assert result.exit_code == 1
    assert f"single.json:{items[0]['id']}:" in result.output
    assert f"single.json:{items[1]['id']}:" in result.output


def test_load_is_idempotent(app):
    first = cli(app, "bank", "load")
    second = cli(app, "bank", "load")
    assert "added 293" in first.output or "added" in first.output
    assert "added 0, updated 0" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BankQuestion)) >= 240


def test_export_import_round_trip_and_retire(app, tmp_path):
    cli(app, "bank", "load")
    xlsx = tmp_path / "bank.xlsx"
    assert cli(app, "bank", "export", str(xlsx)).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[1]]
    for col in ("题型", "题干", "选项A", "选项F", "答案", "解析", "出处", "原文"):
        assert col in header
    result = cli(app, "bank", "import", str(xlsx))
    assert result.exit_code == 0 and "added 0, updated 0" in result.output
    assert cli(app, "bank", "retire", "S001").exit_code == 0
    with app.app_context():
        assert db.session.get(BankQuestion, "S001").status == "retired"
    csv_path = tmp_path / "bank.csv"
    assert cli(app, "bank", "export", str(csv_path)).exit_code == 0
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: opens cleanly in Excel/WPS


def test_import_is_all_or_nothing(app, tmp_path):
    cli(app, "bank", "load")
    xlsx = tmp_path / "bad.xlsx"
    cli(app, "bank", "export", str(xlsx))
    wb = openpyxl.load_workbook(xlsx)
    ws = wb.active
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("题干") + 1, value="一道被修改的新题干，应当不会被写入数据库（  ）")
    ws.cell(row=3, column=header.index("答案") + 1, value="Z")
    wb.save(xlsx)
    result = cli(app, "bank", "import", str(xlsx))
    assert result.exit_code == 1
    assert "第3行" in result.output and "nothing imported" in result.output
    with app.app_context():
        stems = [r.data["stem"] for r in db.session.scalars(select(BankQuestion))]
        assert not any("被修改的新题干" in s for s in stems)


def test_campaign_load_and_list(app, tmp_path):
    result = cli(app, "campaign", "load", "config/campaigns/june-2026.json")
    assert (
        result.exit_code == 0
        and "32 teams" in result.output
        and "6月15日10:00至6月25日24:00" in result.output
    )
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {"slug": "x", "name": "x", "starts_at": "2026-06-20 10:00", "ends_at": "2026-06-10 10:00"}
        ),
        encoding="utf-8",
    )
    result = cli(app, "campaign", "load", str(bad))
    assert result.exit_code == 1 and "ends_at must be after starts_at" in result.output
    assert "june-2026" in cli(app, "campaign", "list").output


def test_local_office_division(app, tmp_path):
    spec = {
        "slug": "lingyuan",
        "name": "凌源市答题",
        "starts_at": "2026-06-15 10:00",
        "ends_at": "2026-06-25 24:00",
        "publish_time": "09:30",
        "teams": [
            {"code": "CG", "name": "城关街道", "aliases": ["城关"]},
            {"code": "NJ", "name": "南街街道", "aliases": ["南街"]},
            {"code": "DC", "name": "东城街道"},
        ],
    }
    path = tmp_path / "lingyuan.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    assert cli(app, "campaign", "load", str(path)).exit_code == 0
    with app.app_context():
        c = db.session.scalar(select(Campaign).where(Campaign.slug == "lingyuan"))
        assert [t.name for t in c.teams] == ["城关街道", "南街街道", "东城街道"]
        assert c.settings["publish_time"] == "09:30"


def test_seed_demo_opens_a_campaign_now(app):
    from app import clock

    result = cli(app, "seed", "demo")
    assert result.exit_code == 0
    with app.app_context():
        c = db.session.scalar(select(Campaign).where(Campaign.slug == "demo"))
        assert c.is_open(clock.now()) and len(c.teams) == 32
    assert cli(app, "seed", "demo").exit_code == 0  # idempotent


def test_data_key_rotation_keeps_phones_readable(app, tmp_path):
    from cryptography.fernet import Fernet

    from app import personal_data
    from app.models.participant import Participant
    from tests.factories import make_campaign, make_participant

    with app.app_context():
        campaign = make_campaign()
        make_participant(campaign, "o_rot", "轮换", "11", phone="13700001111")
        old_token = db.session.scalar(select(Participant.phone_enc))
    new_key = Fernet.generate_key().decode()
    app.config["DATA_KEY"] = f"{new_key},{app.config['DATA_KEY']}"
    result = cli(app, "data", "rotate-keys")
    assert result.exit_code == 0 and "re-encrypted 1 phone" in result.output
    with app.app_context():
        token = db.session.scalar(select(Participant.phone_enc))
        assert token != old_token and personal_data.decrypt(token) == "13700001111"
    app.config["DATA_KEY"] = new_key  # the old key can now be dropped
    with app.app_context():
        assert personal_data.decrypt(db.session.scalar(select(Participant.phone_enc))) == "13700001111"
