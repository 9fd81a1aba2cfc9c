// report.mjs: turns the raw results of bench/peers/run.sh into the Markdown report:
// tokens/s per verifier and corpus (median of the runs), the ratio of jwtbatch to each
// peer, the targets of issue 7 met or not, and the agreement check. Exit 1 when any
// verifier, in any run, verified a different number of tokens than gen made valid.
//
//   usage: node report.mjs WORK_DIR   (what run.sh left there: corpora.tsv, results.tsv,
//                                      skipped.tsv, and meta.txt, key=value lines)
import { readFileSync } from "node:fs";
import { join } from "node:path";

const work = process.argv[2];
const meta = Object.fromEntries(
  readFileSync(join(work, "meta.txt"), "utf8").split("\n").filter(Boolean).map((l) => {
    const i = l.indexOf("=");
    return [l.slice(0, i), l.slice(i + 1)];
  }));

function readTsv(name) {
  const [head, ...rows] = readFileSync(join(work, name), "utf8").trim().split("\n");
  const cols = head.split("\t");
  return rows.map((r) => Object.fromEntries(r.split("\t").map((v, i) => [cols[i], v])));
}
const corpora = readTsv("corpora.tsv");
const results = readTsv("results.tsv");
const skipped = readTsv("skipped.tsv");

