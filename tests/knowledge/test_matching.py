"""The knowledge-card matcher: resident questions against the bundled cards, and the scoring rules."""

from __future__ import annotations

import dataclasses
import random
import time

import pytest

from quiz_bank.knowledge import (
    MARGIN,
    MAX_CHOICES,
    Card,
    CardSource,
    index_cards,
    load_cards,
    match,
    normalise,
    score_cards,
)

CARDS = load_cards()

# What residents type (colloquial, typos, voice input, full-width characters, single words) and the card
# that must answer on its own (kind "card").
RESIDENT_QUESTIONS = [
    ("养老院让我交钱说每年返利10%靠谱吗", "K019"),  # 养老院交钱返利
    ("朋友拉我买一个币说稳赚", "K022"),  # 虚拟币不是钱
    ("网上借钱平台给利息是不是非法集资", "K024"),  # 网贷平台许诺高息
    ("我已经投了钱怎么办", "K052"),  # 已经投了钱怎么办
    ("合作社让入股分红", "K026"),  # 合作社入股分红
    ("什么是非法集资", "K001"),  # 什么是非法集资
    ("什么叫非法集资啊", "K001"),  # 什么是非法集资
    ("非法集姿是啥意思", "K001"),  # 什么是非法集资
    ("非法集资有什么危害", "K002"),  # 非法集资的危害
    ("亲戚找我借钱给高利息算不算非法集资", "K006"),  # 亲友借钱算集资吗
    ("怎么分辨是不是非法集资", "K009"),  # 非法集资四个特征
    ("有人说保本保息一年20%的利息", "K010"),  # 承诺保本就是诈骗
    ("稳赚不赔的理财产品能买吗", "K010"),  # 承诺保本就是诈骗
    ("群里天天有人发投资项目说收益很高", "K011"),  # 到处宣传拉投资
    ("拉一个人给提成这种是不是传销", "K012"),  # 拉人头给提成
    ("明星代言的理财平台可信吗", "K013"),  # 名人站台就可信吗
    ("公司有营业执照应该是正规的吧", "K014"),  # 有营业执照就合法吗
    ("社区有人送鸡蛋让老人去听讲座", "K016"),  # 送礼品听讲座要当心
    ("银行里面有人推销理财产品说是内部的", "K017"),  # 银行里推销的理财
    ("他们给我签了合同还有公证应该没问题吧", "K018"),  # 签了合同就安全吗
    ("养老公寓交十万块钱每年给百分之八利息", "K019"),  # 养老院交钱返利
    ("以房养老靠谱吗", "K020"),  # 以房养老骗局
    ("私募基金五万块起投保本靠谱吗", "K021"),  # 私募基金的门槛
    ("usdt挖矿每天收益百分之一", "K022"),  # 虚拟币不是钱
    ("数字货币能不能投资", "K022"),  # 虚拟币不是钱
    ("比特币能买吗", "K022"),  # 虚拟币不是钱
    ("元宇宙数字藏品能赚钱吗", "K023"),  # 区块链元宇宙项目
    ("购物消费全返是真的吗", "K025"),  # 消费返利、购物全返
    ("充值会员卡每个月返现", "K025"),  # 消费返利、购物全返
    ("投资拍电影保底分红", "K027"),  # 投资拍电影分红
    ("买商铺开发商包租每年返8%", "K028"),  # 买商铺包租返租
    ("公司说马上上市原始股翻倍", "K032"),  # 原始股马上上市
    ("旅游卡交三万能免费旅游还返利", "K031"),  # 旅游会员卡返利
    ("防范和处置非法集资条例什么时候施行的", "K033"),  # 防范和处置非法集资条例
    ("网上到处打广告的投资能信吗", "K034"),  # 集资广告不准发
    ("参与非法集资亏了钱政府赔不赔", "K036"),  # 损失谁来承担
    ("清退是什么意思", "K037"),  # 什么是清退
    ("清退的钱是从哪里来的", "K038"),  # 清退的钱从哪里来
    ("我拿了公司的提成以后要退回去吗", "K039"),  # 拿的提成利息要退吗
    ("搞非法集资的老板会被怎么处罚", "K040"),  # 非法集资怎么处罚
    ("我帮亲戚拉了几个人投钱会不会犯法", "K041"),  # 帮忙拉人会受罚吗
    ("非法集资会判几年", "K042"),  # 非法集资是犯罪吗
    ("会不会上征信黑名单", "K043"),  # 会留下信用记录吗
    ("处非办会查封他们的公司吗", "K044"),  # 处非办怎么查处
    ("在哪里举报非法集资", "K045"),  # 怎么举报非法集资
    ("举报电话是多少", "K045"),  # 怎么举报非法集资
    ("举报了会不会被报复", "K046"),  # 举报人会被保密吗
    ("举报需要准备什么材料", "K048"),  # 举报要提供什么
    ("村里有人搞集资可以找村委会吗", "K049"),  # 找社区村委会行吗
    ("处非办是管什么的", "K050"),  # 处非办是干什么的
    ("公司在外省我在本地能举报吗", "K051"),  # 外地公司集资找谁
    ("钱投进去了现在提不出来", "K052"),  # 已经投了钱怎么办
    ("需要留什么证据", "K053"),  # 要保存哪些证据
    ("平台说交解冻费才能提现", "K054"),  # 别再追加别再拉人
    ("网上有人说能帮我把钱追回来要先交手续费", "K055"),  # 谨防帮你追回损失
    ("投的钱还能退回来吗", "K056"),  # 投的钱能要回来吗
    ("宣传月是哪个月", "K058"),  # 防范非法集资宣传月
    ("七进是指哪七进", "K060"),  # 防非宣传七进
    ("防非知识答题怎么参加", "K063"),  # 防非知识答题
    ("我爸被拉去听讲座还领了鸡蛋", "K016"),  # 送礼品听讲座要当心
    ("我想局报一个骗老人钱的公司", "K045"),  # 怎么举报非法集资
    ("ＵＳＤＴ能买吗", "K022"),  # 虚拟币不是钱
    ("Ｐ２Ｐ平台还能投吗", "K024"),  # 网贷平台许诺高息
    ("养老院说交钱有反利", "K019"),  # 养老院交钱返利
    ("有个合做社说存钱给利息", "K026"),  # 合作社入股分红
    ("老年公寓交押金送利息是骗局吗", "K019"),  # 养老院交钱返利
    ("有个养老项目说投五万每月给五百", "K019"),  # 养老院交钱返利
    ("我在抖音直播间看到有人推荐投资", "K011"),  # 到处宣传拉投资
    ("比特币挖矿机托管", "K022"),  # 虚拟币不是钱
    ("炒币赚钱吗", "K022"),  # 虚拟币不是钱
    ("他说是国家扶持的项目还有红头文件", "K013"),  # 名人站台就可信吗
    ("电视上打广告的公司应该没问题吧", "K034"),  # 集资广告不准发
    ("拉人头的项目能不能做", "K012"),  # 拉人头给提成
    ("公司老板跑路了", "K052"),  # 已经投了钱怎么办
    ("钱存进去取不出来了", "K052"),  # 已经投了钱怎么办
    ("我参加的那个合作社说分红翻倍", "K026"),  # 合作社入股分红
    ("养老院", "K019"),  # 养老院交钱返利
    ("有人让我投钱说一个月给百分之五的利息", "K008"),  # 高收益意味着高风险
    ("社区活动送了一桶油让我们买保健品", "K016"),  # 送礼品听讲座要当心
    ("养老机构要先交二十万会员费", "K019"),  # 养老院交钱返利
    ("虚拟货币能不能碰", "K022"),  # 虚拟币不是钱
    ("我女儿让我别碰区块链", "K023"),  # 区块链元宇宙项目
    ("团购返现是不是骗人", "K025"),  # 消费返利、购物全返
    ("农村合作社吸收存款给利息合法吗", "K026"),  # 合作社入股分红
    ("影视公司让我投资电视剧", "K027"),  # 投资拍电影分红
    ("开发商说买公寓可以包租十年", "K028"),  # 买商铺包租返租
    ("理财课老师让我们跟着投", "K029"),  # 线上教育项目
    ("原始股靠谱吗", "K032"),  # 原始股马上上市
    ("旅游公司的会员卡说到期还本", "K031"),  # 旅游会员卡返利
    ("非法集资的钱能退多少", "K056"),  # 投的钱能要回来吗
    ("哪个部门管非法集资", "K050"),  # 处非办是干什么的
    ("我想打电话举报", "K045"),  # 怎么举报非法集资
    ("我怕举报以后被人知道", "K046"),  # 举报人会被保密吗
    ("举报奖金多少钱", "K047"),  # 举报有奖励吗
    ("已经交了钱还能要回来吗", "K056"),  # 投的钱能要回来吗
    ("有个律师说能帮我追回被骗的钱", "K055"),  # 谨防帮你追回损失
    ("公司让我再交保证金才能取钱", "K054"),  # 别再追加别再拉人
    ("我爸妈被骗了", "K057"),  # 家里老人被骗了
    ("条例是哪年出台的", "K033"),  # 防范和处置非法集资条例
    ("宣传月活动", "K058"),  # 防范非法集资宣传月
    ("收益这么高会不会有风险", "K008"),  # 高收益意味着高风险
    ("股权众筹可以投吗", "K015"),  # 名字带理财金融的公司
    ("我在银行存钱安全吗", "K017"),  # 银行里推销的理财
    ("微信群里的投资老师靠谱吗", "K011"),  # 到处宣传拉投资
    ("什么样的算非法集资", "K001"),  # 什么是非法集资
    ("非法集资犯不犯法", "K003"),  # 国家禁止非法集资
    ("隔壁老王找我借五万说给两分利", "K006"),  # 亲友借钱算集资吗
    ("说保证不亏本的投资能信吗", "K010"),  # 承诺保本就是诈骗
    ("老同学拉我进了一个投资群", "K011"),  # 到处宣传拉投资
    ("拉十个人进来就能返本", "K012"),  # 拉人头给提成
    ("有专家在酒店开会讲投资", "K013"),  # 名人站台就可信吗
    ("抵押房子", "K020"),  # 以房养老骗局
    ("基金经理推荐私募产品", "K021"),  # 私募基金的门槛
    ("泰达币", "K022"),  # 虚拟币不是钱
    ("nft数字藏品", "K023"),  # 区块链元宇宙项目
    ("购物返利app", "K025"),  # 消费返利、购物全返
    ("养牛项目入股分红", "K026"),  # 合作社入股分红
    ("投资短剧", "K027"),  # 投资拍电影分红
    ("商铺返租", "K028"),  # 买商铺包租返租
    ("原始股", "K032"),  # 原始股马上上市
    ("非法集资条例", "K033"),  # 防范和处置非法集资条例
    ("广告", "K034"),  # 集资广告不准发
    ("损失谁承担", "K036"),  # 损失谁来承担
    ("提成要退吗", "K039"),  # 拿的提成利息要退吗
    ("罚款多少", "K040"),  # 非法集资怎么处罚
    ("集资诈骗判几年", "K042"),  # 非法集资是犯罪吗
    ("征信", "K043"),  # 会留下信用记录吗
    ("举报电话", "K045"),  # 怎么举报非法集资
    ("匿名举报可以吗", "K046"),  # 举报人会被保密吗
    ("举报有没有奖励", "K047"),  # 举报有奖励吗
    ("怎么举报", "K045"),  # 怎么举报非法集资
    ("跑路了", "K052"),  # 已经投了钱怎么办
    ("保存证据", "K053"),  # 要保存哪些证据
    ("帮我追回损失", "K055"),  # 谨防帮你追回损失
    ("宣传月什么时候", "K058"),  # 防范非法集资宣传月
    ("答题活动", "K063"),  # 防非知识答题
    ("这家公司有没有资格吸收存款", "K004"),  # 谁能向公众吸收资金
    ("谁算非法集资人", "K005"),  # 非法集资人和协助人
    ("组织集资的人叫什么", "K005"),  # 非法集资人和协助人
    ("天上会掉馅饼吗", "K007"),  # 记住四句话
    ("借钱是要还的", "K007"),  # 记住四句话
    ("街边的理财公司靠谱吗", "K030"),  # 财富管理公司
    ("理财公司让签债权转让", "K030"),  # 财富管理公司
    ("网站上发非法集资信息有没有责任", "K035"),  # 网站平台的责任
    ("互联网平台有什么责任", "K035"),  # 网站平台的责任
    ("集中宣传日是哪天", "K059"),  # 2021宣传月怎么开展
    ("防非宣传为什么天天搞", "K062"),  # 防非宣传要常年搞
    ("无非法集资社区是什么", "K061"),  # 无非法集资社区
    ("社区网格员能帮忙吗", "K049"),  # 找社区村委会行吗
]

