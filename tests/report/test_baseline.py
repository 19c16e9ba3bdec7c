"""``elearn report baseline``: the figures equal a plain computation from the generated data, file or LRS."""
from __future__ import annotations

import csv
import itertools
import json
import math
import tracemalloc
from collections import Counter, defaultdict
from statistics import mean

import pytest
from click.testing import CliRunner

from elearn_builder.report.baseline import ALL, Baseline
from elearn_builder.report.page import render
from elearn_builder.cli.commands import main
from elearn_builder.xapi.generate import generate_statements, json_lines
from elearn_builder.model import GAP_THRESHOLD

EXT = "https://xapi.reflective-supervision.org.uk/extensions/"
LEARNERS = 400


@pytest.fixture(scope="module")
def generated() -> list[dict]:
    return list(generate_statements(seed=21, learners=LEARNERS))


def verb(s: dict) -> str:
    return s["verb"]["id"].rsplit("/", 1)[-1]


def ext(s: dict, key: str):
    return s["context"]["extensions"].get(EXT + key)


def expected_figures(statements: list[dict]) -> dict:
    """The baseline computed the plain way: lists per learner, scores from the ratings themselves."""
    per_learner = defaultdict(list)
    for s in statements:
        per_learner[(s["actor"]["account"]["name"], ext(s, "stage"))].append(s)
    scores, stages, domains = defaultdict(list), {}, defaultdict(list)
    for (_, stage), mine in per_learner.items():
        mine.sort(key=lambda s: s["timestamp"])
        org = ext(mine[0], "organisation")
        verbs = {verb(s) for s in mine}
        for group in ((stage, ALL), (stage, org)):
            row = stages.setdefault(group, Counter())
            row["learners"] += 1
            row["completed"] += "completed" in verbs
            row["assessed"] += bool(verbs & {"passed", "failed"})
            row["passed"] += "passed" in verbs
        assessed = [s for s in mine if verb(s) == "self-assessed"]
        ratings = defaultdict(list)
        for s in mine:
            if verb(s) == "answered" and ext(s, "bank") is None and ext(s, "attempt") == 1:
                ratings[ext(s, "key-area")].append(int(s["result"]["response"]))
                for domain in ext(s, "pcf-domains"):
                    ratings[domain].append(int(s["result"]["response"]))
        first, last = assessed[0], assessed[-1]
        month = first["timestamp"][:7]
        for area in [k for k in ratings if isinstance(k, str)]:
            score = mean(ratings[area])
            level = first["result"]["extensions"][EXT + "expected-levels"][area]
            change = (last["result"]["extensions"][EXT + "scores"][area] - first["result"]["extensions"][EXT + "scores"][
                area]) if len(assessed) > 1 else None
            for group in ((stage, ALL, ALL), (stage, org, ALL), (stage, org, month)):
                scores[group + (area,)].append((score, level - score >= GAP_THRESHOLD, change, level))
        for domain in [k for k in ratings if isinstance(k, int)]:
            for group in ((stage, ALL, domain), (stage, org, domain)):
                domains[group].append(mean(ratings[domain]))
    answered = [s for s in statements if verb(s) == "answered" and "success" in s["result"]]
    wrong = Counter(s["object"]["id"] for s in answered if s["result"]["success"] is False)
    learners = defaultdict(set)
    for s in answered:
        learners[s["object"]["id"]].add(s["actor"]["account"]["name"])
    return {"scores": scores, "stages": stages, "domains": domains, "wrong": wrong, "learners": learners}


