// The live invitation page: the ranking (bids as they arrive) polled every few seconds.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("live");
  const url = "/api/events/" + encodeURIComponent(root.dataset.event) + "/ranking";
  const kw = (v) => Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 3 });
  const cell = (tr, text, cls) => { const td = tr.insertCell(); td.textContent = text; if (cls) td.className = cls; };

  // The ranking is paged here (20 rows, as the console's server-paged lists): a city's bids
  // would otherwise make the page tens of thousands of pixels tall on a phone.
  const PAGE_SIZE = 20;
  let entries = [];
  let page = 1;
  const pager = document.getElementById("ranking-pager");

  function showPage() {
    const pages = Math.max(1, Math.ceil(entries.length / PAGE_SIZE));
    page = Math.min(page, pages);
    const body = document.getElementById("ranking-body");
    body.innerHTML = "";
    for (const e of entries.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)) {
      const tr = body.insertRow();
      tr.className = e.accepted ? "ok" : "fail";
      cell(tr, e.place ?? "—");
      cell(tr, e.participant_name);
      cell(tr, kw(e.kw) + " kW", "num");
      cell(tr, e.price === null ? "—" : Number(e.price) + " 元/kWh", "num");
      cell(tr, e.received_at ? e.received_at.replace("T", " ").slice(0, 19) : "—");
      cell(tr, e.rank_score === null ? "—" : Number(e.rank_score).toFixed(2), "num");
      cell(tr, e.accepted ? "中标" : "未中标");
      cell(tr, gz.zh(e.reason), "wrap");
    }
    if (!entries.length) {
      const tr = body.insertRow(); cell(tr, "尚无申报。", "muted"); tr.cells[0].colSpan = 8;
    }
    pager.replaceChildren();
    const figures = document.createElement("span");
    figures.textContent = "共 " + entries.length + " 条，第 " + page + " / " + pages + " 页";
    pager.append(figures);
    for (const [text, to, shown] of [["上一页", page - 1, page > 1], ["下一页", page + 1, page < pages]]) {
      if (!shown) continue;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      button.addEventListener("click", () => { page = to; showPage(); });
      pager.append(button);
    }
  }

  function render(r) {
    document.getElementById("live-state").textContent = r.provisional
      ? "申报进行中：以下为若此刻截止的预排序（每 3 秒刷新）"
      : root.dataset.mode === "realtime"
        ? "实时响应：按 b、c、d 依次选定的参与者"
        : "已出清：最终排序";
    entries = r.entries;
    showPage();
    document.getElementById("totals").textContent =
      "需求 " + kw(r.demand_kw) + " kW，上限 150% = " + kw(r.reserve_kw) + " kW；已申报 " + kw(r.offered_kw) + " kW，中标 " + kw(r.accepted_kw) + " kW";
    const warn = document.getElementById("shortfall");
    warn.hidden = !r.shortfall;
    warn.textContent = r.shortfall ? "⚠ 申报总量低于需求，缺口 " + kw(r.shortfall_kw) + " kW：全部申报中标，并衔接有序用电方案。" : "";
    const max = Math.max(Number(r.reserve_kw), Number(r.offered_kw)) * 1.1;
    const line = (x, color, text) => ({ type: "line", x0: x, x1: x, yref: "paper", y0: 0, y1: 1, line: { color, dash: "dash", width: 2 }, label: { text, textangle: 0, textposition: "end", yanchor: "bottom" } });
    gz.plot("coverage-chart", [
      { type: "bar", orientation: "h", y: ["已申报", "中标"], x: [Number(r.offered_kw), Number(r.accepted_kw)],
        marker: { color: ["#95a5a6", r.covers_demand ? "#27ae60" : "#e67e22"] }, hovertemplate: "%{x} kW<extra></extra>" },
    ], {
      height: 200, showlegend: false, margin: { l: 70, r: 20, t: 36, b: 30 }, hovermode: "closest",
      xaxis: { range: [0, max], title: "kW" },
      shapes: [line(Number(r.demand_kw), "#2c3e50", "100% 需求"), line(Number(r.reserve_kw), "#c0392b", "150%")],
    });
  }

  // Polls while bids are open; a final ranking no longer changes.
  let timer;
  async function poll() {
    const answer = await gz.call("GET", url);
    if (!answer.ok) {
      document.getElementById("live-state").textContent = Object.values(gz.errors(answer.status, answer.data)).join("；");
      return;
    }
    render(answer.data);
    if (!answer.data.provisional) clearInterval(timer);
  }
  timer = setInterval(poll, 3000);
  poll();
});
