"""Welcome, help, rules, cancel and the defaults for unknown input."""

from __future__ import annotations

from wechat_handlers import copy
from wechat_handlers.replies import Reply, Silent, Text
from wechat_handlers.router import Context, Router


def welcome(ctx: Context) -> Reply:
    return Text(copy.WELCOME)


def unsubscribed(ctx: Context) -> Reply:
    ctx.dialog.clear()
    return Silent()


def scanned(ctx: Context) -> Reply:
    return Text(copy.WELCOME_BACK)


def show_help(ctx: Context) -> Reply:
    return Text(copy.HELP)


def show_rules(ctx: Context) -> Reply:
    """The current campaign's rules, from its settings (the default text when there is no campaign)."""
    from app.services import campaigns
    from wechat_handlers.copy_quiz import rules_text

    campaign = campaigns.current_campaign(ctx.now, attach=False)  # read-only: its columns
    if campaign is None:
        return Text(copy.RULES_DEFAULT)
    st = campaign.settings
    return Text(
        rules_text(
            campaign.name,
            campaigns.window_text(campaign),
            st["mix"],
            st.get("multiple_rule", "all_or_nothing"),
            int(st.get("attempts_per_day", 1)),
            st.get("publish_time", "10:00"),
            (st.get("team_formula") or {}).get("kind", "total"),
            st.get("time_limit_seconds"),
        )
    )


def cancel(ctx: Context) -> Reply:
    had_dialog = ctx.dialog.state is not None
    ctx.dialog.clear()
    return Text(copy.CANCELLED if had_dialog else copy.NOTHING_TO_CANCEL)


def media_without_dialog(ctx: Context) -> Reply:
    return Text(copy.NOT_SUPPORTED_MEDIA)


def location_without_dialog(ctx: Context) -> Reply:
    return Text(copy.LOCATION_RECEIVED)


def other_event(ctx: Context) -> Reply:
    return Silent()


def register(router: Router) -> None:
    router.event("subscribe", "subscribe_scan")(welcome)
    router.event("unsubscribe")(unsubscribed)
    router.event("scan")(scanned)
    router.event("click", "view", "location", "templatesendjobfinish", "view_miniprogram")(other_event)
    router.fallback("取消", "退出", "不玩了", "结束", "cancel", "q")(cancel)
    router.keyword("帮助", "help", "菜单", "?", "？", "怎么玩", "功能")(show_help)
    router.keyword("规则", "活动规则", "答题规则", "比赛规则")(show_rules)
    router.type("image", "video", "shortvideo", "file")(media_without_dialog)
    router.type("location")(location_without_dialog)
    router.set_default(show_help)
