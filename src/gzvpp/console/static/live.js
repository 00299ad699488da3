// The live invitation page: the ranking (bids as they arrive) polled every few seconds.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("live");
  const layout = JSON.parse(root.dataset.layout);
  const url = "/api/events/" + encodeURIComponent(root.dataset.event) + "/ranking";
  const kw = (v) => Number(v).toLocaleString("zh-CN", { maximumFractionDigits: 3 });
  const cell = (tr, text, cls) => { const td = tr.insertCell(); td.textContent = text; if (cls) td.className = cls; };

  // The words follow the state: provisional rows are 暂列 until bidding closes, 中标 is the
  // final result, and a cancelled event's bids were never ranked.
  const cancelled = () => root.dataset.status === "cancelled";
  function stateText(r) {
    if (cancelled()) return "事件已取消：申报未出清，以下申报均已作废";
    if (r.provisional) return "申报进行中：以下为若此刻截止的预排序，均为暂列（每 3 秒刷新）";
    if (root.dataset.mode === "realtime") return "实时响应：按 b、c、d 依次选定的参与者";
    return "已出清：最终排序";
  }
  function outcome(r, e) {
    if (cancelled()) return "已作废";
    if (r.provisional) return e.accepted ? "暂列" : "暂未列入";
    return e.accepted ? "中标" : "未中标";
  }
  // The shortfall alarm belongs to the close of bidding (第八条): the final ranking only.
  function shortfallText(r) {
    if (!r.shortfall || r.provisional || cancelled()) return "";
    const text = "⚠ 申报总量低于需求，缺口 " + kw(r.shortfall_kw) + " kW：全部申报中标";
    return root.dataset.direction === "peak" ? text + "，并衔接有序用电方案。" : text + "。";
  }

  // The ranking is paged here (20 rows, as the console's server-paged lists): a city's bids
  // would otherwise make the page tens of thousands of pixels tall on a phone.
  const PAGE_SIZE = 20;
  let entries = [];
  let latest = null;  // the ranking last polled
  let page = 1;
  const pager = document.getElementById("ranking-pager");

  function showPage() {
    const r = latest;
    const pages = Math.max(1, Math.ceil(entries.length / PAGE_SIZE));
    page = Math.min(page, pages);
    const body = document.getElementById("ranking-body");
    body.innerHTML = "";
    for (const e of entries.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)) {
      const tr = body.insertRow();
      tr.className = cancelled() ? "" : e.accepted ? "ok" : "fail";
      cell(tr, e.place ?? "—");
      cell(tr, e.participant_name);
      cell(tr, kw(e.kw) + " kW", "num");
      cell(tr, e.price === null ? "—" : Number(e.price) + " 元/kWh", "num");
      cell(tr, e.received_at ? e.received_at.replace("T", " ").slice(0, 19) : "—");
      cell(tr, e.rank_score === null ? "—" : Number(e.rank_score).toFixed(2), "num");
      cell(tr, outcome(r, e));
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
    document.getElementById("live-state").textContent = stateText(r);
    latest = r;
    entries = r.entries;
    showPage();
    const taken = cancelled() ? "已作废" : r.provisional ? "暂列" : "中标";
    document.getElementById("totals").textContent =
      "需求 " + kw(r.demand_kw) + " kW，上限 150% = " + kw(r.reserve_kw) + " kW；已申报 " + kw(r.offered_kw) + " kW" +
      (cancelled() ? "" : "，" + taken + " " + kw(r.accepted_kw) + " kW");
    const warn = document.getElementById("shortfall");
    warn.textContent = shortfallText(r);
    warn.hidden = !warn.textContent;
    const max = Math.max(Number(r.reserve_kw), Number(r.offered_kw)) * 1.1;
    const line = (x, color, text) => ({ type: "line", x0: x, x1: x, yref: "paper", y0: 0, y1: 1, line: { color, dash: "dash", width: 2 }, label: { text, textangle: 0, textposition: "end", yanchor: "bottom" } });
    gz.plot("coverage-chart", [
      { type: "bar", orientation: "h", y: ["已申报", taken], x: [Number(r.offered_kw), Number(r.accepted_kw)],
        marker: { color: ["#95a5a6", r.covers_demand ? "#27ae60" : "#e67e22"] }, hovertemplate: "%{x:,.0f} kW<extra></extra>" },
    ], {
      ...layout, height: 220, margin: { ...layout.margin, t: 36 },
      xaxis: { ...layout.xaxis, range: [0, max] },
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
