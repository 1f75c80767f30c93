/* 我的信息: what is stored about me (GET /me/data), and erasing it (DELETE /me/data) after a second tap. */
"use strict";
(function () {
  var FF = window.FF, h = FF.h;

  function row(label, value) {
    return h("div", { class: "field" }, h("span", { class: "label", text: label }), h("span", { text: value || "未填写" }));
  }

  FF.route(/^\/me-data$/, function () {
    FF.api("GET", "/me/data").then(function (res) {
      if (!res.ok) return FF.show([h("h1", { text: "我的信息" }), h("p", { text: res.data.message || "暂时查不到，请稍后再试。" })]);
      var d = res.data;
      var ask = h("button", { type: "button", class: "secondary", id: "erase", text: "删除我的信息" });
      var confirm = h("div", { id: "erase-confirm", class: "card", hidden: true },
        h("p", { class: "lead", text: "确定要删除吗？删除后姓名、手机号和工作单位都会清除，不能恢复；成绩只以匿名方式保留在排行榜和战队总分中。" }));
      var yes = h("button", { type: "button", id: "erase-yes", text: "确认删除" });
      var no = h("button", { type: "button", class: "secondary", id: "erase-no", text: "不删除" });
      FF.append(confirm, h("div", { class: "actions" }, yes, no));
      ask.addEventListener("click", function () { confirm.hidden = false; ask.hidden = true; yes.focus(); });
      no.addEventListener("click", function () { confirm.hidden = true; ask.hidden = false; ask.focus(); });
      yes.addEventListener("click", function () {
        yes.disabled = true;
        FF.api("DELETE", "/me/data").then(function (r) {
          if (!r.ok) { yes.disabled = false; return FF.fail(r); }
          FF.show([h("h1", { text: "已删除" }), h("p", { class: "lead", id: "erased", text: r.data.message }),
            h("div", { class: "actions" }, h("a", { class: "button secondary", href: "#/", text: "回到首页" }))]);
        });
      });
      var tips = d.tips.length
        ? h("ul", {}, d.tips.map(function (t) {
            return h("li", { text: t.receipt + "（" + FF.dateText(t.submitted_at) + "）" + (t.name_masked ? "，实名：" + t.name_masked + " " + (t.phone_masked || "") : "，匿名") });
          }))
        : h("p", { text: "没有举报记录。" });
      FF.show([
        h("h1", { text: "我的信息" }),
        d.registered
          ? h("div", { class: "card", id: "my-data" },
              row("姓名", d.name), row("手机号", d.phone_masked), row("工作单位", d.work_unit),
              row("所在地区", d.teams.join("、")), row("同意个人信息说明", d.consent.at ? FF.dateText(d.consent.at) : ""),
              row("答题", d.papers + " 份，累计 " + d.total_score + " 分"))
          : h("p", { class: "card", id: "my-data", text: "您还没有报名，没有保存姓名等信息。" }),
        h("h2", { text: "我的举报" }),
        tips,
        h("div", { class: "actions" }, d.registered ? h("a", { class: "button secondary", href: "#/register", text: "修改信息" }) : null, ask),
        confirm,
      ]);
    });
  });
})();
