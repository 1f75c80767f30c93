"""Excel/CSV export and import for staff."""

import csv
from dataclasses import replace

import pytest
from openpyxl import Workbook, load_workbook

from quiz_bank.tabular import (
    COLUMNS,
    RowError,
    export_csv,
    export_xlsx,
    parse_source,
    question_row,
    read_table,
    rows_to_questions,
)


def row_dict(**cells):
    """A valid single-choice row with some cells changed."""
    base = {
        "编号": "S001",
        "题型": "单选",
        "题干": "根据《防范和处置非法集资条例》，非法集资是向（  ）吸收资金的行为。",
        **{
            f"选项{k}": text
            for k, text in zip(
                "ABCDEF", ["特定对象", "不特定对象", "亲属", "本单位职工", "", ""], strict=True
            )
        },
        "答案": "B",
        "解析": "条例第二条：非法集资是向不特定对象吸收资金的行为。",
        "出处": "条例第2条",
        "原文": "向不特定对象吸收资金的行为",
        "标签": "定义",
        "状态": "启用",
    }
    return {**base, **cells}


def test_columns_in_order():
    assert COLUMNS == (
        "编号", "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F",
        "答案", "解析", "出处", "原文", "标签", "状态",
    )  # fmt: skip


def test_question_row(sample_bank):
    by_id = {q.id: q for q in sample_bank}
    assert question_row(by_id["M001"]) == [
        "M001",
        "多选",
        "对非法集资坚持的原则包括（  ）。",
        *("防范为主", "打早打小", "先行赔付", "稳妥处置", "", ""),
        "ABD",
        "条例第四条规定坚持防范为主、打早打小、综合治理、稳妥处置的原则。",
        "《条例》第四条",
        "防范为主、打早打小、综合治理、稳妥处置",
        "防范、处置",
        "启用",
    ]
    assert question_row(by_id["J003"])[3:9] == [""] * 6
    assert question_row(by_id["J003"])[-1] == "停用"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip(tmp_path, sample_bank, suffix):
    path = tmp_path / f"bank{suffix}"
    (export_xlsx if suffix == ".xlsx" else export_csv)(sample_bank, path)
    questions, errors = rows_to_questions(read_table(path))
    assert errors == []
    assert questions == sample_bank


def test_csv_has_bom_and_header(tmp_path, sample_bank):
    path = tmp_path / "bank.csv"
    export_csv(sample_bank, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)


def test_xlsx_layout(tmp_path, sample_bank):
    path = tmp_path / "bank.xlsx"
    export_xlsx(sample_bank, path)
    ws = load_workbook(path).worksheets[0]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert ws.freeze_panes == "A2"
    assert ws.max_row == len(sample_bank) + 1


def injected(make_question):
    return make_question(
        "single",
        stem='=HYPERLINK("http://evil.example","点击")非法集资是向（  ）吸收资金的行为',
        options={"A": "+特定对象", "B": "-不特定对象", "C": "@亲属", "D": "\t本单位职工"},
        explanation="=1+1 条例第二条规定向不特定对象吸收资金属于非法集资。",
        tags=("@定义",),
    )


