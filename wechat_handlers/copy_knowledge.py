"""防非知识 text for residents: topic menus, numbered lists, a card's source line, the daily tip."""

TOPICS_HEAD = "【防非知识】请回复数字选择主题："
TOPIC_LINE = "{n}. {topic}（{count}条）"
TOPICS_FOOT = "也可以直接发问题，比如“养老院交钱返利靠谱吗”。"

CARDS_HEAD = "【{topic}】请回复数字查看："
CARDS_FOOT = "回复“0”返回主题列表。"
CHOICES_HEAD = "您想了解的是哪一条？请回复数字："
CHOICES_FOOT = "都不是？回复“防非知识”按主题查看。"
LIST_LINE = "{n}. {title}"

SOURCE_LINE = "——{source}"
LINK_LINE = "原文链接：{link}"
MORE_FROM_LIST = "回复其他数字继续查看，回复“防非知识”看全部主题。"
MORE = "想了解更多，回复“防非知识”。"

NOT_FOUND_HEAD = "暂时没有找到和您的问题直接相关的内容。您可以回复数字选择主题："
NOT_FOUND_FOOT = "发现可疑的非法集资活动，回复“举报”提供线索。"

BAD_NUMBER = "请回复列表中的数字（1-{n}），或回复“取消”退出。"
BAD_NUMBER_CARDS = "请回复列表中的数字（1-{n}），回复“0”返回主题列表。"
EXPIRED = "内容已经更新，请回复“防非知识”重新查看。"
NO_CARDS = "防非知识正在更新，请稍后再来看看。"

DAILY_TIP = "\n\n💡 {tip}"
