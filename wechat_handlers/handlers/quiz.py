"""The daily quiz in chat: one question at a time, feedback after each, the score after the last."""

from __future__ import annotations

from app import clock
from app.models.campaign import Campaign
from app.models.paper import PaperItem
from app.models.participant import Enrollment
from app.services import answer_pace, campaigns, daily_tips, paper_answers, paper_issue, papers, registration
from app.services.answer_pace import check_answer_pace
from config.menu import KEY_MY_SCORE, KEY_START_QUIZ
from quiz_bank.answers import InvalidAnswer
from quiz_bank.composer import displayed_options, to_displayed
from quiz_bank.schema import Question, QuestionType
from wechat_handlers import copy_knowledge
from wechat_handlers import copy_quiz as t
from wechat_handlers.handlers import registration as reg_dialog
from wechat_handlers.replies import Reply, Text
from wechat_handlers.router import Context, Router

START_WORDS = ("答题", "开始答题", "我要答题", "答题挑战", "知识答题", "继续答题", "参加答题")


def render_question(item: PaperItem, total: int) -> str:
    q = papers.question_for(item)
    qtype = QuestionType(item.qtype)
    lines = [
        t.QUESTION_HEAD.format(n=item.position, total=total, label=qtype.label, points=item.points),
        q.stem,
    ]
    if q.is_choice:
        lines += [f"{letter}. {text}" for letter, text in displayed_options(q, item.option_order)]
    hint = {QuestionType.SINGLE: t.HINT_SINGLE, QuestionType.MULTIPLE: t.HINT_MULTIPLE}.get(
        qtype, t.HINT_JUDGE
    )
    return "\n".join([*lines, hint])


def begin_paper(ctx: Context, enrollment: Enrollment, campaign: Campaign, prefix: str = "") -> Reply:
    paper = paper_issue.todays_paper(enrollment, campaign, ctx.now)
    item = papers.next_item(paper)
    if item is None:
        return finish(ctx, paper.id, campaign, prefix)
    resumed = item.position > 1 and not prefix
    ctx.dialog.enter("quiz:answer", paper_id=paper.id, items=paper_answers.snapshot(paper))
    return Text((t.RESUME if resumed else prefix) + render_question(item, len(paper.items)))


def start_quiz(ctx: Context) -> Reply:
    campaign = campaigns.require_open(ctx.now)
    enrollment = registration.enrollment_of(ctx.msg.openid, campaign)
    if enrollment is None:
        return reg_dialog.start(ctx)
    return begin_paper(ctx, enrollment, campaign)


def feedback_text(q: Question, item: PaperItem | paper_answers.ItemSnapshot, correct: bool) -> str:
    if correct:
        text = t.RIGHT.format(points=item.points)
    else:
        shown = to_displayed(q, item.option_order, item.answer_key) if q.is_choice else item.answer_key
        text = t.WRONG.format(answer=shown)
    return text + "\n" + t.EXPLAIN.format(explanation=q.explanation, source=q.source_label)


def pace(ctx: Context) -> None:
    """The per-resident answer limit: from the counter read with the dialog when there is one (counted with
    the reply), else counted here."""
    counter = answer_pace.user_counter(ctx.msg.openid)
    if counter.name in ctx.peeked:
        ctx.count = counter  # this attempt is counted either way, like check_answer_pace
        answer_pace.check_counted(int(ctx.peeked[counter.name] or 0), ctx.config)
    else:
        check_answer_pace(ctx.store, ctx.msg.openid, None, ctx.config)