def test_formula_injection_neutralised_in_csv(tmp_path, make_question):
    q = injected(make_question)
    path = tmp_path / "bank.csv"
    export_csv([q], path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["题干"].startswith("'=HYPERLINK")
    assert [cells[f"选项{k}"][:2] for k in "ABCD"] == ["'+", "'-", "'@", "'\t"]
    assert cells["解析"].startswith("'=") and cells["标签"] == "'@定义"
    assert cells["编号"] == "S001"  # untouched when harmless
    questions, errors = rows_to_questions(read_table(path))
    assert errors == []
    assert questions == [replace(q, options={**q.options, "D": "本单位职工"})]  # cells are trimmed


def test_formula_injection_neutralised_in_xlsx(tmp_path, make_question):
    q = injected(make_question)
    path = tmp_path / "bank.xlsx"
    export_xlsx([q], path)
    ws = load_workbook(path).worksheets[0]
    stem = ws.cell(row=2, column=COLUMNS.index("题干") + 1)
    assert stem.data_type == "s" and stem.value.startswith("'=")
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    questions, errors = rows_to_questions(read_table(path))
    assert errors == []
    assert questions[0].stem == q.stem and questions[0].options["C"] == "@亲属"


def test_genuine_leading_apostrophe_is_kept():
    questions, errors = rows_to_questions([row_dict(选项A="'特定对象")])
    assert errors == [] and questions[0].options["A"] == "'特定对象"


def test_row_errors_name_excel_rows():
    rows = [
        row_dict(),
        row_dict(编号="S002", 题型="填空"),
        row_dict(编号="S003", 题干="第三题", 答案="B/2"),
        {name: "" for name in COLUMNS},  # blank row 5 is skipped but keeps numbering
        row_dict(编号="S004", 题干="第六题的题干", 原文="向特定对象吸收资金的行为"),
        row_dict(题干="第七题：编号与第二行相同"),
        row_dict(编号="S005", 题干="第八题", 出处="条例第二十五条第二款"),
        row_dict(编号="S006", 题干="第九题", 答案="BC", 状态="删除"),
        row_dict(编号="J001", 题型="判断", 题干="第十题", 答案="A"),
    ]
    questions, errors = rows_to_questions(rows)
    assert [e.row for e in errors] == [3, 4, 6, 7, 8, 9, 10, 10]
    messages = dict((e.row, e.message) for e in errors)
    assert "题型“填空”无效" in messages[3]
    assert "答案“B/2”无效" in messages[4]
    assert "quote is not found verbatim in article 2" in messages[6]
    assert "duplicate id (first used in 第2行)" in messages[7]
    assert "须写明条号" in messages[8]
    assert "状态“删除”无效" in messages[9]
    assert [e.message for e in errors if e.row == 10] == [
        "判断题不要填写选项（选项固定为 对/错）",
        "答案“A”无效：判断题填 对 或 错（也可填 √ 或 ×）",
    ]
    assert str(errors[0]) == f"第3行：{errors[0].message}"
    assert {q.id for q in questions} == {"S001", "S004"}


def test_single_choice_with_two_letters_reported_by_validator():
    _questions, errors = rows_to_questions([row_dict(答案="bc")])
    assert errors == [RowError(2, "single choice answer must be one letter, got 'BC'")]


def test_row_numbers_match_the_spreadsheet(tmp_path):
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(list(COLUMNS))
    ws.append(list(row_dict().values()))
    ws.append([])
    ws.append(list(row_dict(编号="S002", 题干="另一道题", 答案="Z").values()))
    ws.append([])  # trailing blank rows are dropped
    path = tmp_path / "staff.xlsx"
    wb.save(path)
    _questions, errors = rows_to_questions(read_table(path))
    assert [(e.row, e.message) for e in errors] == [(4, "answer Z is not among the options (A, B, C, D)")]


def test_missing_columns_and_empty_table():
    rows = [{k: v for k, v in row_dict().items() if k not in ("答案", "出处")}]
    questions, errors = rows_to_questions(rows)
    assert questions == [] and [e.row for e in errors] == [1]
    assert errors[0].message.startswith("表头缺少列：答案、出处（表头应为：编号、题型、题干")
    assert rows_to_questions([]) == ([], [RowError(1, "表格中没有题目")])


@pytest.mark.parametrize(
    ("answer", "type_", "expected"),
    [
        ("ca", "多选", "AC"),
        ("D、a、B", "多选", "ABD"),
        ("√", "判断", "对"),
        ("×", "判断", "错"),
        ("错", "判断", "错"),
        ("b", "单选", "B"),
        ("Ｂ", "单选", "B"),
    ],
)
def test_import_answers_in_any_order_and_case(answer, type_, expected):
    if type_ == "判断":
        row = row_dict(
            编号="J001",
            题型="判断",
            题干="参与非法集资的损失由集资参与人自行承担。",
            答案=answer,
            **dict.fromkeys(("选项A", "选项B", "选项C", "选项D"), ""),
            出处="条例第25条",
            原文="因参与非法集资受到的损失，由集资参与人自行承担",
        )
    elif type_ == "多选":
        row = row_dict(编号="M001", 题型="多选", 答案=answer)
    else:
        row = row_dict(答案=answer)
    questions, errors = rows_to_questions([row])
    assert errors == []
    assert questions[0].answer == expected


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("条例第25条", {"doc": "regulation-737", "article": 25}),
        ("条例第二十五条", {"doc": "regulation-737", "article": 25}),
        ("《条例》第二十五条", {"doc": "regulation-737", "article": 25}),
        ("《条例》第十条", {"doc": "regulation-737", "article": 10}),
        ("《防范和处置非法集资条例》第 3 条", {"doc": "regulation-737", "article": 3}),
        ("《防范和处置非法集资条例》（国务院令第737号）第四十条", {"doc": "regulation-737", "article": 40}),
        ("条例第２条", {"doc": "regulation-737", "article": 2}),
        ("regulation-737 第2条", {"doc": "regulation-737", "article": 2}),
        ("《2021年海淀区防范非法集资宣传教育工作方案》", {"doc": "haidian-2021"}),
        ("2021年海淀区防范非法集资宣传教育工作方案", {"doc": "haidian-2021"}),
        ("haidian-2021", {"doc": "haidian-2021"}),
        ("《凌源市2021年防范非法集资宣传月活动方案》", {"doc": "lingyuan-2021"}),
        ("lingyuan-2021", {"doc": "lingyuan-2021"}),
        ("《刑法》第一百七十六条", {"doc": "other", "title": "《刑法》第一百七十六条"}),
    ],
)
def test_parse_source(text, source):
    assert parse_source(text) == source


@pytest.mark.parametrize("text", ["条例", "《条例》第二十五条第二款", "条例第二二条"])
def test_parse_source_rejects_decree_without_article(text):
    with pytest.raises(ValueError, match="条"):
        parse_source(text)


def test_read_csv_saved_as_gbk_by_excel(tmp_path):
    path = tmp_path / "staff.csv"
    with open(path, "w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerow(row_dict().values())
    questions, errors = rows_to_questions(read_table(path))
    assert errors == [] and questions[0].options["B"] == "不特定对象"


def test_read_table_rejects_other_files(tmp_path):
    with pytest.raises(ValueError, match="use .xlsx or .csv"):
        read_table(tmp_path / "bank.xls")
