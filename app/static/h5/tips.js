/* The tip form (the same questions as the chat intake) and the status look-up by receipt. */
"use strict";
(function () {
  var FF = window.FF, h = FF.h;
  var KEY = "fangfei.h5.tip-key"; // one Idempotency-Key per draft: a double tap or resend files once

  function field(id, label, input, hint) {
    return h("div", { class: "field" }, h("label", { for: id, text: label }), input, hint ? h("span", { class: "hint", id: id + "-hint", text: hint }) : null);
  }

  function draftKey() {
    var key = sessionStorage.getItem(KEY);
    if (!key) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      key = Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
      sessionStorage.setItem(KEY, key);
    }
    return key;
  }

  function copyButton(input) {
    var btn = h("button", { type: "button", class: "secondary", id: "copy-receipt", text: "复制编号" });
    btn.addEventListener("click", function () {
      var copied = false;
      input.focus();
      input.select();
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).catch(function () { /* the selection is the fallback */ });
        copied = true;
      }
      FF.say(copied ? "已复制回执编号。" : "编号已选中，请长按后选择“复制”。", true);
    });
    return btn;
  }

  function receipt(data) {
    var code = h("input", { type: "text", class: "receipt", id: "receipt", readonly: true, value: data.receipt, "aria-label": "回执编号" });
    FF.show([
      h("h1", { text: "提交成功" }),
      h("p", { class: "lead", text: data.message }),
      h("div", { class: "card" }, h("p", { class: "label", text: "回执编号" }), code,
        h("p", { text: "办理进度：" + data.status_label })),
      h("div", { class: "actions" }, copyButton(code), h("a", { class: "button secondary", href: "#/tip-status", text: "查询进度" })),
      h("p", { class: "hint", text: "请截图或抄下这个编号。也可以在公众号发送“查询 " + data.receipt + "”查看进度。" }),
    ]);
  }

  FF.route(/^\/tip$/, function () {
    Promise.all([FF.api("GET", "/tips/form"), FF.api("GET", "/privacy?kind=tips")]).then(function (r) {
      var res = r[0];
      if (!res.ok) return FF.fail(res);
      if (!r[1].ok) return FF.fail(r[1]);
      var f = res.data;
      var cats = h("fieldset", {}, h("legend", { text: "第1步：您要举报的是？（必选）" }),
        f.categories.map(function (c) {
          return h("label", { class: "choice", for: "cat-" + c.value },
            h("input", { type: "radio", name: "category", id: "cat-" + c.value, value: c.value }), h("span", { text: c.label }));
        }));
      var target = h("input", { type: "text", id: "target", name: "target", maxlength: String(f.limits.target), required: true });
      var story = h("textarea", { id: "story", name: "story", maxlength: String(f.limits.story), required: true, "aria-describedby": "story-hint" });
      var place = h("input", { type: "text", id: "place", name: "place", maxlength: String(f.limits.place), "aria-describedby": "place-hint" });
      var files = h("input", { type: "file", id: "files", name: "files", accept: "image/*", multiple: true, "aria-describedby": "files-hint" });
      var anon = h("input", { type: "radio", name: "identity", id: "anon", value: "1", checked: true });
      var real = h("input", { type: "radio", name: "identity", id: "real", value: "0" });
      var name = h("input", { type: "text", id: "tip-name", name: "name", maxlength: "40", autocomplete: "name" });
      var phone = h("input", { type: "tel", id: "tip-phone", name: "phone", inputmode: "numeric", maxlength: "20" });
      var consent = h("input", { type: "checkbox", id: "tip-consent", name: "consent" });
      var who = h("div", { id: "identity-fields", hidden: true }, field("tip-name", "您的姓名", name), field("tip-phone", "手机号码（11位）", phone),
        h("p", { class: "privacy", id: "tip-privacy", text: r[1].data.text }),
        h("div", { class: "field" }, h("label", { class: "choice", for: "tip-consent" }, consent, h("span", { text: "我已阅读并同意上面的举报人信息说明" }))));
      var toggle = function () { who.hidden = !real.checked; };
      anon.addEventListener("change", toggle);
      real.addEventListener("change", toggle);
      var send = h("button", { type: "submit", id: "tip-submit", text: "提交举报" });
      var form = h("form", { novalidate: true },
        h("p", { class: "card", text: "感谢您提供线索！我们会对您的身份严格保密。" }),
        cats,
        field("target", "第2步：对方的名称（必填）", target, "比如公司名、平台名、App名或人名。"),
        field("story", "第3步：发生了什么？（必填）", story, "比如：对方承诺多高的回报、涉及多少钱、怎么拉人参加的。"),
        field("place", "第4步：发生在哪里？（选填）", place, "写地址；不清楚可以不填。"),
        field("files", "第5步：合同、收据、聊天截图等照片（选填）", files, "可以拍照，也可以从相册选，最多 " + f.limits.files + " 张。"),
        h("fieldset", {}, h("legend", { text: "第6步：匿名还是实名？" }),
          h("label", { class: "choice", for: "anon" }, anon, h("span", { text: "匿名举报" })),
          h("label", { class: "choice", for: "real" }, real, h("span", { text: "实名举报（留下姓名和电话）" })),
          h("p", { class: "hint", text: f.reward_note }), who),
        h("div", { class: "actions" }, send));
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var cat = form.querySelector("input[name=category]:checked");
        if (!cat) { FF.say("请选择您要举报的是什么。"); return form.querySelector("input[name=category]").focus(); }
        if (!target.value.trim()) { FF.say("请填写对方的名称。"); return target.focus(); }
        if (!story.value.trim()) { FF.say("请说说发生了什么。"); return story.focus(); }
        if (files.files.length > f.limits.files) { FF.say("最多只能上传 " + f.limits.files + " 张照片。"); return files.focus(); }
        if (real.checked && (!name.value.trim() || !phone.value.trim())) { FF.say("实名举报请填写姓名和手机号。"); return name.focus(); }
        if (real.checked && !consent.checked) { FF.say("实名举报请先阅读举报人信息说明，并勾选“我同意”。"); return consent.focus(); }
        var data = new FormData();
        data.append("category", cat.value);
        data.append("target", target.value.trim());
        data.append("story", story.value.trim());
        data.append("place", place.value.trim());
        data.append("anonymous", real.checked ? "false" : "true");
        if (real.checked) { data.append("name", name.value.trim()); data.append("phone", phone.value.trim()); data.append("consent", "true"); }
        for (var i = 0; i < files.files.length; i++) data.append("files", files.files[i]);
        send.disabled = true;
        send.textContent = "正在提交……";
        FF.api("POST", "/tips", data, { "Idempotency-Key": draftKey() }).then(function (r) {
          if (r.ok) { sessionStorage.removeItem(KEY); return receipt(r.data); }
          send.disabled = false;
          send.textContent = "提交举报";
          FF.fail(r);
        });
      });
      FF.show([h("h1", { text: "我要举报" }), form]);
    });
  });

  FF.route(/^\/tip-status$/, function () {
    var code = h("input", { type: "text", id: "code", name: "code", autocomplete: "off", "aria-describedby": "code-hint" });
    var out = h("div", { id: "status-result", "aria-live": "polite" });
    var btn = h("button", { type: "submit", id: "lookup", text: "查询" });
    var form = h("form", { novalidate: true }, field("code", "回执编号", code, "例如 JB-7K4M-2QXR-9T"), h("div", { class: "actions" }, btn));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!code.value.trim()) { FF.say("请填写回执编号。"); return code.focus(); }
      btn.disabled = true;
      FF.api("POST", "/tips/lookup", { code: code.value.trim() }).then(function (r) {
        btn.disabled = false;
        out.textContent = "";
        if (!r.ok) return FF.fail(r);
        FF.append(out, h("div", { class: "card" },
          h("p", { text: "回执编号：" + r.data.receipt }),
          h("p", { text: "提交时间：" + FF.dateText(r.data.submitted_at) }),
          h("p", { class: "big", id: "status-label", text: r.data.status_label }),
          h("p", { text: r.data.reply ? "办理答复：" + r.data.reply : "我们会尽快处理，请耐心等待。" })));
      });
    });
    FF.show([h("h1", { text: "查询举报进度" }), form, out]);
  });
})();
