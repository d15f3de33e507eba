// The live what-if page: the engine's aggregation (advisor/scoring/aggregate.py, sensitivity.py and
// whatif.py), redone in the browser for the priorities the reader sets. Data comes only from the JSON
// in #whatif-data; text reaches the page only through textContent. On load the page recomputes the
// engine's golden vectors and shows an error if any number differs by more than the tolerance.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("whatif-data").textContent);
  const $ = (id) => document.getElementById(id);
  const NUDGE = 1e-6;
  const criteria = D.criteria, groups = D.groups, cands = D.candidates;
  const groupOf = {}, reference = {}, names = {}, known = new Set();
  for (const g of groups) { reference[g.id] = g.reference; names[g.id] = g.name; known.add(g.id); }
  for (const c of criteria) { groupOf[c.id] = c.group; names[c.id] = c.name; known.add(c.id); }
  const fwName = {};
  for (const f of D.frameworks) fwName[f.id] = f.name;

  // --- the arithmetic ------------------------------------------------------------------------------
  const clamp = (x) => Math.min(D.max_weight, Math.max(0, x));
  const tied = (c) => cands.length > 1 && new Set(cands.map((f) => c.ratings[f])).size === 1;

  function problem(priorities) {
    const w = {}, G = {}, r = {};
    for (const c of criteria) {
      w[c.id] = tied(c) ? 0 : (c.id in priorities ? clamp(priorities[c.id]) : c.base);
      r[c.id] = Object.assign({}, c.ratings);
    }
    for (const g of groups) G[g.id] = g.id in priorities ? clamp(priorities[g.id]) : g.base;
    return { w: w, G: G, r: r };
  }
  function withWeight(P, target, value) {
    const Q = { w: Object.assign({}, P.w), G: Object.assign({}, P.G), r: P.r };
    if (target in Q.G && !(target in Q.w)) Q.G[target] = value; else Q.w[target] = value;
    return Q;
  }
  function withRating(P, criterion, framework, value) {
    const r = Object.assign({}, P.r);
    r[criterion] = Object.assign({}, r[criterion]);
    r[criterion][framework] = value;
    return { w: P.w, G: P.G, r: r };
  }
  function effective(P) {
    const e = {};
    for (const c of criteria) e[c.id] = P.w[c.id] * P.G[c.group] / reference[c.group];
    return e;
  }
  function shares(P) {
    const e = effective(P);
    let total = 0;
    for (const c of criteria) total += e[c.id];
    const s = {};
    for (const c of criteria) s[c.id] = total > 0 ? e[c.id] / total : 0;
    return s;
  }
  function scores(P) {
    const s = shares(P), out = {};
    for (const f of cands) {
      let sum = 0;
      for (const c of criteria) sum += s[c.id] * P.r[c.id][f];
      out[f] = sum;
    }
    return out;
  }
  const rankKey = (x) => Number(x.toFixed(10));
  function ranking(P) {
    const S = scores(P);
    return cands.slice().sort((a, b) => rankKey(S[b]) - rankKey(S[a]) || cands.indexOf(a) - cands.indexOf(b));
  }

  function gapTerms(P, target, a, b) {
    const e = effective(P);
    let inside, unit = {};
    if (target in P.G && !(target in P.w)) {
      inside = criteria.filter((c) => c.group === target).map((c) => c.id);
      for (const id of inside) unit[id] = P.w[id] / reference[target];
    } else {
      inside = [target];
      unit[target] = P.G[groupOf[target]] / reference[groupOf[target]];
    }
    let A = 0, p = 0;
    for (const c of criteria) {
      const gap = P.r[c.id][a] - P.r[c.id][b];
      if (inside.includes(c.id)) p += unit[c.id] * gap; else A += e[c.id] * gap;
    }
    return [A, p];
  }
  function holds(P, tip) {
    const past = tip.threshold + (tip.threshold > tip.current ? NUDGE : -NUDGE);
    const Q = tip.kind === "rating" ? withRating(P, tip.target, tip.framework, past) : withWeight(P, tip.target, Math.max(0, past));
    const S = scores(Q), best = rankKey(S[tip.new_winner]);
    return cands.every((f) => f === tip.new_winner || rankKey(S[f]) < best);
  }
  function levers(P) {
    const e = effective(P), out = [], live = new Set();
    for (const c of criteria) if (e[c.id] > 0) { out.push(["weight", c.id, P.w[c.id]]); live.add(c.group); }
    for (const g of groups) if (live.has(g.id)) out.push(["group_weight", g.id, P.G[g.id]]);
    return out;
  }
  const cmp = (x, y) => (x < y ? -1 : x > y ? 1 : 0);
  function weightTips(P, winner) {
    const tips = [];
    for (const rival of cands) {
      if (rival === winner) continue;
      for (const [kind, target, current] of levers(P)) {
        const [A, p] = gapTerms(P, target, winner, rival);
        if (p === 0) continue;
        const threshold = -A / p;
        if (threshold >= 0 && threshold <= D.max_weight && Math.abs(threshold - current) > 1e-9) {
          tips.push({ kind: kind, target: target, framework: null, current: current, threshold: threshold, new_winner: rival });
        }
      }
    }
    const size = (t) => Math.abs(t.threshold - t.current) / Math.max(t.current, 1);
    tips.sort((x, y) => size(x) - size(y) || cmp(x.target, y.target) || cmp(x.new_winner, y.new_winner));
    return tips.filter((t) => holds(P, t));
  }
  function ratingTips(P, winner) {
    const tips = [], s = shares(P), S = scores(P);
    for (const rival of cands) {
      if (rival === winner) continue;
      const lead = S[winner] - S[rival];
      for (const c of criteria) {
        if (s[c.id] <= 0) continue;
        const shift = lead / s[c.id];
        const lowered = P.r[c.id][winner] - shift, raised = P.r[c.id][rival] + shift;
        if (lowered >= 1) tips.push({ kind: "rating", target: c.id, framework: winner, current: P.r[c.id][winner], threshold: lowered, new_winner: rival });
        if (raised <= 5) tips.push({ kind: "rating", target: c.id, framework: rival, current: P.r[c.id][rival], threshold: raised, new_winner: rival });
      }
    }
    tips.sort((x, y) => Math.abs(x.threshold - x.current) - Math.abs(y.threshold - y.current)
      || cmp(x.target, y.target) || cmp(x.framework || "", y.framework || "") || cmp(x.new_winner, y.new_winner));
    return tips.filter((t) => holds(P, t));
  }
  function eachRival(tips, limit) {
    const chosen = [];
    for (const t of tips) if (chosen.every((c) => c.new_winner !== t.new_winner)) chosen.push(t);
    const rivals = () => new Set(chosen.map((c) => c.new_winner)).size;
    for (const t of tips) {
      if (chosen.length >= Math.max(limit, rivals())) break;
      if (!chosen.includes(t)) chosen.push(t);
    }
    return chosen.slice(0, Math.max(limit, rivals())).sort((x, y) => tips.indexOf(x) - tips.indexOf(y));
  }
  function result(priorities) {
    const P = problem(priorities), S = scores(P), order = ranking(P);
    const tips = order.length > 1 ? eachRival(weightTips(P, order[0]), D.max_weight_tips)
      .concat(eachRival(ratingTips(P, order[0]), D.max_rating_tips)) : [];
    const s = shares(P), groupShares = {};
    for (const g of groups) groupShares[g.id] = 0;
    for (const c of criteria) groupShares[c.group] += s[c.id];
    return {
      ranking: order.map((f) => ({ framework: f, name: fwName[f], score: S[f], margin: S[order[0]] - S[f] })),
      shares: s, group_shares: groupShares, tipping_points: tips, weights: P.w, group_weights: P.G,
    };
  }

  // --- self-check against the engine's golden vectors ------------------------------------------------
  function selfCheck() {
    const problems = [];
    const near = (x, y) => Math.abs(x - y) <= D.tolerance;
    D.vectors.forEach((v, i) => {
      const got = result(v.priorities), where = "vector " + (i + 1);
      if (got.ranking.map((r) => r.framework).join() !== v.ranking.map((r) => r.framework).join()) problems.push(where + ": ranking");
      v.ranking.forEach((r) => {
        const mine = got.ranking.find((x) => x.framework === r.framework);
        if (!mine || !near(mine.score, r.score)) problems.push(where + ": score of " + r.framework);
      });
      for (const id in v.shares) if (!near(got.shares[id], v.shares[id])) problems.push(where + ": share of " + id);
      const key = (t) => [t.kind, t.target, t.framework, t.new_winner].join("/");
      if (got.tipping_points.map(key).join() !== v.tipping_points.map(key).join()) problems.push(where + ": tipping points");
      else v.tipping_points.forEach((t, k) => { if (!near(got.tipping_points[k].threshold, t.threshold)) problems.push(where + ": threshold " + key(t)); });
    });
    const box = $("whatif-error");
    if (problems.length) {
      box.hidden = false;
      box.textContent = "This page's arithmetic disagrees with the engine's (" + problems.slice(0, 6).join("; ") +
        "): do not trust the what-if numbers; use advisor recommend with the priorities below instead.";
      console.error("what-if self-check failed: " + problems.join("; "));
    } else {
      $("whatif-checked").textContent = "Checked on load against " + D.vectors.length + " results computed by the engine.";
    }
  }

  // --- state, URL fragment, controls ------------------------------------------------------------------
  let changes = {};
  const merged = () => Object.assign({}, D.priorities, changes);
  const fmt = (x, digits) => x.toFixed(digits);
  const asText = (x) => String(Math.round(x * 1e6) / 1e6);

  function readFragment() {
    const hash = decodeURIComponent(location.hash || "");
    if (!hash.startsWith("#p=")) return null;
    const out = {}, ignored = [];
    for (const part of hash.slice(3).split(",")) {
      if (!part) continue;
      const [id, value] = part.split(":");
      const x = Number(value);
      if (known.has(id) && value !== undefined && value.trim() !== "" && Number.isFinite(x)) out[id] = clamp(x);
      else ignored.push(part);
    }
    $("whatif-ignored").textContent = ignored.length ? "Ignored in the link: " + ignored.join(", ") + "." : "";
    return out;
  }
  function fragment() {
    const ids = Object.keys(changes);
    return ids.length ? "#p=" + ids.map((id) => id + ":" + asText(changes[id])).join(",") : "";
  }
  function writeFragment() {
    const f = fragment();
    const url = location.href.split("#")[0] + f;
    try { history.replaceState(null, "", url); } catch (err) { if (f) location.hash = f; }
    $("whatif-link").setAttribute("href", f || "#whatif");
    $("whatif-link").textContent = f ? "Link to this what-if (" + f + ")" : "Link to this what-if (the spec's own weights)";
  }
  function yaml() {
    const p = merged(), ids = criteria.map((c) => c.id).concat(groups.map((g) => g.id)).filter((id) => id in p);
    return ids.length ? "priorities:\n" + ids.map((id) => "  " + id + ": " + asText(p[id])).join("\n") + "\n" : "priorities: {}\n";
  }
  function currentWeight(id) {
    const p = merged();
    if (id in p) return clamp(p[id]);
    const item = criteria.find((c) => c.id === id) || groups.find((g) => g.id === id);
    return item.base;
  }
  function syncControls() {
    for (const id of known) {
      const range = $("wr-" + id), num = $("wn-" + id);
      if (!range) continue;
      const x = currentWeight(id);
      range.value = String(x);
      if (document.activeElement !== num) num.value = asText(x);
    }
  }
  function setWeight(id, value) {
    const x = clamp(value);
    const own = id in D.priorities ? D.priorities[id] : null;
    const item = criteria.find((c) => c.id === id) || groups.find((g) => g.id === id);
    if ((own === null && x === item.base) || own === x) delete changes[id]; else changes[id] = x;
    render();
  }
  function tipText(t, current) {
    const what = t.kind === "group_weight" ? "the " + names[t.target] + " group" : names[t.target];
    if (t.kind === "rating") {
      let d = 1;
      while (d < 3 && Number(t.current.toFixed(d)) === Number(t.threshold.toFixed(d))) d += 1;
      return "If " + fwName[t.framework] + "'s " + names[t.target] + " rating were " + fmt(t.threshold, d) +
        " instead of " + fmt(t.current, d) + ", " + fwName[t.new_winner] + " would be the pick.";
    }
    const verb = t.threshold > current ? "Raising" : "Lowering";
    if (verb === "Lowering" && Number(t.threshold.toFixed(2)) === 0) {
      return "Only dropping " + what + " entirely (weight 0, from " + asText(current) + ") makes " + fwName[t.new_winner] + " the pick.";
    }
    return verb + " the weight of " + what + " from " + asText(current) + " to " + fmt(t.threshold, 2) + " or " +
      (verb === "Raising" ? "more" : "less") + " makes " + fwName[t.new_winner] + " the pick.";
  }
  function render() {
    const res = result(merged());
    syncControls();
    const body = $("whatif-ranking");
    body.replaceChildren();
    res.ranking.forEach((r, i) => {
      const tr = document.createElement("tr");
      if (i === 0) tr.className = "pick";
      for (const text of [String(i + 1), r.name, fmt(r.score, 2), i === 0 ? "pick" : fmt(r.margin, 2)]) {
        const td = document.createElement("td");
        td.textContent = text;
        if (text !== r.name) td.className = "num";
        tr.appendChild(td);
      }
      body.appendChild(tr);
    });
    for (const c of criteria) $("ws-" + c.id).textContent = tied(c) ? "tie" : fmt(100 * res.shares[c.id], 0) + "%";
    for (const g of groups) $("ws-" + g.id).textContent = fmt(100 * res.group_shares[g.id], 0) + "%";
    const list = $("whatif-tips");
    list.replaceChildren();
    for (const t of res.tipping_points) {
      const li = document.createElement("li");
      li.textContent = tipText(t, t.current);
      list.appendChild(li);
    }
    if (!res.tipping_points.length) {
      const li = document.createElement("li");
      li.textContent = "No single weight (0-5) or rating (1-5) change flips the pick.";
      list.appendChild(li);
    }
    const same = Object.keys(changes).length === 0;
    $("whatif-confidence").textContent = same
      ? "These are the spec's own weights; the confidence above belongs to them."
      : "The confidence figure above belongs to the spec's own weights and is not recomputed here; run advisor recommend with the priorities below for a confidence figure.";
    $("whatif-yaml").value = yaml();
    const state = {
      project: D.project,
      priorities: merged(),
      ranking: res.ranking.map((r) => ({ framework: r.framework, score: r.score })),
      shares: res.shares,
      group_shares: res.group_shares,
      tipping_points: res.tipping_points.map((t) => ({ kind: t.kind, target: t.target, framework: t.framework, threshold: t.threshold, new_winner: t.new_winner })),
    };
    $("whatif-state").textContent = JSON.stringify(state, null, 1);
    writeFragment();
  }
  function bind() {
    for (const id of known) {
      const range = $("wr-" + id), num = $("wn-" + id);
      if (!range) continue;
      range.addEventListener("input", () => setWeight(id, Number(range.value)));
      num.addEventListener("change", () => { if (num.value.trim() !== "" && Number.isFinite(Number(num.value))) setWeight(id, Number(num.value)); });
    }
    $("whatif-reset").addEventListener("click", () => { changes = {}; $("whatif-ignored").textContent = ""; render(); });
    $("whatif-copy").addEventListener("click", () => {
      const text = $("whatif-yaml").value, status = $("whatif-copied");
      const fallback = () => {
        $("whatif-yaml").select();
        status.textContent = document.execCommand && document.execCommand("copy") ? "Copied." : "Select the text and copy it.";
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(() => { status.textContent = "Copied."; }, fallback);
      } else fallback();
    });
    window.addEventListener("hashchange", () => {
      const fromLink = readFragment();
      if (fromLink !== null) { changes = fromLink; render(); }
    });
  }
  const fromLink = readFragment();
  if (fromLink !== null) changes = fromLink;
  $("whatif-controls").hidden = false;
  bind();
  selfCheck();
  render();
})();