# Several cards are relevant, so the resident gets a numbered list; the expected card must rank strictly first
# (not first only by the id tie-break).
FIRST_CHOICE_QUESTIONS = [
    ("有人让我把房子抵押了去投资理财", "K020"),  # 以房养老骗局
    ("网课让交钱当合伙人能分红", "K029"),  # 线上教育项目
    ("互联网金融平台年化15%", "K024"),  # 网贷平台许诺高息
    ("给他们打工拉客户犯法吗", "K041"),  # 帮忙拉人会受罚吗
    ("怎么判断一个公司是不是正规的", "K004"),  # 谁能向公众吸收资金
    ("公众号上推荐的理财产品", "K030"),  # 财富管理公司
    ("养老服务中心让交钱", "K019"),  # 养老院交钱返利
    ("借钱给网贷平台安全吗", "K024"),  # 网贷平台许诺高息
    ("线上课程当代理", "K029"),  # 线上教育项目
    ("旅游卡返利", "K031"),  # 旅游会员卡返利
    ("交了钱提不出来还让交钱", "K054"),  # 别再追加别再拉人
]

# Genuinely ambiguous (two questions in one, or one bare word): a list offering at least these cards.
AMBIGUOUS_QUESTIONS = [
    ("举报有奖励吗会不会泄露我的名字", {"K046", "K047"}),
    ("我妈在外面投了钱被骗了怎么办", {"K052", "K057"}),
    ("p2p暴雷了怎么办", {"K024", "K052"}),
    ("保本高收益是不是骗人的", {"K008", "K010"}),
    ("举报", {"K045", "K046", "K047"}),
    ("怎么办", {"K052", "K057"}),
    ("返利", {"K019", "K025"}),
    ("网贷平台倒闭了怎么办", {"K024", "K052"}),
]

