// Validate xAPI statements with @learninglocker/xapi-validation (npm, 3.0.0), used by validate.py.
// Reads a JSON array of statements on stdin; writes a JSON array with, per statement, a list of
// problems ("path: Warning (type) ... got value"), empty when the statement is valid.
"use strict";
const validate = require("@learninglocker/xapi-validation").default;

const IGNORED = new Set(["stack", "message", "name", "path", "data"]);

function describe(warning) {
  const path = (warning.path || []).join(".");
  const extra = Object.keys(warning)
    .filter((key) => !IGNORED.has(key))
    .map((key) => `${key}=${JSON.stringify(warning[key])}`);
  let got = JSON.stringify(warning.data);
  if (got !== undefined && got.length > 200) got = got.slice(0, 200) + "...";
  return `${path}: ${warning.name || "Warning"}${extra.length ? " (" + extra.join(", ") + ")" : ""}` +
    (got === undefined ? "" : `, got ${got}`);
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((statement) => {
    try {
      return validate(statement).map(describe);
    } catch (error) {
      return [`statement: the validator threw ${error && error.message}`];
    }
  });
  process.stdout.write(JSON.stringify(results));
});
