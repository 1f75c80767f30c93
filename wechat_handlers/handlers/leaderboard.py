"""排行榜 in chat: the latest published Top-10, my team's live position and my own rank."""

from __future__ import annotations

from app import clock
from app.services import campaigns, leaderboards, publications, registration
from config.menu import KEY_LEADERBOARD
from wechat_handlers.replies import Reply, Text
from wechat_handlers.router import Context, Router


def _score(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def show_leaderboard(ctx: Context) -> Reply:
    campaign = campaigns.current_campaign(ctx.now, attach=False)  # read-only: its id and settings
    if campaign is None:
        return Text("目前没有进行中的答题活动。")
    enrollment = registration.enrollment_of(ctx.msg.openid, campaign)
    board, rank = (
        leaderboards.my_standing(campaign, enrollment.participant_id) if enrollment else (None, None)
    )  # the live board and my rank in one Redis round trip
    lines = []
    pub = publications.latest(campaign, "cumulative")
    if pub is not None:
        lines.append(
            f"【战队排行榜 · 前10名】\n截至{clock.fmt_local(pub.as_of, '%m月%d日%H:%M').replace('00:00', '24:00')}"
            f"，{clock.fmt_local(pub.published_at, '%m月%d日%H:%M')}公布"
        )
        rows = pub.rows
    else:
        lines.append("【战队实时排名 · 前10名】（每天10点公布前一天成绩）")
        board = board if board is not None else leaderboards.team_board(campaign)
        rows = [r.as_dict() for r in board[:10]]
    lines += [f"{r['rank']}. {r['name']}  {_score(r['score'])}分（{r['participants']}人）" for r in rows]
    if not rows:
        lines.append("还没有人交卷，快来当第一名！")
    if enrollment is not None and board is not None:
        mine = next((r for r in board if r.team_id == enrollment.team_id), None)
        if mine is not None:
            lines.append(f"\n您的战队：{mine.name}，实时第{mine.rank}名（共{len(board)}队）")
        if rank is not None:
            lines.append(f"您的个人排名：第{rank.rank}名（共{rank.total}人），累计{rank.points}分")
        else:
            lines.append("您今天还没交卷，回复“答题”参加。")
    else:
        lines.append("\n回复“答题”报名参加，为您的地区战队加油！")
    return Text("\n".join(lines))


def register(router: Router) -> None:
    router.keyword("排行榜", "排行", "排名", "榜单", "战队排名", "查排名")(show_leaderboard)
    router.click(KEY_LEADERBOARD)(show_leaderboard)
