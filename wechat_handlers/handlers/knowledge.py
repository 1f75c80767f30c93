"""防非知识 in chat: the topic menu, numbered lists, and free-text questions answered by a card."""

from __future__ import annotations

import re

from app.services import knowledge
from config.menu import KEY_KNOWLEDGE
from quiz_bank.knowledge import Card, match, normalise
from quiz_bank.schema import format_source
from quiz_bank.sources import cn_number
from wechat_handlers import copy_knowledge as t
from wechat_handlers.replies import MAX_REPLY_BYTES, Reply, Text
from wechat_handlers.router import Context, Router

MENU_WORDS = ("防非知识", "知识", "学习", "学知识", "防骗知识", "防非", "知识库")
TOPICS, CARDS, CHOICES = "kb:topics", "kb:cards", "kb:choices"
_NUMBER = re.compile(r"^第?(\d{1,2}|[一二三四五六七八九十]{1,3})(?:个|条|项|号)?$")
_ASKING = ("吗", "么", "怎么", "是不是", "啥", "谁", "哪", "多少", "能不能", "可不可以", "请问", "?", "？")
MIN_QUESTION = 10  # letters and digits; a shorter message without a question word gets the help text


def card_text(card: Card, more: str = "") -> str:
    """Title, body, "——《条例》第X条", an optional link; `more` is added only while it fits one reply."""
    source = {"doc": card.source.doc, "article": card.source.article, "title": card.source.title}
    lines = [card.reply, t.SOURCE_LINE.format(source=format_source(source))]
    if card.link:
        lines.append(t.LINK_LINE.format(link=card.link))
    text = "\n".join(lines)
    longer = f"{text}\n\n{more}" if more else text
    return longer if len(longer.encode()) <= MAX_REPLY_BYTES else text


def _numbered(head: str, lines: list[str], foot: str) -> str:
    return "\n".join([head, *lines, foot])


def _number(ctx: Context) -> int | None:
    """The number a resident picked: 3, ３, 第3个, 三 (voice input often writes numerals in Chinese)."""
    m = _NUMBER.match(ctx.text) if ctx.msg.msg_type in ("text", "voice") else None
    if m is None:
        return None
    digits = m.group(1)
    try:
        return int(digits) if digits.isdigit() else cn_number(digits)
    except KeyError:
        return None


def _leave(ctx: Context) -> None:
    """Not a number: leave the list and let normal routing handle the message."""
    if ctx.msg.msg_type in ("text", "voice"):
        ctx.dialog.clear()
    return None


def _topic_menu(ctx: Context, head: str, foot: str) -> Reply:
    menu = knowledge.library().menu()
    if not menu:
        return Text(t.NO_CARDS)
    ctx.dialog.clear()
    ctx.dialog.enter(TOPICS, topics=[topic for topic, _cards in menu])
    lines = [
        t.TOPIC_LINE.format(n=n, topic=topic, count=len(cards)) for n, (topic, cards) in enumerate(menu, 1)
    ]
    return Text(_numbered(head, lines, foot))


def show_topics(ctx: Context) -> Reply:
    return _topic_menu(ctx, t.TOPICS_HEAD, t.TOPICS_FOOT)


def pick_topic(ctx: Context) -> Reply | None:
    n = _number(ctx)
    if n is None:
        return _leave(ctx)
    names = list(ctx.dialog.data.get("topics") or [])
    if not 1 <= n <= len(names):
        return Text(t.BAD_NUMBER.format(n=len(names)))
    topic = names[n - 1]
    cards = sorted((c for c in knowledge.library().cards if c.topic == topic), key=lambda c: c.id)
    if not cards:
        ctx.dialog.clear()
        return Text(t.EXPIRED)
    ctx.dialog.enter(CARDS, ids=[c.id for c in cards])
    lines = [t.LIST_LINE.format(n=i, title=c.title) for i, c in enumerate(cards, 1)]
    return Text(_numbered(t.CARDS_HEAD.format(topic=topic), lines, t.CARDS_FOOT))


def pick_card(ctx: Context) -> Reply | None:
    """A number from a topic's cards or from the choices of a question opens that card; the list stays."""
    n = _number(ctx)
    if n is None:
        return _leave(ctx)
    in_topic = ctx.dialog.state == CARDS
    if in_topic and n == 0:
        return show_topics(ctx)
    ids = list(ctx.dialog.data.get("ids") or [])
    if not 1 <= n <= len(ids):
        return Text((t.BAD_NUMBER_CARDS if in_topic else t.BAD_NUMBER).format(n=len(ids)))
    card = knowledge.library().get(ids[n - 1])
    if card is None:
        ctx.dialog.clear()
        return Text(t.EXPIRED)
    return Text(card_text(card, t.MORE_FROM_LIST))


def looks_like_question(text: str) -> bool:
    """Asking something (吗, 怎么, 是不是, ？ ...) or long enough to be a question: worth the topic menu and a
    place in the unmatched list. Chatter such as "啦啦啦随便说说" is left to the help text."""
    size = len(normalise(text))
    return size >= MIN_QUESTION or (size >= 2 and any(word in text for word in _ASKING))


def answer_question(ctx: Context) -> Reply | None:
    """Free text (or voice recognition text) to the best card, a numbered choice, or the topic menu.

    Runs after every dialog state and keyword, so it never takes a quiz answer or a tip step. A short,
    unrelated message is not ours (the help text answers it); an unanswered question is counted, without
    who asked, so staff can add the card residents need.
    """
    text = ctx.msg.text
    found = match(text, knowledge.library().index)
    if found.kind == "card" and found.card is not None:
        return Text(card_text(found.card, t.MORE))
    if found.kind == "choices":
        ctx.dialog.clear()
        ctx.dialog.enter(CHOICES, ids=[c.id for c in found.choices])
        lines = [t.LIST_LINE.format(n=i, title=c.title) for i, c in enumerate(found.choices, 1)]
        return Text(_numbered(t.CHOICES_HEAD, lines, t.CHOICES_FOOT))
    if not looks_like_question(text):
        return None
    knowledge.record_unmatched(text, ctx.now)
    return _topic_menu(ctx, t.NOT_FOUND_HEAD, t.NOT_FOUND_FOOT)


def register(router: Router) -> None:
    router.keyword(*MENU_WORDS)(show_topics)
    router.click(KEY_KNOWLEDGE)(show_topics)
    router.state(TOPICS)(pick_topic)
    router.state(CARDS, CHOICES)(pick_card)
    router.matcher(answer_question)
