// The bid form: capability, price cap and deadline checked as one types; the expected subsidy
// asked of the platform (the settlement's own rule) as one types; the server's answer shown.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("bid-form");
  if (!form) return;
  const d = form.dataset;
  const value = (name) => (form.elements[name] ? form.elements[name].value.trim() : "");

  function show(found) {
    for (const el of form.querySelectorAll(".field-error")) el.textContent = found[el.dataset.for] || "";
  }

  function check() {
    const found = {};
    const kw = value("kw"), price = value("price");
    if (kw !== "" && !(Number(kw) > 0)) found.kw = "申报容量须大于 0";
    else if (kw !== "" && Number(kw) > Number(d.capability)) found.kw = "申报容量不得超过登记响应能力 " + Number(d.capability) + " kW";
    if (d.bidding === "true" && price !== "" && !(Number(price) >= 0 && Number(price) <= Number(d.cap)))
      found.price = "申报价格须在 0 ~ " + Number(d.cap) + " 元/kWh 之间（表 2）";
    if (gz.now() >= Date.parse(d.close)) found.body = "申报已截止（须在 " + d.close.replace("T", " ").slice(0, 16) + " 之前）";
    return found;
  }

  const expected = document.getElementById("bid-expected");
  const yuan = (text) => "¥" + Number(text).toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  let asked = 0;
  async function preview() {
    const kw = value("kw"), price = value("price"), found = check();
    const ready = Number(kw) > 0 && !found.kw && !found.price && (d.bidding !== "true" || price !== "");
    if (!ready) { expected.textContent = "填写申报容量" + (d.bidding === "true" ? "和价格" : "") + "后显示预计补贴。"; return; }
    const query = new URLSearchParams({ kw });
    if (d.bidding === "true") query.set("price", price);
    const mine = ++asked;
    const answer = await gz.call("GET", "/api/events/" + encodeURIComponent(d.event) + "/subsidy-preview?" + query);
    if (mine !== asked) return;  // a later keystroke has asked again
    if (!answer.ok) { expected.textContent = "暂无法计算预计补贴。"; return; }
    const a = answer.data;
    expected.textContent = "预计补贴 " + yuan(a.expected_subsidy_cny) + "（全额中标并按申报容量响应：" + Number(a.kw) + " kW × " +
      Number(a.hours) + " 小时 × " + Number(a.price) + " 元/kWh × 响应系数 " + Number(a.coefficient) + "）；最多 " +
      yuan(a.max_subsidy_cny) + "（响应达中标量 120%）。实际以评估结果为准。";
  }

  form.addEventListener("input", () => { show(check()); preview(); });
  preview();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const found = check();
    if (value("kw") === "") found.kw = "请填写申报容量";
    if (d.bidding === "true" && value("price") === "") found.price = "竞价模式须填写申报价格";
    show(found);
    if (Object.keys(found).length) return;
    const body = { kw: value("kw") };
    if (d.bidding === "true") body.price = value("price");
    const answer = await gz.call("POST", "/api/events/" + encodeURIComponent(d.event) + "/bids", body);
    if (!answer.ok) return show(gz.errors(answer.status, answer.data));
    const done = document.getElementById("bid-done");
    done.hidden = false;
    done.textContent = "申报成功：" + Number(answer.data.kw) + " kW，" + answer.data.received_at.replace("T", " ").slice(0, 19) + " 收到。";
  });
});
