/* The other pages: home, rules, registration, my scores, leaderboard, tip form, tip status. */
"use strict";
(function () {
  var FF = window.FF, h = FF.h;

  function field(id, label, input, hint) {
    return h("div", { class: "field" }, h("label", { for: id, text: label }), input, hint ? h("span", { class: "hint", id: id + "-hint", text: hint }) : null);
  }

  function all(promises) { return Promise.all(promises); }

  // Home --------------------------------------------------------------------------------------------
  FF.route(/^\/$/, function () {
    all([FF.api("GET", "/campaign"), FF.api("GET", "/me")]).then(function (r) {
      var c = r[0], me = r[1];
      if (!c.ok) return FF.show([h("h1", { text: "防范非法集资知识答题" }), h("p", { class: "lead", text: c.data.message })]);
      var registered = me.ok && me.data.registered;
      FF.show([
        h("h1", { text: c.data.name }),
        h("p", { class: "lead", text: "活动时间：" + c.data.window_text }),
        registered
          ? h("p", { class: "card", text: "您好，" + me.data.name + "（" + me.data.team.name + "战队）。每天都可以来答一次题。" })
          : h("p", { class: "card", text: "第一次参加请先报名：填写姓名，选择所在地区，就能开始答题。" }),
        h("div", { class: "actions" },
          registered ? h("a", { class: "button", href: "#/quiz", text: "开始今天的答题" }) : h("a", { class: "button", href: "#/register", text: "报名参加" }),
          h("a", { class: "button secondary", href: "#/rules", text: "活动规则" })),
        registered ? h("p", {}, h("a", { href: "#/register", text: "修改我的报名信息" })) : null,
      ]);
    });
  });

  // Rules -------------------------------------------------------------------------------------------
  FF.route(/^\/rules$/, function () {
    FF.api("GET", "/campaign").then(function (res) {
      if (!res.ok) return FF.fail(res);
      var r = res.data.rules;
      var mix = h("ul", {}, r.mix.map(function (m) { return h("li", { text: m.type_label + "题 " + m.count + " 道，每道 " + m.points + " 分" }); }));
      FF.show([
        h("h1", { text: "活动规则" }),
        h("ol", { class: "steps" },
          h("li", { text: "活动时间：" + res.data.window_text + "。" }),
          h("li", { text: "进入活动页面后，填写姓名并选择所在地区，即可开始答题。" }),
          h("li", { text: "每天一份试卷，共 " + r.questions_per_paper + " 道题，满分 " + r.total_points + " 分：" }, mix),
          r.time_limit_seconds ? h("li", { text: "每份试卷限时 " + Math.round(r.time_limit_seconds / 60) + " 分钟。" }) : null,
          h("li", { text: r.multiple_rule === "all_or_nothing" ? "多选题全部选对才得分。" : "多选题少选按规则得部分分，错选不得分。" }),
          h("li", { text: "每天只计第一份试卷的成绩；同分时用时少的排前面。" }),
          h("li", { text: "按所在地区组成战队，每天公布前十名战队。" })),
        h("div", { class: "actions" }, h("a", { class: "button", href: "#/quiz", text: "开始答题" })),
      ]);
    });
  });

  // Registration ------------------------------------------------------------------------------------
  FF.route(/^\/register$/, function () {
    all([FF.api("GET", "/privacy"), FF.api("GET", "/teams"), FF.api("GET", "/me")]).then(function (r) {
      if (!r[1].ok) return FF.fail(r[1]);
      var me = r[2].ok ? r[2].data : {};
      var teams = r[1].data.teams;
      var name = h("input", { type: "text", id: "name", name: "name", autocomplete: "name", required: true, maxlength: "40", value: me.name || "" });
      var phone = h("input", { type: "tel", id: "phone", name: "phone", inputmode: "numeric", maxlength: "20", "aria-describedby": "phone-hint" });
      var unit = h("input", { type: "text", id: "work_unit", name: "work_unit", maxlength: "60", value: me.work_unit || "" });
      var search = h("input", { type: "search", id: "region-search", "aria-controls": "region-list", "aria-describedby": "region-search-hint" });
      var list = h("div", { class: "regions", id: "region-list", role: "radiogroup", "aria-labelledby": "region-legend" });
      var current = me.team ? me.team.code : "";
      teams.forEach(function (t) {
        var id = "region-" + t.code;
        var words = [t.name, t.code].concat(t.aliases || []).join(" ");
        list.appendChild(h("label", { class: "choice", for: id, "data-words": words },
          h("input", { type: "radio", name: "region", id: id, value: t.code, checked: t.code === current, disabled: me.region_locked && t.code !== current }),
          h("span", { text: t.name })));
      });
      search.addEventListener("input", function () {
        var q = search.value.trim();
        var rows = list.querySelectorAll("label");
        for (var i = 0; i < rows.length; i++) rows[i].hidden = q !== "" && rows[i].getAttribute("data-words").indexOf(q) < 0;
      });
      var consent = h("input", { type: "checkbox", id: "consent", name: "consent", checked: !!me.consent_version });
      var save = h("button", { type: "submit", id: "register-submit", text: me.registered ? "保存修改" : "报名并开始答题" });
      var form = h("form", { novalidate: true },
        field("name", "姓名（必填）", name),
        h("fieldset", {},
          h("legend", { id: "region-legend", text: "所在地区（必填）" }),
          field("region-search", "搜索地区", search, "输入地区名称，比如“北京”，下面的列表会自动筛选。"),
          list,
          me.region_locked ? h("p", { class: "hint", text: "已经交过试卷，所在地区不能再修改。" }) : null),
        field("phone", "手机号（选填）", phone, me.phone_masked ? "已保存：" + me.phone_masked + "。不修改请留空。" : "方便获奖后联系您。"),
        field("work_unit", "工作单位（选填）", unit),
        h("h2", { text: r[0].data.title || "个人信息说明" }),
        h("p", { class: "privacy", id: "privacy", text: r[0].data.text }),
        h("div", { class: "field" }, h("label", { class: "choice", for: "consent" }, consent, h("span", { text: "我已阅读并同意上面的个人信息说明" }))),
        h("div", { class: "actions" }, save));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var region = form.querySelector("input[name=region]:checked");
        if (!name.value.trim()) { FF.say("请填写姓名。"); return name.focus(); }
        if (!region) { FF.say("请选择所在地区。"); return search.focus(); }
        if (!consent.checked) { FF.say("请先阅读个人信息说明，并勾选“我同意”。"); return consent.focus(); }
        var body = { name: name.value.trim(), region: region.value, work_unit: unit.value.trim() || null };
        if (phone.value.trim()) body.phone = phone.value.trim();
        if (!me.registered) body.consent = true;
        else if (me.region_locked) delete body.region;
        save.disabled = true;
        // A correction changes only what is sent (PATCH): a phone left empty stays as it was.
        FF.api(me.registered ? "PATCH" : "POST", me.registered ? "/me" : "/register", body).then(function (res) {
          save.disabled = false;
          if (!res.ok) return FF.fail(res);
          FF.go("#/quiz");
          FF.say("报名成功！", true);
        });
      });
      FF.show([h("h1", { text: me.registered ? "我的报名信息" : "报名参加答题" }), form]);
    });
  });

  // My scores ---------------------------------------------------------------------------------------
  var TODAY = { none: "还没有答题", open: "答了一半，还没交卷", expired: "超过时间，没有交卷", submitted: "已完成" };
  FF.route(/^\/results$/, function () {
    FF.api("GET", "/me/results").then(function (res) {
      if (res.status === 403) return FF.go("#/register", true);
      if (!res.ok) return FF.show([h("h1", { text: "我的成绩" }), h("p", { text: res.data.message })]);
      var d = res.data;
      var rows = d.papers.map(function (p) {
        var link = p.status === "submitted" ? h("a", { href: "#/paper/" + p.id, text: "查看解析" }) : h("span", { text: "未交卷" });
        return h("tr", {}, h("td", { text: p.day }), h("td", { text: p.score === null ? "—" : p.score + "/" + p.max_score }), h("td", {}, link));
      });
      FF.show([
        h("h1", { text: "我的成绩" }),
        h("div", { class: "card" },
          h("p", { class: "label", text: "累计得分" }), h("p", { class: "big", id: "cumulative", text: d.cumulative_score + " 分" }),
          h("p", { text: d.name + "　" + d.team.name + "战队　已参加 " + d.days_played + " 天" }),
          h("p", { text: "今天：" + TODAY[d.today.status] + (d.today.score !== null ? "，得分 " + d.today.score : "") })),
        d.today.status === "none" || d.today.status === "open" ? h("div", { class: "actions" }, h("a", { class: "button", href: "#/quiz", text: "去答题" })) : null,
        h("h2", { text: "答题记录" }),
        rows.length ? h("div", { class: "table-wrap" }, h("table", {},
          h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "日期" }), h("th", { scope: "col", text: "得分" }), h("th", { scope: "col", text: "解析" }))),
          h("tbody", {}, rows))) : h("p", { text: "还没有答题记录。" }),
      ]);
    });
  });

  // Leaderboard -------------------------------------------------------------------------------------
  function teamTable(rows, caption, mine) {
    return h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "cap", text: caption }),
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "名次" }), h("th", { scope: "col", text: "战队" }), h("th", { scope: "col", text: "得分" }))),
      h("tbody", {}, rows.map(function (t) {
        var isMine = mine && t.code === mine;
        return h("tr", { class: isMine ? "mine" : null }, h("td", { text: "第" + t.rank + "名" }),
          h("td", { text: t.name + (isMine ? "（我的战队）" : "") }), h("td", { text: String(t.score === null ? 0 : t.score) }));
      }))));
  }
  FF.route(/^\/board$/, function () {
    all([FF.api("GET", "/leaderboard/published"), FF.api("GET", "/leaderboard/teams"), FF.api("GET", "/leaderboard/me")]).then(function (r) {
      if (!r[1].ok) return FF.fail(r[1]);
      var mine = r[2].ok ? r[2].data : null;
      var pubs = r[0].ok ? r[0].data.publications : [];
      var daily = pubs.filter(function (p) { return p.kind === "daily"; })[0];
      var total = pubs.filter(function (p) { return p.kind === "cumulative"; })[0];
      var code = mine ? mine.team.code : null;
      FF.show([
        h("h1", { text: "排行榜" }),
        mine ? h("div", { class: "card", id: "my-rank" },
          h("p", { text: mine.me ? "我的排名：第 " + mine.me.rank + " 名（共 " + mine.me.total + " 人），累计 " + mine.me.points + " 分" : "我的排名：交卷后就有排名了" }),
          h("p", { text: "我的战队：" + mine.team.name + "，第 " + mine.team.rank + " 名（共 " + mine.teams_total + " 个战队）" }))
          : h("p", { class: "card" }, "报名答题后可以看到自己的排名。", h("a", { href: "#/register", text: "去报名" })),
        h("h2", { text: "每日公布：前十名战队" }),
        daily ? teamTable(daily.rows.slice(0, 10), daily.day + " 当日前十名", code) : h("p", { text: "每天上午公布前一天的前十名，敬请关注。" }),
        total ? teamTable(total.rows.slice(0, 10), "截至 " + total.day + " 累计前十名", code) : null,
        h("h2", { text: "实时战队排名" }),
        h("p", { class: "hint", text: "计分方法：" + r[1].data.formula_text }),
        teamTable(r[1].data.teams, "全部战队（实时）", code),
      ]);
    });
  });
})();