OFF_TOPIC = [
    "今天天气怎么样",
    "你好",
    "谢谢",
    "在吗",
    "哈哈哈",
    "1",
    "早上好",
    "好的谢谢",
    "？？",
    "😊",
    "收到",
]


@pytest.mark.parametrize(("text", "expected"), RESIDENT_QUESTIONS)
def test_resident_question_gets_its_card(text: str, expected: str) -> None:
    m = match(text, CARDS)
    assert (m.kind, m.card.id if m.card else None) == ("card", expected), [c.id for c in m.choices]
    assert m.choices[0] == m.card


@pytest.mark.parametrize(("text", "expected"), FIRST_CHOICE_QUESTIONS)
def test_close_question_lists_its_card_first(text: str, expected: str) -> None:
    m = match(text, CARDS)
    assert m.kind == "choices"
    assert m.choices[0].id == expected and m.card == m.choices[0]
    assert m.scores[0] > m.scores[1]


@pytest.mark.parametrize(("text", "expected"), AMBIGUOUS_QUESTIONS)
def test_ambiguous_question_offers_choices(text: str, expected: set[str]) -> None:
    m = match(text, CARDS)
    assert m.kind == "choices"
    assert expected <= {c.id for c in m.choices}
    assert 2 <= len(m.choices) <= MAX_CHOICES


