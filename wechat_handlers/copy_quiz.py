"""Quiz and registration text for residents: short, friendly Simplified Chinese."""

AGREE_OR_CANCEL = "同意请回复“同意”，不同意请回复“取消”。"  # after the notice of app.services.privacy
CONSENT_REFUSED = "好的，没有保存您的任何信息。随时回复“答题”可以重新报名。"
CONSENT_AGAIN = "请回复“同意”继续报名，或回复“取消”退出。"
ASK_NAME = "请输入您的姓名（2到20个字）："
ASK_REGION_HEAD = "请选择您所在的地区（选同一地区的人组成一个战队）。\n回复序号或地区名，如“1”或“北京”：\n"
REGION_NOT_FOUND = "没有找到这个地区，请回复序号或地区名，如“北京”。"
REGION_AMBIGUOUS = "找到多个地区，请回复序号选择：\n"
ASK_PHONE = "请输入手机号（用于获奖联系，加密保存）。不想填请回复“跳过”。"
ASK_UNIT = "请输入工作单位。不想填请回复“跳过”。"
REGISTERED = "报名成功！{name}，您属于【{team}】战队。\n"
NOT_REGISTERED = "您还没有报名。回复“答题”即可报名参加。"

QUESTION_HEAD = "第{n}/{total}题 · {label} · {points}分"
HINT_SINGLE = "请回复一个字母，如：B"
HINT_MULTIPLE = "可多选，请回复两个或以上字母，如：AC"
HINT_JUDGE = "请回复“对”或“错”"
RIGHT = "✅ 回答正确！+{points}分"
WRONG = "❌ 回答错误。正确答案：{answer}"
EXPLAIN = "解析：{explanation}（{source}）"
INVALID = "{hint}\n（回复“取消”可暂停，稍后回复“答题”继续）"
RESUME = "继续上次的答题：\n"
FINISHED = (
    "🎉 今日答题完成！\n"
    "得分：{score}/{max}分\n"
    "用时：{used}\n"
    "累计得分：{total}分\n"
    "回复“排行榜”查看战队排名，明天记得再来！"
)
PAUSED_HINT = "已暂停答题，回复“答题”可以接着答。"

MY_SCORE = "【我的成绩】{name}（{team}战队）\n累计得分：{total}分\n已答题天数：{days}天\n今天：{today}"
TODAY_DONE = "已完成，得分{score}分"
TODAY_OPEN = "还有题没答完，回复“答题”继续"
TODAY_NONE = "还没答题，回复“答题”开始"

PROFILE_UPDATED = "已修改。回复“我的信息”可以查看。"
PROFILE_USAGE = "修改方法：回复“修改姓名 张三”“修改手机 13800000000”“修改单位 某某单位”或“修改地区 北京”。"
MY_INFO = (
    "【我的信息】\n姓名：{name}\n地区（战队）：{team}\n手机：{phone}\n工作单位：{unit}\n"
    "报名时间：{since}\n如需修改，回复“修改姓名 张三”等。"
)


def duration_text(ms: int) -> str:
    seconds = max(0, ms // 1000)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}分{seconds}秒" if minutes else f"{seconds}秒"


TYPE_NAMES = {"single": "单选", "judge": "判断", "multiple": "多选"}
FORMULA_TEXT = {
    "total": "战队成绩 = 队员得分总和（参与人数 × 人均得分）",
    "weighted": "战队成绩 = 参与人数和人均得分加权计算",
    "per_capita": "战队成绩 = 每万名常住人口的得分",
}


def rules_text(
    name: str,
    window: str,
    mix: list[dict],
    multiple_rule: str,
    attempts: int,
    publish: str,
    formula: str,
    time_limit: int | None,
) -> str:
    """The campaign rules in plain Chinese, built from the campaign's settings."""
    parts = "；".join(
        f"{TYPE_NAMES[m['type']]}{m['count']}道，每题{m['points']}分" for m in mix if m["count"]
    )
    total = sum(m["count"] * m["points"] for m in mix)
    count = sum(m["count"] for m in mix)
    multi = "多选题全部选对才得分" if multiple_rule == "all_or_nothing" else "多选题少选得一半分，错选不得分"
    limit = f"每份试卷限时{time_limit // 60}分钟。\n" if time_limit else ""
    times = "每天可答一次" if attempts == 1 else f"每天可答{attempts}次（以当天第一次交卷的成绩计入排名）"
    return (
        f"【{name} · 活动规则】\n"
        f"时间：{window}\n"
        "1. 报名：填写姓名，选择所在地区（手机号、工作单位可不填）。选同一地区的人组成一个战队。\n"
        f"2. 答题：{times}，每次{count}道题：{parts}（{multi}），满分{total}分。\n{limit}"
        "3. 排名：个人按累计得分排名，同分时用时少者在前，再同则先交卷者在前。\n"
        f"   {FORMULA_TEXT.get(formula, FORMULA_TEXT['total'])}。\n"
        f"4. 每天{publish}公布前一天和累计的前10名战队。\n"
        "5. 活动结束时，总成绩前10名的战队为优秀战队，个人成绩靠前者可获奖励。\n"
        "回复“答题”马上开始！"
    )
