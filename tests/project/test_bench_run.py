"""benches/http/run.py's round order and its round-by-round ratio: each
heaven contender is measured right next to the bare app of its interface,
every contender runs once a round, and the paired ratio is each round's
heaven over the same round's bare app. So the harness cannot drift while
nobody runs the full bench."""

import importlib.util
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benches" / "http" / "run.py"
EVERYONE = ["heaven", "heaven_rsgi", "bare", "bare_rsgi", "starlette", "fastapi", "litestar", "blacksheep", "heaven_243"]


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_http_run", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


@pytest.mark.parametrize("contenders", [EVERYONE, ["heaven", "bare"], ["bare_rsgi", "heaven_rsgi", "starlette"], ["heaven", "heaven_rsgi"]])
def test_every_round_runs_each_contender_once_with_the_twins_side_by_side(run, contenders):
    firsts = set()
    for rnd in range(6):
        order = run.run_order(contenders, rnd)
        assert sorted(order) == sorted(contenders), order
        firsts.add(order[0])
        for heaven, bare in run.TWINS.items():
            if heaven in contenders and bare in contenders:
                assert abs(order.index(heaven) - order.index(bare)) == 1, (rnd, order)
    if len(contenders) > 2:
        assert len(firsts) > 1  # the order rotates


@pytest.mark.parametrize("contenders", [EVERYONE, ["heaven", "bare"], ["bare_rsgi", "heaven_rsgi", "starlette"]])
def test_each_endpoint_of_the_twins_is_measured_back_to_back(run, contenders):
    endpoints = ["plaintext", "json", "params", "params_1000", "hooks"]
    for rnd in range(4):
        steps = [(c, ep) for _, _, runs in run.schedule(contenders, endpoints, rnd) for c, ep in runs]
        assert sorted(steps) == sorted((c, ep) for c in contenders for ep in endpoints)  # each once a round
        for heaven, bare in run.TWINS.items():
            if heaven in contenders and bare in contenders:
                for ep in endpoints:
                    assert abs(steps.index((heaven, ep)) - steps.index((bare, ep))) == 1, (rnd, ep, steps)
        for unit, app, runs in run.schedule(contenders, endpoints, rnd):
            assert {c for c, _ in runs} == set(unit)  # the servers started together are the ones measured
            assert {ep for _, ep in runs} == {ep for a, eps in run.groups(endpoints) if a == app for ep in eps}


def test_the_twins_take_turns_going_first(run):
    orders = [run.run_order(["heaven", "bare"], rnd) for rnd in range(4)]
    assert orders == [["heaven", "bare"], ["bare", "heaven"]] * 2


def test_the_endpoints_take_turns_being_measured_first_after_a_start(run):
    endpoints = ["plaintext", "json", "params", "params_1000", "hooks"]
    main = [ep for app, eps in run.groups(endpoints) if app == run.MAIN for ep in eps]
    firsts = []
    for rnd in range(len(main)):
        unit, app, runs = run.schedule(["heaven", "bare"], endpoints, rnd)[0]
        assert app == run.MAIN
        firsts.append(runs[0][1])
        assert [ep for _, ep in runs[::2]] == main[rnd:] + main[:rnd]  # the order kept, only its start moves
    assert sorted(firsts) == sorted(main)  # each endpoint first once in as many rounds


def test_the_paired_ratio_is_taken_round_by_round(run):
    def runs(*rps):
        return [run.Run(rps=r, requests=int(r), p50_ms=1.0, p99_ms=2.0) for r in rps]

    # bare swings with the machine's load; heaven at 0.9 of it in every round
    results = {
        ("heaven", "json"): runs(45.0, 72.0, 36.0),
        ("bare", "json"): runs(50.0, 80.0, 40.0),
    }
    rows = run.paired(results, ["json"], ["heaven", "bare"])
    assert rows[-1] == "| json | heaven / bare | 0.90 | 0.90 | 0.90 – 0.90 |"
    # the ratio of medians can disagree with the pairs when rounds swing
    results[("heaven", "json")] = runs(40.0, 48.0, 46.0)
    row = run.paired(results, ["json"], ["heaven", "bare"])[-1]
    assert row == "| json | heaven / bare | 0.92 | 0.80 | 0.60 – 1.15 |"
    assert run.paired(results, ["json"], ["heaven"]) == []  # no bare app, no pairs