@pytest.mark.parametrize("text", OFF_TOPIC)
def test_off_topic_message_matches_nothing(text: str) -> None:
    m = match(text, CARDS)
    assert (m.kind, m.card, m.choices) == ("none", None, ())


def test_enough_realistic_questions_are_checked_and_every_card_is_reachable() -> None:
    assert len(RESIDENT_QUESTIONS) + len(FIRST_CHOICE_QUESTIONS) >= 60
    assert len(AMBIGUOUS_QUESTIONS) >= 3
    answered = {e for _t, e in RESIDENT_QUESTIONS + FIRST_CHOICE_QUESTIONS}
    assert answered == {c.id for c in CARDS}


# --- the scoring rules, on small made-up cards ---------------------------------------------------------


def card(cid: str, title: str, keywords: tuple[str, ...] = (), synonyms: tuple[str, ...] = ()) -> Card:
    source = CardSource("other", title="test")
    return Card(cid, title, "正文", keywords, synonyms, "认识非法集资", source)


def scores(text: str, cards: list[Card]) -> dict[str, float]:
    return {c.id: s for s, c in score_cards(text, cards)}


def test_normalise_folds_width_case_punctuation_and_spaces() -> None:
    assert normalise("Ｐ２Ｐ 平台，还能投吗？！") == "p2p平台还能投吗"
    assert normalise("ＵＳＤＴ\t挖矿…") == "usdt挖矿"


