// Evaluates flow expressions (spec 7.2) for the worker: one JSON request per line on stdin,
// {"exprs": [..], "ctx": {flow_input, results, previous_result, params, error, variables, resources}},
// one JSON answer per line on stdout: {"values": [{"ok": true, "value": ..} | {"ok": false, "error": ".."}]}.
// An expression is tried as an expression first, then as a function body (for code with `return`).
const readline = require("readline");
const names = ["flow_input", "results", "previous_result", "result", "params", "error", "variable", "resource"];

function compile(expr) {
  try { return new Function(...names, `return (${expr}\n);`); }
  catch { return new Function(...names, expr); }
}

function evaluate(expr, c) {
  const variable = (p) => (c.variables || {})[p];
  const resource = (p) => (c.resources || {})[p];
  const v = compile(expr)(c.flow_input, c.results || {}, c.previous_result, c.previous_result, c.params || {}, c.error, variable, resource);
  return v === undefined ? null : v;
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const req = JSON.parse(line);
  const values = req.exprs.map((expr) => {
    try { return { ok: true, value: evaluate(expr, req.ctx) }; }
    catch (e) { return { ok: false, error: String((e && e.message) || e) }; }
  });
  let out;
  try { out = JSON.stringify({ values }); }
  catch (e) { out = JSON.stringify({ values: values.map(() => ({ ok: false, error: "result is not JSON: " + e.message })) }); }
  process.stdout.write(out + "\n");
});
