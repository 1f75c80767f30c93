"""Bank files: loading, missing files, malformed files, indexing and writing."""

import json

import pytest

from quiz_bank.loader import DATA_DIR, bank_by_id, load_bank, load_file, save_file
from quiz_bank.schema import BankFormatError, QuestionType

from .samples import MORE, VALID


def write(path, items):
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")


def test_data_dir_is_the_package_data_folder():
    assert DATA_DIR.name == "data" and DATA_DIR.parent.name == "quiz_bank"


def test_load_bank_reads_all_three_files_in_type_order(tmp_path):
    write(tmp_path / "multiple.json", [VALID["multiple"], MORE[3]])
    write(tmp_path / "single.json", [VALID["single"], MORE[0]])
    write(tmp_path / "judge.json", [VALID["judge"]])
    bank = load_bank(tmp_path)
    assert [q.id for q in bank] == ["S001", "S002", "J001", "M001", "M002"]
    assert [q.type for q in bank] == [QuestionType.SINGLE] * 2 + [QuestionType.JUDGE] + [
        QuestionType.MULTIPLE
    ] * 2


def test_missing_files_give_no_questions_of_that_type(tmp_path):
    assert load_bank(tmp_path) == []
    write(tmp_path / "judge.json", [VALID["judge"]])
    assert [q.id for q in load_bank(tmp_path)] == ["J001"]


def test_load_file_names_the_file_and_item(tmp_path):
    broken = {k: v for k, v in VALID["single"].items() if k != "answer"}
    write(tmp_path / "single.json", [VALID["single"], broken])
    with pytest.raises(
        BankFormatError, match=r"single.json item #1: question 'S001': field 'answer' is missing"
    ):
        load_file(tmp_path / "single.json")


@pytest.mark.parametrize(
    ("text", "message"),
    [("[{", "invalid JSON at line 1"), ('{"id": "S001"}', "expected a JSON array")],
)
def test_load_file_rejects_bad_json(tmp_path, text, message):
    (tmp_path / "judge.json").write_text(text, encoding="utf-8")
    with pytest.raises(BankFormatError, match=message):
        load_file(tmp_path / "judge.json")


def test_bank_by_id(sample_bank):
    by_id = bank_by_id(sample_bank)
    assert by_id["J002"].source == {"doc": "haidian-2021"}
    assert len(by_id) == len(sample_bank)
    with pytest.raises(BankFormatError, match="duplicate question id 'S001'"):
        bank_by_id([*sample_bank, sample_bank[0]])


def test_save_file_writes_the_documented_format(tmp_path, sample_bank):
    path = tmp_path / "single.json"
    save_file(path, sample_bank)
    text = path.read_text(encoding="utf-8")
    assert "不特定对象" in text  # ensure_ascii=False
    assert text.startswith('[\n {\n  "id": "S001"')  # indent=1
    assert load_file(path) == sample_bank