const labels = {
  "jwtbatch-1t": "jwtbatch, 1 thread (cache on: the default)",
  "jwtbatch-1t-nocache": "jwtbatch, 1 thread, `--cache-size 0`",
  "jwtbatch-all": `jwtbatch, \`--threads 0\` (${meta.cores} cores), cache on`,
  "jwtbatch-all-nocache": "jwtbatch, `--threads 0`, `--cache-size 0`",
  libjwt: "libjwt (C, OpenSSL)",
  cppjwt: "cpp-jwt (C++, OpenSSL)",
  jose: "jose (Node)",
  fastjwt: "fast-jwt (Node)",
  "fastjwt-cache": "fast-jwt, `cache: true` (Node)",
};
const verifiers = Object.keys(labels);
const peers = verifiers.filter((v) => !v.startsWith("jwtbatch"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const runsOf = (c, v) => results.filter((r) => r.corpus === c && r.verifier === v);
// Tokens/s from the median of one of the measured times: wall_s (the whole process),
// cpu_s (its user + system time, every thread) or loop_s (the program's own timer
// around its verify loop); null when the verifier did not run on that corpus.
function rate(c, v, field = "wall_s") {
  const rs = runsOf(c.corpus, v);
  if (rs.length === 0) return null;
  return Number(c.tokens) / median(rs.map((r) => Number(r[field])));
}
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const times = (x) => `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
const notRun = (c, v) => {
  const s = skipped.find((r) => r.corpus === c.corpus && r.verifier === v);
  return s ? (s.reason.startsWith("no EdDSA") ? "n/a: no EdDSA" : "—") : "—";
};
const out = [];
const say = (s = "") => out.push(s);

say(`Measured ${meta.started} on ${meta.cores} cores (${meta.cpu_model}); one-thread runs ` +
  `pinned to core ${meta.cpu}. Load average before → after: ${meta.load}. ${meta.versions}.`);
say();
say(`Command: \`${meta.command}\` (${meta.seconds} s in all). Tokens/s = tokens in the file ÷ ` +
  `median wall time of the whole process over ${meta.runs} run(s), start-up included; ` +
  `(N×) = jwtbatch on 1 thread (the CLI's default cache on) ÷ that peer. Evaluation time ` +
  `${meta.at} for every verifier.`);
say();

// The main table: verifiers down, corpora across.
const head = corpora.map((c) => c.repeat === "1" ? c.alg : `${c.alg} ×${c.repeat} repeats`);
say(`| tokens/s | ${head.join(" | ")} |`);
say(`|---|${corpora.map(() => "---:").join("|")}|`);
for (const v of verifiers) {
  const cells = corpora.map((c) => {
    const r = rate(c, v);
    if (r === null) return notRun(c, v);
    if (!peers.includes(v)) return fmt(r);
    return `${fmt(r)} (${times(rate(c, "jwtbatch-1t") / r)})`;
  });
  say(`| ${labels[v]} | ${cells.join(" | ")} |`);
}
say();

// Noise: how far apart the runs of one verifier on one corpus were.
let spread = 0, where = "";
for (const c of corpora) {
  for (const v of verifiers) {
    const w = runsOf(c.corpus, v).map((r) => Number(r.wall_s));
    if (w.length > 1 && Math.max(...w) / Math.min(...w) - 1 > spread) {
      spread = Math.max(...w) / Math.min(...w) - 1;
      where = `${labels[v]} on ${c.corpus}`;
    }
  }
}
if (spread > 0) {
  say(`Largest run-to-run spread (slowest ÷ fastest run − 1): ${(spread * 100).toFixed(0)}% ` +
    `(${where}).`);
  say();
}

// The same runs by CPU time: on a machine shared with other work, a one-thread process
// that waited for its core is slower by the clock but not by its CPU time. (For
// jwtbatch on every core this is tokens per CPU-second: efficiency, not speed.)
// In-loop: each program's own timer around its verify loop (jwtbatch: the time in its
// summary line), without process start-up, key loading and module loading.
function table(title, field) {
  say(`| ${title} | ${head.join(" | ")} |`);
  say(`|---|${corpora.map(() => "---:").join("|")}|`);
  for (const v of verifiers) {
    const cells = corpora.map((c) => {
      const r = rate(c, v, field);
      return r === null ? notRun(c, v) : fmt(r);
    });
    say(`| ${labels[v]} | ${cells.join(" | ")} |`);
  }
  say();
}
say(`Tokens per CPU-second (user + system time of the whole process; median):`);
say();
table("tokens/CPU-s", "cpu_s");
say(`In-loop tokens/s (each program's own timer, start-up excluded; median):`);
say();
table("in-loop tokens/s", "loop_s");

// Targets (issue 7), judged three ways: per core without the cache (the strictest), per
// core as the CLI runs by default, and on every core as the CLI runs by default.
const byName = (name) => corpora.find((c) => c.corpus === name);
const bestPeer = (c) => {
  let best = null;
  for (const v of peers) {
    const r = rate(c, v);
    if (r !== null && (best === null || r > best.rate)) best = { v, rate: r };
  }
  return best;
};
const targets = [];
const distinct = (alg) => corpora.find((c) => c.alg === alg && c.repeat === "1");
const repeated = (alg) => corpora.find((c) => c.alg === alg && c.repeat !== "1");
targets.push({ what: "HS256 ≥ 10× fast-jwt", c: distinct("HS256"), peer: "fastjwt", need: 10 });
targets.push({ what: "HS256 ≥ 3× libjwt", c: distinct("HS256"), peer: "libjwt", need: 3 });
targets.push({ what: "RS256 ≥ 1.5× the best peer", c: distinct("RS256"), need: 1.5 });
targets.push({ what: "EdDSA ≥ 1.5× the best peer", c: distinct("EdDSA"), need: 1.5 });
targets.push({ what: "ES256 ≥ the best peer", c: distinct("ES256"), need: 1 });
for (const alg of ["RS256", "ES256"]) {
  const c = repeated(alg);
  if (c) {
    targets.push({
      what: `${alg} ×${c.repeat} repeats ≥ ${alg === "ES256" ? "" : "1.5× "}the best peer`,
      c, need: alg === "ES256" ? 1 : 1.5,
    });
  }
}
say(`Targets (ratio = jwtbatch ÷ peer, ✓ when met):`);
say();
say(`| target | peer, tokens/s | jwtbatch 1 thread, no cache | 1 thread, cache on (default) | ` +
  `${meta.cores} threads, cache on (default) | by CPU time: 1 thread, no cache · cache on |`);
say(`|---|---|---:|---:|---:|---:|`);
for (const t of targets) {
  if (!t.c) continue;
  const p = t.peer ? { v: t.peer, rate: rate(t.c, t.peer) } : bestPeer(t.c);
  if (!p || p.rate === null) continue;
  const mark = (x) => `${times(x)} ${x >= t.need ? "✓" : "✗"}`;
  const cells = ["jwtbatch-1t-nocache", "jwtbatch-1t", "jwtbatch-all"].map((v) =>
    mark(rate(t.c, v) / p.rate));
  const peerCpu = rate(t.c, p.v, "cpu_s");
  cells.push(["jwtbatch-1t-nocache", "jwtbatch-1t"].map((v) =>
    mark(rate(t.c, v, "cpu_s") / peerCpu)).join(" · "));
  say(`| ${t.what} | ${labels[p.v]}: ${fmt(p.rate)} | ${cells.join(" | ")} |`);
}
say();

// Agreement: every run of every verifier must verify exactly gen's valid tokens.
const bad = [];
const agreed = [];
for (const c of corpora) {
  for (const r of results.filter((x) => x.corpus === c.corpus)) {
    if (r.verified !== c.valid) {
      bad.push(`${labels[r.verifier]} on ${c.corpus}, run ${r.run}: ${r.verified} verified, ` +
        `gen made ${c.valid} valid`);
    }
  }
  const n = new Set(results.filter((x) => x.corpus === c.corpus).map((x) => x.verifier)).size;
  agreed.push(`${c.corpus} ${fmt(Number(c.valid))} of ${fmt(Number(c.tokens))} (${n} verifiers)`);
}
if (bad.length === 0) {
  say(`Agreement: in every run every verifier verified exactly the tokens gen made valid, ` +
    `and rejected the rest: ${agreed.join("; ")}.`);
} else {
  say(`**DISAGREEMENT**: the verifiers do not agree on what verified, so the rates above ` +
    `do not compare like with like:`);
  for (const b of bad) say(`- ${b}`);
}
console.log(out.join("\n"));
if (bad.length > 0) {
  console.error(`peers/report: ${bad.length} run(s) disagree with gen's valid count`);
  process.exit(1);
}
