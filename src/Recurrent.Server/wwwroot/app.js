// The Recurrent playground: plain JavaScript against the /v1 API of the server that serves this page.
"use strict";

const $ = (id) => document.getElementById(id);
let models = [];
let current = null;
let generation = null; // the AbortController of the generation in flight

/** POSTs JSON to an action of the current model; throws an Error with the problem's detail on failure. */
async function call(action, body, signal) {
  const response = await fetch(`/v1/models/${encodeURIComponent(current.name)}/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await problem(response);
  return response;
}

async function problem(response) {
  try {
    const p = await response.json();
    return new Error(`${p.title || response.status}: ${p.detail || response.statusText}`);
  } catch {
    return new Error(`${response.status} ${response.statusText}`);
  }
}

function showError(error) {
  const box = $("error");
  if (!error || error.name === "AbortError") { box.hidden = true; return; }
  box.textContent = error.message;
  box.hidden = false;
}

const percent = (p) => `${(p * 100).toFixed(1)} %`;
const cosine = (s) => s.toFixed(3);

/** Fills an <ol class="bars"> with [label, value] rows: a bar of the value in [0, 1], and the value as format writes it. */
function renderBars(list, rows, format = percent) {
  list.replaceChildren(...rows.map(([label, p]) => {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "label";
    name.textContent = label;
    name.title = label;
    const track = document.createElement("span");
    track.className = "track";
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.display = "block";
    fill.style.width = `${Math.max(0, Math.min(1, p)) * 100}%`;
    track.append(fill);
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = format(p);
    li.append(name, track, value);
    return li;
  }));
}

/** What a tag is coloured by: the chunk type of a chunk tag (B-NP and I-NP alike), else the tag itself. */
const colourKey = (tag, chunked) => (chunked && /^[BIES]-/.test(tag) ? tag.slice(2) : tag);

/** A stable colour per tag (per chunk type for chunk tags), so that a tag looks the same across texts; O stays plain. */
function tagColour(key) {
  if (key === "O") return "transparent";
  let hash = 0;
  for (const c of key) hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  return `hsl(${hash % 360} 70% 82%)`;
}

/** A tagged text: each token coloured by its tag, the tag and its probability under it; chunks listed below. */
function renderTags(result) {
  const chunked = Array.isArray(result.chunks);
  $("tags").replaceChildren(...result.tokens.map((t) => {
    const span = document.createElement("span");
    span.className = "token";
    span.dataset.tag = t.tag;
    if (chunked && /^[BS]-/.test(t.tag)) span.classList.add("chunk-start");
    span.style.background = tagColour(colourKey(t.tag, chunked));
    span.title = `${t.tag}: ${(t.probability * 100).toFixed(1)} %`;
    const word = document.createElement("span");
    word.className = "word";
    word.textContent = t.token;
    const tag = document.createElement("span");
    tag.className = "tag";
    tag.textContent = t.tag;
    span.append(word, tag);
    return span;
  }));
  $("chunks").textContent = chunked ? result.chunks.map((c) => `[${c.type} ${c.text}]`).join(" ") : "";
}

/** The analogy form: a is to b as c is to …, as bars of similarity. */
async function analogy(event) {
  event.preventDefault();
  const word = (id) => $(id).value.trim() || $(id).placeholder;
  try {
    const r = await (await call("analogy", { a: word("analogy-a"), b: word("analogy-b"), c: word("analogy-c"), k: 10 })).json();
    renderBars($("analogy"), r.neighbours.map((n) => [n.word, n.similarity]), cosine);
    showError(null);
  } catch (e) {
    showError(e);
  }
}

const has = (action) => current && current.actions.includes(action);

/** White space made visible in a list of candidates (a char model's space or new line would show as nothing). */
const visible = (token) => token.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥");

/** Everything that follows the text as it is typed: next words, classes, tags, nearest words. */
async function refresh() {
  if (!current) return;
  const text = $("input").value;
  try {
    const jobs = [];
    if (has("next")) jobs.push(call("next", { text, k: 10 }).then((r) => r.json())
      .then((r) => renderBars($("next"), r.tokens.map((t) => [visible(t.token), t.probability]))));
    if (has("classify") && text.trim()) jobs.push(call("classify", { texts: [text] }).then((r) => r.json())
      .then((r) => renderBars($("classes"), Object.entries(r.results[0].probabilities))));
    if (has("tag") && text.trim()) jobs.push(call("tag", { texts: [text] }).then((r) => r.json())
      .then((r) => renderTags(r.results[0])));
    const words = text.trim().split(/\s+/);
    if (has("nearest") && words[0]) jobs.push(call("nearest", { word: words[words.length - 1], k: 10 }).then((r) => r.json())
      .then((r) => renderBars($("nearest"), r.neighbours.map((n) => [n.word, n.similarity]), cosine)));
    await Promise.all(jobs);
    showError(null);
  } catch (e) {
    showError(e);
  }
}

let timer = 0;
function refreshSoon() {
  clearTimeout(timer);
  timer = setTimeout(refresh, 200);
}

/** Streams a generation: each server-sent event is parsed as it arrives and its text appended. */
async function generate() {
  if (generation) generation.abort();
  const controller = new AbortController();
  generation = controller;
  const prime = $("input").value;
  $("output-prime").textContent = prime;
  $("generated").textContent = "";
  $("generate-status").textContent = "generating…";
  $("stop").disabled = false;
  const number = (id, fallback) => { const v = Number($(id).value); return Number.isFinite(v) ? v : fallback; };
  try {
    const response = await call("generate", {
      prime, stream: true,
      length: number("length", 50), temperature: number("temperature", 1), top_k: number("top-k", 0), seed: number("seed", 1),
    }, controller.signal);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        onEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    showError(null);
  } catch (e) {
    showError(e);
    if (e.name === "AbortError") $("generate-status").textContent = "stopped";
  } finally {
    if (generation === controller) { generation = null; $("stop").disabled = true; }
  }
}

function onEvent(block) {
  let event = "message", data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trim();
  }
  const payload = data ? JSON.parse(data) : {};
  if (event === "token") $("generated").append(payload.text);
  else if (event === "done") $("generate-status").textContent = `${payload.tokens} tokens`;
  else if (event === "error") showError(new Error(`${payload.title}: ${payload.detail}`));
}

async function score() {
  const lines = $("input").value.split("\n").filter((l) => l.trim());
  const body = $("scores").tBodies[0];
  body.replaceChildren();
  if (!lines.length) return;
  try {
    const r = await (await call("score", { texts: lines })).json();
    r.results.forEach((s, i) => {
      const row = body.insertRow();
      for (const text of [lines[i], s.log_probability.toFixed(2), s.perplexity.toFixed(1)]) row.insertCell().textContent = text;
    });
    showError(null);
  } catch (e) {
    showError(e);
  }
}

function selectModel(name) {
  current = models.find((m) => m.name === name) || null;
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = !has(panel.dataset.action);
  $("next-title").textContent = current && current.kind === "char" ? "Next character" : "Next word";
  const unit = current && current.kind === "vectors" ? `words × ${current.dimension}` : "tokens";
  $("model-info").textContent = current
    ? `${current.kind}, ${current.vocabulary_size.toLocaleString()} ${unit}${current.labels ? `, labels: ${current.labels.join(", ")}` : ""}`
    : "";
  refreshSoon();
}

async function start() {
  $("input").addEventListener("input", refreshSoon);
  $("model").addEventListener("change", (e) => selectModel(e.target.value));
  $("generate").addEventListener("click", generate);
  $("stop").addEventListener("click", () => generation && generation.abort());
  $("score").addEventListener("click", score);
  $("analogy-form").addEventListener("submit", analogy);
  try {
    const response = await fetch("/v1/models");
    if (!response.ok) throw await problem(response);
    models = (await response.json()).models;
    $("model").replaceChildren(...models.map((m) => new Option(`${m.name} (${m.kind})`, m.name)));
    // A link can carry the state: ?model=NAME&text=…&generate (generation starts at once).
    const params = new URLSearchParams(location.search);
    const chosen = models.find((m) => m.name === params.get("model")) || models[0];
    if (params.has("text")) $("input").value = params.get("text");
    for (const id of ["length", "temperature", "top-k", "seed"]) if (params.has(id)) $(id).value = params.get(id);
    if (chosen) {
      $("model").value = chosen.name;
      selectModel(chosen.name);
      if (params.has("generate") && has("generate")) generate();
    }
    document.body.dataset.ready = "true";
  } catch (e) {
    showError(e);
  }
}

start();