def receive_answer(ctx: Context) -> Reply | None:
    """One answer. The usual way reads the paper's items from the dialog and writes one conditional UPDATE;
    anything unusual (no snapshot, the UPDATE refused) goes the full way, which reloads the paper."""
    if ctx.msg.msg_type not in ("text", "voice") or ctx.is_command():
        return None  # menu clicks and commands go to their handlers; the question waits
    raw = ctx.dialog.data.get("items")
    items = paper_answers.items_of(raw)
    item = next((i for i in items if not i.answered), None) if items else None
    if item is None:
        return answer_in_full(ctx)
    campaign = campaigns.require_open(ctx.now, attach=False)  # read-only here: its rules
    pace(ctx)
    try:
        graded = paper_answers.grade(item, ctx.msg.text, campaigns.rules_of(campaign).multiple_rule)
    except InvalidAnswer as exc:
        return Text(t.INVALID.format(hint=exc.hint))
    paper_id = int(ctx.dialog.data["paper_id"])
    if not paper_answers.record(paper_id, item.position, graded, ctx.now):
        return answer_in_full(ctx, paced=True)
    ctx.dialog.update(items=paper_answers.mark_answered(raw, item.position))
    feedback = feedback_text(graded.question, item, graded.correct)
    following = next((i for i in items if not i.answered and i.position != item.position), None)
    if following is None:
        ctx.dialog.clear()
        return finish(ctx, paper_id, campaigns.require_open(ctx.now), feedback + "\n\n")
    return Text(feedback + "\n\n" + render_question(following, len(items)))  # type: ignore[arg-type]


def answer_in_full(ctx: Context, paced: bool = False) -> Reply | None:
    participant = registration.get_participant(ctx.msg.openid)
    if participant is None:
        ctx.dialog.clear()
        return None
    paper = papers.get_paper(int(ctx.dialog.data["paper_id"]), participant)
    campaign = campaigns.require_open(ctx.now)
    rules = campaigns.rules_of(campaign)
    item = papers.next_item(paper)
    if item is None or paper.status != "open":
        ctx.dialog.clear()
        return finish(ctx, paper.id, campaign)
    if not paced:
        pace(ctx)
    try:
        result = papers.answer(paper, item.position, ctx.msg.text, ctx.now, rules.multiple_rule)
    except InvalidAnswer as exc:
        return Text(t.INVALID.format(hint=exc.hint))
    feedback = feedback_text(result.question, item, result.correct)
    following = papers.next_item(paper)
    if following is None:
        ctx.dialog.clear()
        return finish(ctx, paper.id, campaign, feedback + "\n\n")
    ctx.dialog.update(items=paper_answers.snapshot(paper))
    return Text(feedback + "\n\n" + render_question(following, len(paper.items)))


def finish(ctx: Context, paper_id: int, campaign: Campaign, prefix: str = "") -> Reply:
    paper, participant = paper_answers.paper_of(ctx.msg.openid, paper_id)
    rules = campaigns.rules_of(campaign)
    paper = papers.submit(paper, ctx.now, rules.min_seconds_per_paper)
    total = papers.cumulative_score(participant, campaign)
    text = prefix + t.FINISHED.format(
        score=paper.score, max=paper.max_score, used=t.duration_text(paper.time_used_ms or 0), total=total
    )
    tip = daily_tips.next_daily_tip(ctx.msg.openid, ctx.now, participant)
    if tip:
        text += copy_knowledge.DAILY_TIP.format(tip=tip)
    return Text(text)


def my_score(ctx: Context) -> Reply:
    campaign = campaigns.current_campaign(ctx.now)
    participant = registration.get_participant(ctx.msg.openid)
    enrollment = registration.get_enrollment(participant, campaign) if participant and campaign else None
    if enrollment is None:
        return Text(t.NOT_REGISTERED)
    history = papers.history(participant, campaign)
    days = len({p.day for p in history if p.status == "submitted"})
    today = [p for p in history if p.day == clock.campaign_day(ctx.now)]
    if any(p.status == "submitted" for p in today):
        done = [p for p in today if p.status == "submitted"]
        ranked = next((p for p in done if p.counted), done[0])  # the first paper of the day counts
        today_text = t.TODAY_DONE.format(score=ranked.score)
    else:
        today_text = t.TODAY_OPEN if today else t.TODAY_NONE
    return Text(
        t.MY_SCORE.format(
            name=participant.name,
            team=enrollment.team.name,
            total=papers.cumulative_score(participant, campaign),
            days=days,
            today=today_text,
        )
    )


def register(router: Router) -> None:
    router.keyword(*START_WORDS)(start_quiz)
    router.click(KEY_START_QUIZ)(start_quiz)
    router.state("quiz:answer")(receive_answer)
    router.keyword("我的成绩", "成绩", "我的分数", "得分", "查成绩")(my_score)
    router.click(KEY_MY_SCORE)(my_score)
    reg_dialog.register(router)