def check_tables(tables: dict, expected: dict) -> None:
    rows = {(r["stage"], r["organisation"], r["period"], r["key_area"]): r for r in tables["scores"]}
    assert set(rows) == set(expected["scores"])
    for key, entries in expected["scores"].items():
        row = rows[key]
        assert int(row["learners"]) == len(entries), key
        assert float(row["mean"]) == pytest.approx(mean(e[0] for e in entries), abs=0.002), key
        assert float(row["share_with_gap"]) == pytest.approx(sum(e[1] for e in entries) / len(entries), abs=5e-4)
        changes = [e[2] for e in entries if e[2] is not None]
        assert int(row["learners_reassessed"]) == len(changes)
        if changes:
            assert float(row["mean_change"]) == pytest.approx(mean(changes), abs=5e-4)
        buckets = Counter(min(5, max(1, math.floor(e[0] + 0.5))) for e in entries)  # half up
        assert [int(row[f"score_{i}"]) for i in range(1, 6)] == [buckets[i] for i in range(1, 6)], key
        assert int(row["expected_level"]) == Counter(e[3] for e in entries).most_common(1)[0][0], key
    stages = {(r["stage"], r["organisation"]): r for r in tables["stages"]}
    assert set(stages) == set(expected["stages"])
    for stage, counts in expected["stages"].items():
        row = stages[stage]
        assert int(row["learners"]) == int(row["started"]) == counts["learners"]
        assert int(row["completed"]) == counts["completed"] and int(row["passed"]) == counts["passed"]
        assert float(row["completion_rate"]) == pytest.approx(counts["completed"] / counts["learners"], abs=5e-4)
        assert float(row["pass_rate"]) == pytest.approx(counts["passed"] / counts["assessed"], abs=5e-4)
    got = {(r["stage"], r["organisation"], int(r["pcf_domain"])): r for r in tables["domains"]}
    assert set(got) == set(expected["domains"])
    for key, means in expected["domains"].items():
        assert int(got[key]["learners"]) == len(means)
        assert float(got[key]["mean"]) == pytest.approx(mean(means), abs=5e-4)
    top = [(r["question"], int(r["wrong"])) for r in tables["questions"]]
    assert [n for _, n in top] == sorted(expected["wrong"].values(), reverse=True)[:10]
    assert all(expected["wrong"][q] == n for q, n in top)
    for row in tables["questions"]:
        assert int(row["learners"]) == len(expected["learners"][row["question"]])
        assert row["question"].endswith(f'/questions/{row["stage"]}-{row["description"].split()[1]}')


def read_csv_tables(folder) -> dict:
    return {name: list(csv.DictReader((folder / f"baseline-{name}.csv").open()))
            for name in ("scores", "domains", "stages", "questions")}


