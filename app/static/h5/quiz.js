/* Today's paper: one question per screen (#/quiz/N), each answer saved on the server as it is given,
   one submission; then the review with keys and explanations (which only exist after submission). */
"use strict";
(function () {
  var FF = window.FF, h = FF.h;
  var paper = null; // today's open paper, as the server sent it (no keys in it)
  var busy = false; // one request at a time: double taps never send twice

  function load() {
    return FF.api("GET", "/papers/today").then(function (res) {
      if (res.status === 409 && res.data.error === "done_today") {
        paper = null;
        if (res.data.paper_id) FF.go("#/paper/" + res.data.paper_id, true);
        else FF.show([h("h1", { text: "今天的答题已完成" }), h("p", { text: res.data.message })]);
        return null;
      }
      if (res.status === 403 && res.data.error === "not_registered") {
        FF.go("#/register", true);
        return null;
      }
      if (!res.ok) {
        FF.show([h("h1", { text: "今日答题" }), h("p", { class: "lead", text: res.data.message || "暂时不能答题。" })]);
        return null;
      }
      paper = res.data;
      return paper;
    });
  }

  function firstOpen(p) {
    for (var i = 0; i < p.items.length; i++) if (!p.items[i].answered) return p.items[i].position;
    return null;
  }

  function chosen(form) {
    var boxes = form.querySelectorAll("input[name=opt]:checked");
    var keys = [];
    for (var i = 0; i < boxes.length; i++) keys.push(boxes[i].value);
    return keys.join("");
  }

  function question(item) {
    var total = paper.items.length;
    var multiple = item.type === "multiple";
    var form = h("form", { novalidate: true });
    var fs = h("fieldset", {}, h("legend", { class: "stem", id: "stem", text: item.stem }));
    item.options.forEach(function (opt, i) {
      var id = "opt-" + item.position + "-" + i;
      var given = item.given || "";
      var input = h("input", {
        type: multiple ? "checkbox" : "radio", name: "opt", id: id, value: opt.key,
        checked: given.indexOf(opt.key) >= 0, disabled: item.answered,
      });
      var text = item.type === "judge" ? [h("span", { text: opt.text })] : [h("span", { class: "key", text: opt.key + "." }), h("span", { text: opt.text })];
      fs.appendChild(h("label", { class: "choice", for: id }, input, text));
    });
    form.appendChild(fs);
    var isLast = item.position === total;
    var back = item.position > 1 ? h("a", { class: "button secondary", href: "#/quiz/" + (item.position - 1), text: "上一题" }) : null;
    var save = h("button", { type: "submit", id: "save", text: item.answered ? (isLast ? "去交卷" : "下一题") : "确认本题" });
    form.appendChild(h("div", { class: "actions" }, back, save));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (item.answered) return FF.go(isLast ? "#/quiz/done" : "#/quiz/" + (item.position + 1));
      var answer = chosen(form);
      if (!answer) return FF.say(multiple ? "请至少选择一项。" : "请选择一个答案。");
      if (busy) return;
      busy = true;
      save.disabled = true;
      FF.api("POST", "/papers/" + paper.id + "/answers", { position: item.position, answer: answer }).then(function (res) {
        busy = false;
        if (res.ok || res.status === 409) {
          return load().then(function (p) {
            if (!p) return;
            var next = firstOpen(p);
            FF.go(next === null ? "#/quiz/done" : "#/quiz/" + (next > item.position ? next : Math.min(item.position + 1, total)));
          });
        }
        save.disabled = false;
        FF.fail(res);
      });
    });
    return [
      h("h1", { text: "第 " + item.position + " 题（共 " + total + " 题）" }),
      h("progress", { max: total, value: paper.answered_count, "aria-label": "已答 " + paper.answered_count + " 题，共 " + total + " 题" }),
      h("p", { class: "meta" }, h("span", { text: item.type_label + "题" }), h("span", { text: item.points + " 分" }),
        h("span", { text: "已答 " + paper.answered_count + "/" + total })),
      multiple ? h("p", { class: "hint", text: "多选题：可以选择多项。" }) : null,
      form,
      item.answered ? h("p", { class: "saved", role: "status", text: "本题已作答，答案已保存，不能修改。" }) : null,
    ];
  }

  function overview() {
    var open = paper.items.filter(function (i) { return !i.answered; });
    var list = h("ol", { class: "card" });
    paper.items.forEach(function (i) {
      list.appendChild(h("li", {}, h("a", { href: "#/quiz/" + i.position, text: "第 " + i.position + " 题：" + (i.answered ? "已作答" : "未作答") })));
    });
    var submit = h("button", { type: "button", id: "submit-paper", text: "交卷" });
    submit.addEventListener("click", function () {
      if (busy) return;
      busy = true;
      submit.disabled = true;
      submit.textContent = "正在交卷……";
      FF.api("POST", "/papers/" + paper.id + "/submit", {}).then(function (res) {
        busy = false;
        if (res.ok) {
          paper = null;
          FF.go("#/paper/" + res.data.id, true);
          return;
        }
        submit.disabled = false;
        submit.textContent = "交卷";
        FF.fail(res);
      });
    });
    return [
      h("h1", { text: "检查并交卷" }),
      h("p", { class: "lead", text: "已答 " + (paper.items.length - open.length) + " 题，共 " + paper.items.length + " 题。" }),
      open.length ? h("p", { class: "hint", text: "还有 " + open.length + " 题没有作答，没答的题不得分。点题号可以回去作答。" }) : null,
      list,
      h("div", { class: "actions" }, submit),
      h("p", { class: "hint", text: "交卷后就能看到得分、正确答案和解析。" }),
    ];
  }

  FF.route(/^\/quiz(?:\/(\d+|done))?$/, function (m) {
    load().then(function (p) {
      if (!p) return;
      if (m[1] === "done") return FF.show(overview());
      var pos = m[1] ? parseInt(m[1], 10) : firstOpen(p);
      if (pos === null) return FF.go("#/quiz/done", true);
      var item = p.items.filter(function (i) { return i.position === pos; })[0];
      if (!item) return FF.go("#/quiz", true);
      FF.show(question(item));
    });
  });

  function review(r) {
    var list = h("ol", { class: "review" });
    r.items.forEach(function (i) {
      list.appendChild(h("li", { class: "card" },
        h("p", { class: "meta" }, h("span", { text: i.type_label + "题" }), h("span", { text: i.awarded + "/" + i.points + " 分" })),
        h("p", { class: "stem", text: i.stem }),
        i.type === "judge" ? null : h("ul", {}, i.options.map(function (o) { return h("li", { text: o.key + ". " + o.text }); })),
        h("p", { class: "verdict " + (i.correct ? "right" : "wrong"), text: i.correct ? "回答正确" : "回答错误" }),
        h("p", { text: "您的答案：" + (i.given || "未作答") + "　正确答案：" + i.correct_answer }),
        h("p", {}, h("strong", { text: "解析：" }), i.explanation || "暂无"),
        i.source ? h("p", { class: "hint", text: "依据：" + i.source }) : null));
    });
    return [
      h("h1", { text: r.day + " 答题结果" }),
      h("div", { class: "card" },
        h("p", { class: "label", text: "本次得分" }),
        h("p", { class: "big", id: "score", text: r.score + " / " + r.max_score + " 分" }),
        h("p", { text: "累计得分：" + r.cumulative_score + " 分" }),
        r.time_used_ms ? h("p", { class: "muted", text: "用时：" + Math.round(r.time_used_ms / 1000) + " 秒" }) : null),
      h("div", { class: "actions" },
        h("a", { class: "button", href: "#/board", text: "看排行榜" }),
        h("a", { class: "button secondary", href: "#/results", text: "我的成绩" })),
      h("h2", { text: "答案和解析" }),
      list,
    ];
  }

  FF.route(/^\/paper\/(\d+)$/, function (m) {
    FF.api("GET", "/papers/" + m[1]).then(function (res) {
      if (!res.ok) return FF.show([h("h1", { text: "答题结果" }), h("p", { text: res.data.message || "没有找到这份试卷。" })]);
      if (res.data.status === "open") return FF.go("#/quiz", true);
      if (res.data.status !== "submitted") {
        return FF.show([h("h1", { text: "这份试卷没有交卷" }), h("p", { class: "lead", text: "答题时间已过，这份试卷没有成绩。明天再来吧！" })]);
      }
      FF.show(review(res.data));
    });
  });
})();
