"""The guided tip dialog (举报): category, target, story, place, photos, identity, summary, receipt.

The draft lives in the dialog state (so it expires with DIALOG_TTL when abandoned; "取消" discards it);
the name and phone in it are encrypted like the stored identity.
Photos are kept as WeChat media ids; after confirmation the media job downloads them.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from app import personal_data
from app.errors import DomainError
from app.models.tip import CATEGORY_LABELS
from app.services import evidence, privacy, tips
from config.menu import KEY_REPORT_TIP
from wechat_handlers import copy_tips as t
from wechat_handlers.replies import Reply, Text
from wechat_handlers.router import Context, Router

CATEGORY, TARGET, STORY, PLACE = "tip:category", "tip:target", "tip:story", "tip:place"
PHOTOS, IDENTITY, NAME, PHONE, CONFIRM = "tip:photos", "tip:identity", "tip:name", "tip:phone", "tip:confirm"

START_WORDS = ("举报", "我要举报", "举报线索", "提供线索", "线索举报")
DONE_WORDS = {"好了", "好", "好的", "完成", "完了", "说完了", "发完了", "没有了", "下一步", "ok"}
SKIP_WORDS = {"跳过", "没有", "无", "不知道", "不清楚"}
CONFIRM_WORDS = {"确认", "确认提交", "提交", "确定", "是"}
REDO_WORDS = {"重填", "重新填写", "重来"}
ANONYMOUS_WORDS = {"1", "匿名", "匿名举报"}
REAL_NAME_WORDS = {"2", "实名", "实名举报"}
CATEGORY_WORDS = {
    "1": "company",
    "公司": "company",
    "机构": "company",
    "2": "platform",
    "网站": "platform",
    "平台": "platform",
    "3": "app",
    "app": "app",
    "4": "person",
    "个人": "person",
    "5": "other",
    "其他": "other",
}
# Answers of our own steps are never handed to another feature's keyword (e.g. a "1" for a menu).
OWN_WORDS = (
    DONE_WORDS
    | SKIP_WORDS
    | CONFIRM_WORDS
    | REDO_WORDS
    | ANONYMOUS_WORDS
    | REAL_NAME_WORDS
    | set(CATEGORY_WORDS)
)
SUMMARY_STORY, SUMMARY_TARGET, SUMMARY_PLACE = 120, 80, 60


def _draft(ctx: Context) -> dict[str, Any]:
    return ctx.dialog.data.setdefault("tip", {"story": [], "photos": []})


def _save(ctx: Context, draft: dict[str, Any], state: str | None = None) -> None:
    if state:
        ctx.dialog.enter(state, tip=draft)
    else:
        ctx.dialog.update(tip=draft)


def _raw(ctx: Context) -> str:
    """What the resident wrote, as written (ctx.text is normalised for matching commands)."""
    return ctx.msg.text.strip()


def start_tip(ctx: Context) -> Reply:
    tips.check_daily_room(ctx.store, openid=ctx.msg.openid, ip=None, config=ctx.config, now=ctx.now)
    ctx.dialog.clear()
    ctx.dialog.enter(CATEGORY, tip={"story": [], "photos": [], "key": secrets.token_hex(16)})
    return Text(t.INTRO + "\n\n" + t.ASK_CATEGORY)


# Steps -------------------------------------------------------------------------------------------
def receive_category(ctx: Context) -> Reply:
    category = CATEGORY_WORDS.get(ctx.text)
    if category is None:
        return Text(t.ASK_CATEGORY_AGAIN + "\n" + t.ASK_CATEGORY)
    draft = _draft(ctx)
    draft["category"] = category
    _save(ctx, draft, TARGET)
    return Text(t.ASK_TARGET)


def receive_target(ctx: Context) -> Reply:
    draft = _draft(ctx)
    draft["target"] = tips.clean_target(_raw(ctx))
    _save(ctx, draft, STORY)
    return Text(t.ASK_STORY)


def receive_story(ctx: Context) -> Reply:
    draft = _draft(ctx)
    if ctx.text in DONE_WORDS:
        if not draft["story"]:
            return Text(tips.NEED_STORY + "\n" + t.ASK_STORY)
        _save(ctx, draft, PLACE)
        return Text(t.ASK_PLACE)
    tips.clean_story("\n".join([*draft["story"], _raw(ctx)]))  # the whole story stays within its limit
    draft["story"].append(_raw(ctx))
    _save(ctx, draft)
    return Text(t.STORY_SAVED.format(count=len(draft["story"])))


def receive_place(ctx: Context) -> Reply:
    draft = _draft(ctx)
    if ctx.msg.msg_type == "location":
        draft["lat"], draft["lng"] = ctx.msg.latitude, ctx.msg.longitude
        draft["place"] = tips.clean_place(ctx.msg.label) or f"{ctx.msg.latitude},{ctx.msg.longitude}"
    elif ctx.text not in SKIP_WORDS:
        draft["place"] = tips.clean_place(_raw(ctx))
    _save(ctx, draft, PHOTOS)
    return Text(t.ASK_PHOTOS)


def receive_photos_done(ctx: Context) -> Reply:
    if ctx.text in DONE_WORDS or ctx.text in SKIP_WORDS:
        _save(ctx, _draft(ctx), IDENTITY)
        return Text(t.ASK_IDENTITY)
    return Text(t.ASK_PHOTOS)


def receive_identity(ctx: Context) -> Reply:
    draft = _draft(ctx)
    if ctx.text in ANONYMOUS_WORDS:
        draft["anonymous"] = True
        _save(ctx, draft, CONFIRM)
        return Text(summary(draft))
    if ctx.text in REAL_NAME_WORDS:  # the tipster notice first; sending a name is the consent it asks for
        draft["anonymous"] = False
        _save(ctx, draft, NAME)
        return Text(privacy.notice("tips", ctx.config).text + "\n" + t.CONSENT_BY_NAME + "\n" + t.ASK_NAME)
    return Text(t.ASK_IDENTITY_AGAIN)


def receive_name(ctx: Context) -> Reply:
    draft = _draft(ctx)
    if ctx.text in ANONYMOUS_WORDS:  # changed their mind after reading the notice
        draft.update(anonymous=True, name=None, phone=None, consent=None)
        _save(ctx, draft, CONFIRM)
        return Text(summary(draft))
    draft["consent"] = privacy.TIPS_VERSION
    draft["name"] = personal_data.encrypt(tips.clean_name(_raw(ctx)))  # no plain identity in the store
    _save(ctx, draft, PHONE)
    return Text(t.ASK_PHONE)


def receive_phone(ctx: Context) -> Reply:
    draft = _draft(ctx)
    draft["phone"] = personal_data.encrypt(tips.clean_phone(_raw(ctx)))
    _save(ctx, draft, CONFIRM)
    return Text(summary(draft))


def receive_confirmation(ctx: Context) -> Reply:
    if ctx.text in REDO_WORDS:
        return start_tip(ctx)
    if ctx.text not in CONFIRM_WORDS:
        return Text(t.CONFIRM_AGAIN)
    d = _draft(ctx)
    draft = tips.TipDraft(
        category=d.get("category", ""),
        target=d.get("target", ""),
        story="\n".join(d.get("story", [])),
        place=d.get("place"),
        latitude=d.get("lat"),
        longitude=d.get("lng"),
        anonymous=bool(d.get("anonymous", True)),
        name=personal_data.decrypt(d.get("name")),
        phone=personal_data.decrypt(d.get("phone")),
        media_ids=tuple(d.get("photos", [])),
        draft_key=d.get("key"),
        consent_version=d.get("consent"),
    )
    tip = tips.submit_tip(
        draft,
        channel="wechat",
        openid=ctx.msg.openid,
        ip=None,
        store=ctx.store,
        config=ctx.config,
        now=ctx.now,
    )
    ctx.dialog.clear()
    return Text(t.RECEIPT.format(receipt=tip.receipt))


def summary(draft: dict[str, Any]) -> str:
    def cut(text: str, size: int) -> str:
        return text if len(text) <= size else text[:size] + "……"

    photos = len(draft.get("photos", []))
    who = t.ANONYMOUS
    if not draft.get("anonymous", True):
        who = t.REAL_NAME.format(
            name=personal_data.decrypt(draft.get("name")) or "",
            phone=personal_data.mask_phone(personal_data.decrypt(draft.get("phone"))),
        )
    return t.SUMMARY.format(
        category=CATEGORY_LABELS.get(draft.get("category", ""), ""),
        target=cut(draft.get("target", ""), SUMMARY_TARGET),
        story=cut("\n".join(draft.get("story", [])), SUMMARY_STORY),
        place=cut(draft.get("place") or t.NO_PLACE, SUMMARY_PLACE),
        photos=t.PHOTOS.format(count=photos) if photos else t.NO_PHOTOS,
        who=who,
    )


PROMPTS = {
    CATEGORY: t.ASK_CATEGORY,
    TARGET: t.ASK_TARGET,
    STORY: t.ASK_STORY,
    PLACE: t.ASK_PLACE,
    PHOTOS: t.ASK_PHOTOS,
    IDENTITY: t.ASK_IDENTITY,
    NAME: t.ASK_NAME,
    PHONE: t.ASK_PHONE,
    CONFIRM: t.CONFIRM_AGAIN,
}
STEPS: dict[str, Callable[[Context], Reply]] = {
    CATEGORY: receive_category,
    TARGET: receive_target,
    STORY: receive_story,
    PLACE: receive_place,
    PHOTOS: receive_photos_done,
    IDENTITY: receive_identity,
    NAME: receive_name,
    PHONE: receive_phone,
    CONFIRM: receive_confirmation,
}


def receive_photo(ctx: Context) -> Reply:
    """A photo is welcome at any step (people send them when they think of it)."""
    state = ctx.dialog.state or PHOTOS
    draft = _draft(ctx)
    if len(draft["photos"]) >= evidence.MAX_FILES:
        return Text(t.PHOTOS_FULL)
    if ctx.msg.media_id and ctx.msg.media_id not in draft["photos"]:
        draft["photos"].append(ctx.msg.media_id)
        _save(ctx, draft)
    count = len(draft["photos"])
    if state == PHOTOS:
        return Text(t.PHOTO_SAVED.format(count=count))
    return Text(t.PHOTO_SAVED_LATER.format(count=count) + "\n" + PROMPTS[state])


def _other_feature_keyword(ctx: Context) -> bool:
    """An exact keyword of another feature (帮助, 答题, 举报 ...) leaves the step to its handler."""
    router = getattr(ctx, "router", None)
    return router is not None and ctx.text in router.keywords and ctx.text not in OWN_WORDS


def tip_step(ctx: Context) -> Reply | None:
    """The active tip step: photos at any step, a location at the place step, text everywhere else."""
    state = ctx.dialog.state or ""
    kind = ctx.msg.msg_type
    if kind == "event" or state not in STEPS:
        return None
    if kind in ("text", "voice") and _other_feature_keyword(ctx):
        return None
    if kind == "image":
        return receive_photo(ctx)
    if kind not in ("text", "voice") and not (kind == "location" and state == PLACE):
        return Text(t.MEDIA_NOT_HERE + "\n" + PROMPTS[state])
    if kind in ("text", "voice") and not ctx.text:
        return Text(t.TEXT_PLEASE + "\n" + PROMPTS[state])
    if state == CONFIRM:
        return receive_confirmation(ctx)  # a refusal here rolls back in the router
    try:
        return STEPS[state](ctx)
    except DomainError as exc:  # a rule said no to this answer: say why and ask the same question again
        return Text(exc.message + "\n" + PROMPTS[state])


def register(router: Router) -> None:
    router.keyword(*START_WORDS)(start_tip)
    router.click(KEY_REPORT_TIP)(start_tip)
    router.state(*STEPS)(tip_step)
