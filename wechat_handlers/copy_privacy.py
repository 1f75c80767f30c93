"""Personal-data text for residents (我的信息 / 删除我的信息): short, friendly Simplified Chinese."""

NOTHING_STORED = "我们没有保存您的个人信息。"
MY_INFO_HEAD = "【我的信息】"
MY_INFO_PERSON = (
    "姓名：{name}\n地区（战队）：{team}\n手机：{phone}\n工作单位：{unit}\n"
    "报名时间：{since}\n同意说明：{consent}版（{consent_at}）\n答题：{papers}次，累计得分：{total}分"
)
MY_INFO_TIP = "实名举报 {receipt}：{name}，{phone}"
MY_INFO_FOOT = "如需修改，回复“修改姓名 张三”等；删除请回复“删除我的信息”。"
NOT_SET = "未填写"
ASK_CONFIRM = (
    "删除后，您的姓名、手机号、工作单位和微信账号的关联都会清除，无法恢复；"
    "成绩只以“匿名”保留在排行榜和战队总分中。"
    "{tips}\n确定删除请回复“确认删除”，不删除请回复“取消”。"
)
ASK_CONFIRM_TIPS = "\n您实名举报时留下的姓名和电话也会删除，工作人员将无法再联系您。"
DELETED = "您的个人信息已删除。感谢您的参与！以后想参加，回复“答题”重新报名即可。"
KEPT = "好的，您的信息没有删除。"
