"""Chinese wording for the bank validator's (English) messages, for staff on the import preview page."""

from __future__ import annotations

import re

FIELDS = {"stem": "题干", "explanation": "解析"}
_RULES: tuple[tuple[str, str], ...] = (
    (r"id is empty", "编号为空"),
    (r"id '(.*)' must be '(\w)' \+ 3 digits .*", r"编号“\1”格式不对：应为 \2 加 3 位数字，如 \g<2>001"),
    (r"(stem|explanation) is empty", "{field}为空"),
    (r"(stem|explanation) is (\d+) characters \(max (\d+)\)", r"{field}有 \2 字，最多 \3 字"),
    (r"judge stem must be a statement.*", "判断题题干应为陈述句，请去掉问号"),
    (r"needs (\d)-(\d) tags, has (\d+)", r"标签须为 \1–\2 个，现有 \3 个"),
    (r"a tag is empty", "有一个标签为空"),
    (r"tag '(.*)' is longer than (\d+) characters", r"标签“\1”超过 \2 个字"),
    (r"tags repeat", "标签重复"),
    (r"judge answer must be .*, got '(.*)'", r"判断题答案须为 对 或 错，现为“\1”"),
    (r"single choice needs exactly options A-D, has (.*)", r"单选题须有且只有 A–D 四个选项，现有：\1"),
    (r"multiple choice needs options A-D or A-E, has (.*)", r"多选题须有 A–D 或 A–E 选项，现有：\1"),
    (r"option (\w) is empty", r"选项\1为空"),
    (r"option (\w) is (\d+) characters \(max (\d+)\)", r"选项\1有 \2 字，最多 \3 字"),
    (r"options (\w) and (\w) have the same text", r"选项\1和选项\2内容相同"),
    (r"answer is empty", "答案为空"),
    (r"single choice answer must be one letter, got '(.*)'", r"单选题答案只能是一个字母，现为“\1”"),
    (r"multiple choice answer needs at least 2 letters, got '(.*)'", r"多选题答案至少两个字母，现为“\1”"),
    (r"answer letters must be in alphabetical order.*, got '(.*)'", r"答案字母须按顺序且不重复，现为“\1”"),
    (r"answer (\w+) is not among the options \((.*)\)", r"答案 \1 不在选项（\2）之中"),
    (r"unknown source doc .*", "出处无法识别"),
    (r"source 'other' needs a 'title'", "出处须写明文件名称"),
    (r"regulation-737 source needs 'article' .*", "《条例》出处须写明第 1–40 条中的条号"),
    (r"quote is required for source .*", "出处为条例或宣传方案时，须填写“原文”"),
    (r"quote is not found verbatim in .*", "“原文”在所引文件中找不到，请逐字核对"),
    (r"duplicate id \(first used in (.*)\)", r"编号重复（\1已使用）"),
    (r"stem duplicates (\w+)", r"题干与 \1 重复"),
    (r"stem is a near-duplicate of (\w+) \(bigram similarity ([\d.]+)\)", r"题干与 \1 高度相似（相似度 \2）"),
)
_COMPILED = tuple((re.compile(pattern), template) for pattern, template in _RULES)


def in_chinese(message: str) -> str:
    """The Chinese wording of a validator message; unknown (already Chinese) messages pass through."""
    for pattern, template in _COMPILED:
        m = pattern.fullmatch(message)
        if m:
            field = FIELDS.get(m.group(1), "") if "{field}" in template else ""
            return m.expand(template.replace("{field}", field)).replace(", ", "、")
    return message
