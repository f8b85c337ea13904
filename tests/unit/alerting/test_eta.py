"""The ETA model: medians of past runs, lateness of the latest step, spread from the MAD."""

from __future__ import annotations

from maestoso.alerting.eta import PastRun, StepNow, estimate, learn

S = 1000


def past(start: int, load_end: int, end: int) -> PastRun:
    return PastRun(start, end, {"load": (start, load_end), "publish": (load_end, end)})


HISTORY = [
    past(t * 100 * S, t * 100 * S + 6 * S, t * 100 * S + d * S)
    for t, d in enumerate([10, 10, 11, 9, 10])
]


def test_too_little_history_gives_no_model() -> None:
    assert learn(HISTORY[:2]) is None


def test_an_outlier_barely_moves_the_model() -> None:
    model = learn([*HISTORY, past(900 * S, 906 * S, 2000 * S)])
    assert model is not None
    assert model.duration == 10 * S
    assert model.spread < 1.5 * S
    assert model.steps["load"].end == 6 * S


def test_a_run_on_time_is_expected_at_its_usual_duration() -> None:
    model = learn(HISTORY)
    assert model is not None
    eta = estimate(model, 0, 3 * S, {"load": StepNow(0, None)})
    assert eta.end_time == 10 * S
    assert eta.behind == ()
    assert 0 < eta.confidence < 1 and eta.history_runs == 5


def test_a_step_running_past_its_usual_end_pushes_the_estimate_and_is_named() -> None:
    model = learn(HISTORY)
    assert model is not None
    eta = estimate(model, 0, 9 * S, {"load": StepNow(0, None)})
    assert eta.end_time == 13 * S  # 3 s late on a 10 s run
    assert eta.behind[0] == ("load", 3 * S)
    assert eta.earliest <= eta.end_time <= eta.latest


def test_a_finished_late_step_counts_by_how_late_it_ended() -> None:
    model = learn(HISTORY)
    assert model is not None
    eta = estimate(model, 0, 8 * S, {"load": StepNow(0, 8 * S), "publish": StepNow(8 * S, None)})
    assert eta.end_time == 12 * S
    assert [step for step, _ in eta.behind] == ["load", "publish"] or eta.behind[0][0] == "load"


def test_the_estimate_is_never_in_the_past() -> None:
    model = learn(HISTORY)
    assert model is not None
    eta = estimate(model, 0, 30 * S, {"load": StepNow(0, 6 * S), "publish": StepNow(6 * S, None)})
    assert eta.end_time >= 30 * S