def test_baseline_from_a_file_equals_the_plain_computation(generated, tmp_path):
    source = tmp_path / "s.jsonl"
    source.write_text("".join(json_lines(generated)))
    result = CliRunner().invoke(main, ["report", "baseline", str(source), "--csv", str(tmp_path / "out"),
                                       "--html", str(tmp_path / "b.html")])
    assert result.exit_code == 0, result.output
    assert f"{len(generated)} statement(s), {LEARNERS} learner-stage(s)" in result.stderr
    check_tables(read_csv_tables(tmp_path / "out"), expected_figures(generated))
    page = (tmp_path / "b.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "<link" not in page  # self-contained
    bars = sum(int(r[f"score_{p}"]) > 0 for r in read_csv_tables(tmp_path / "out")["scores"] if r["period"] == ALL
               for p in range(1, 6))
    rates = 9 * 2 * 2  # 9 rows (3 stages x all organisations and 2) x 2 rates x (track and bar)
    assert page.count('<rect x="') == bars + rates  # and a rect per rating point with learners


def test_baseline_from_ralph_equals_the_plain_computation(ralph_factory, generated, tmp_path):
    server = ralph_factory(env={"RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000"})
    for start in range(0, len(generated), 1000):
        assert server.post(generated[start:start + 1000]).status == 200
    env = {"ELEARN_LRS_ENDPOINT": server.endpoint, "ELEARN_LRS_USERNAME": server.username,
           "ELEARN_LRS_PASSWORD": server.password}
    result = CliRunner().invoke(main, ["report", "baseline", "--from-lrs", "--limit", "1000", "--csv",
                                       str(tmp_path)], env=env)
    assert result.exit_code == 0, result.output
    assert f"{len(generated)} statement(s), {LEARNERS} learner-stage(s)" in result.stderr
    check_tables(read_csv_tables(tmp_path), expected_figures(generated))


def test_organisation_from_the_home_page(generated):
    tables = Baseline("homepage").add_all(generated[:2000]).tables()
    orgs = {r["organisation"] for r in tables["scores"]} - {ALL}
    assert orgs == {"https://lms.council-a.example.org", "https://lms.council-b.example.org"}


def test_missing_organisation_falls_back_to_the_home_page(generated):
    statements = json.loads(json.dumps(generated[:300]))
    for s in statements:
        del s["context"]["extensions"][EXT + "organisation"]
    orgs = {r["organisation"] for r in Baseline().add_all(statements).scores()} - {ALL}
    assert orgs <= {"https://lms.council-a.example.org", "https://lms.council-b.example.org"} and orgs


def test_html_escapes_every_value(generated):
    statements = json.loads(json.dumps(generated[:200]))
    for s in statements:
        s["context"]["extensions"][EXT + "organisation"] = '<script>alert("x")</script>'
        if s["object"]["id"].endswith("-q1"):
            s["object"]["id"] = "https://q.example/<img src=x onerror=alert(1)>"
    page = render(Baseline().add_all(statements).tables())
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_memory_does_not_grow_with_statements():
    """The same 30 learners' statements fed 5 or 40 times: the aggregate's memory stays the same."""
    one_pass = list(generate_statements(seed=3, learners=30))

    def peak(times: int) -> int:
        tracemalloc.start()
        Baseline().add_all(itertools.chain.from_iterable(itertools.repeat(one_pass, times)))
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    small, large = peak(5), peak(40)
    assert large < small * 1.2 + 50_000, (small, large)


@pytest.mark.parametrize("content, message", [
    ("not json\n", "s.jsonl:1:1: not JSON (Expecting value)"),
    ('{"id": "a"}\n"text"\n', "s.jsonl:2: expected a JSON object (a statement), got str"),
])
def test_malformed_statements_file(tmp_path, content, message):
    (tmp_path / "s.jsonl").write_text(content)
    result = CliRunner().invoke(main, ["report", "baseline", str(tmp_path / "s.jsonl")])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_wrong_credentials_and_unreachable_lrs(ralph):
    ralph.start()
    env = {"ELEARN_LRS_ENDPOINT": ralph.endpoint, "ELEARN_LRS_USERNAME": ralph.username,
           "ELEARN_LRS_PASSWORD": "wrong-secret"}
    result = CliRunner().invoke(main, ["report", "baseline", "--from-lrs"], env=env)
    assert result.exit_code == 1 and "refused the credentials (401)" in result.output
    assert "wrong-secret" not in result.output and "Traceback" not in result.output
    from lrs.server import free_port

    env["ELEARN_LRS_ENDPOINT"] = f"http://127.0.0.1:{free_port()}/xAPI/"
    result = CliRunner().invoke(main, ["report", "baseline", "--from-lrs", "--retries", "0"], env=env)
    assert result.exit_code == 1 and "cannot reach the LRS" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("threshold", [0.5, 1.0])
def test_a_gap_counts_from_the_threshold(generated, threshold):
    """With a threshold, the share with a gap counts the learners whose recorded gap is at least that."""
    rows = Baseline(gap_threshold=threshold).add_all(generated[:3000]).scores()
    first = {}
    for s in generated[:3000]:
        if verb(s) == "self-assessed":
            key = (s["actor"]["account"]["name"], ext(s, "stage"))
            first.setdefault(key, s["result"]["extensions"][EXT + "gaps"])
    fewer = 0
    for row in (r for r in rows if r["organisation"] == ALL):
        gaps = [g[row["key_area"]] for (_, stage), g in first.items() if stage == row["stage"]]
        assert row["share_with_gap"] == pytest.approx(sum(g >= threshold for g in gaps) / len(gaps), abs=5e-4)
        fewer += row["share_with_gap"] < sum(g > 0 for g in gaps) / len(gaps) - 5e-4
    assert fewer == (0 if threshold == 0.5 else 12)  # generated gaps go by halves: 0.5 is any gap, 1.0 fewer