def test_longer_terms_weigh_more_and_classes_rank_title_keyword_synonym() -> None:
    cards = [
        card("K001", "甲", keywords=("养老院", "返利"), synonyms=("敬老院",)),
        card("K002", "养老乙", ("养老",)),
    ]
    got = scores("养老院返利", cards)
    assert got["K001"] == 2 * 3 + 2 * 2  # keywords: length x 2
    assert got["K002"] == 3 * 2  # a keyword found in the title weighs 3 per character; cards score apart
    assert scores("敬老院", cards) == {"K001": 1 * 3}  # a synonym weighs 1 per character


def test_overlapping_hits_count_once_and_a_repeated_term_counts_once() -> None:
    cards = [card("K001", "甲", keywords=("养老", "养老院"))]
    assert scores("养老院", cards) == {"K001": 2 * 3}  # not 6 + 4: the two hits overlap
    assert scores("养老院养老院养老院", cards) == {"K001": 2 * 3}  # a repeated term counts once
    assert scores("养老院说以房养老", cards) == {"K001": 2 * 3 + 2 * 2}  # "养老" also stands on its own


def test_terms_shared_by_several_cards_weigh_less() -> None:
    cards = [
        card("K001", "甲", ("分红", "合作社")),
        card("K002", "乙", ("分红",)),
        card("K003", "丙", ("返利",)),
    ]
    got = scores("合作社分红", cards)
    assert got["K002"] == pytest.approx(4 / 2**0.5)
    assert got["K001"] == pytest.approx(6 + 4 / 2**0.5)


def test_margin_rule() -> None:
    cards = [card("K001", "甲", ("aaa",)), card("K002", "乙", ("bb",)), card("K003", "丙", ("ccc",))]
    clear = match("aaa bb", cards)  # 6 vs 4: exactly MARGIN times the runner-up
    assert MARGIN == 1.5 and (clear.kind, clear.card) == ("card", cards[0])
    assert [c.id for c in clear.choices] == ["K001", "K002"]
    close = match("aaa ccc bb", cards)  # 6, 6, 4: a tie goes to the list, smaller id first
    assert close.kind == "choices" and [c.id for c in close.choices] == ["K001", "K003", "K002"]


def test_choices_keep_at_most_five_cards_scoring_at_least_half_the_best() -> None:
    cards = [card(f"K00{i}", f"题{i}", (f"词{i}",)) for i in range(1, 8)] + [
        card("K009", "弱", synonyms=("x",))
    ]
    m = match("词1词2词3词4词5词6词7x", cards)
    assert m.kind == "choices" and [c.id for c in m.choices] == ["K001", "K002", "K003", "K004", "K005"]


def test_no_hit_is_none() -> None:
    m = match("完全无关", [card("K001", "甲", ("养老",))])
    assert (m.kind, m.card, m.choices) == ("none", None, ())


def test_result_does_not_depend_on_card_order() -> None:
    shuffled = CARDS[:]
    random.Random(7).shuffle(shuffled)
    for text, _expected in RESIDENT_QUESTIONS[:20] + FIRST_CHOICE_QUESTIONS:
        assert match(text, shuffled) == match(text, CARDS)


def test_a_prebuilt_index_gives_the_same_answers() -> None:
    index = index_cards(CARDS)
    for text, _expected in RESIDENT_QUESTIONS[:20]:
        assert match(text, index) == match(text, CARDS)


def test_one_message_against_100_cards_takes_well_under_a_millisecond() -> None:
    extra = [dataclasses.replace(c, id=f"K{100 + i}", title=c.title + "续") for i, c in enumerate(CARDS)]
    cards = (CARDS + extra)[:100]
    texts = [t for t, _e in RESIDENT_QUESTIONS] + [
        "我已经投了钱怎么办，平台说交解冻费才能提现，老板也跑路了" * 2
    ]
    match(texts[0], cards)  # builds the index once
    start = time.perf_counter()
    for text in texts:
        match(text, cards)
    per_message = (time.perf_counter() - start) / len(texts)
    assert per_message < 0.001 / 2, f"{per_message * 1e6:.0f} µs per message"
