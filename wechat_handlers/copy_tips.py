"""Tip (举报) copy: short, plain Simplified Chinese for residents, many of them elderly."""

from __future__ import annotations

INTRO = (
    "感谢您提供线索！我们会对您的身份严格保密。\n下面分几步填写，每次回答一个问题。随时回复“取消”可以退出。"
)

ASK_CATEGORY = "第1步：您要举报的是？请回复数字：\n1 公司或机构\n2 网站或平台\n3 手机App\n4 个人\n5 其他"
ASK_CATEGORY_AGAIN = "请回复 1 到 5 中的一个数字。"
ASK_TARGET = "第2步：请发送对方的名称，比如公司名、平台名、App名或人名。"
ASK_STORY = (
    "第3步：请说说发生了什么。\n"
    "比如：对方承诺多高的回报、涉及多少钱、怎么拉人参加的。\n"
    "可以分几条发，说完后请回复“好了”。"
)
STORY_SAVED = "收到，已记下{count}条。还有要补充的请接着发，说完了请回复“好了”。"
ASK_PLACE = "第4步：这件事发生在哪里？\n可以发送地址，也可以点“+”发送位置。\n不清楚请回复“跳过”。"
ASK_PHOTOS = (
    "第5步：有合同、收据、聊天截图等照片吗？\n可以直接发送图片，最多9张。\n发完或者没有，请回复“好了”。"
)
PHOTO_SAVED = "照片收到了（共{count}张）。还有请继续发，发完请回复“好了”。"
PHOTO_SAVED_LATER = "照片收到了（共{count}张）。"
PHOTOS_FULL = "最多只能收9张照片，这张没有收下。请回复“好了”继续。"
ASK_IDENTITY = (
    "第6步：您想匿名举报，还是留下姓名和电话？请回复数字：\n"
    "1 匿名举报\n"
    "2 实名举报（留下姓名和电话）\n"
    "提示：按照举报奖励办法，领取奖励需要实名举报。您的信息会严格保密。"
)
ASK_IDENTITY_AGAIN = "请回复 1（匿名）或 2（实名）。"
ASK_NAME = "请发送您的姓名。"
CONSENT_BY_NAME = "发送姓名即表示您同意以上说明；不同意请回复“1”改为匿名举报。"
ASK_PHONE = "请发送您的手机号码（11位），方便我们联系您。"
TEXT_PLEASE = "这一步请用文字回复。"
MEDIA_NOT_HERE = "这一步暂时收不了这种消息，请用文字回复。"

SUMMARY = (
    "请核对您的举报：\n"
    "对象：【{category}】{target}\n"
    "经过：{story}\n"
    "地点：{place}\n"
    "照片：{photos}\n"
    "身份：{who}\n\n"
    "确认提交请回复“确认”；要重新填写请回复“重填”；不提交请回复“取消”。"
)
NO_PLACE = "未填写"
NO_PHOTOS = "无"
PHOTOS = "{count}张"
ANONYMOUS = "匿名"
REAL_NAME = "实名（{name}，{phone}）"
CONFIRM_AGAIN = "请回复“确认”提交，回复“重填”重新填写，或回复“取消”放弃。"

RECEIPT = (
    "提交成功！您的举报回执编号是：\n{receipt}\n"
    "请截图或抄下这个编号。\n"
    "以后发送“查询 {receipt}”就能查看办理进度。\n"
    "感谢您对防范非法集资工作的支持！"
)

ASK_CODE = "请发送“查询”加回执编号，例如：\n查询 JB-7K4M-2QXR-9T"
STATUS = "回执编号：{receipt}\n提交时间：{submitted}\n办理进度：{label}"
STATUS_REPLY = "\n办理答复：{reply}"
STATUS_NO_REPLY = "\n我们会尽快处理，请耐心等待。"

WEB_RECEIPT = "提交成功！请保存好回执编号，以后可以在这里或在公众号发送“查询 编号”查看办理进度。"
REWARD_NOTE = "按照举报奖励办法，领取奖励需要实名举报。您的信息会严格保密。"
BAD_NUMBER = "位置信息不对，请重新选择位置。"
BAD_FORM = "请求格式不对，请刷新页面后再试。"
