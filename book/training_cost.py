"""What a training run costs, from the arithmetic up.

The chain of reasoning, one function per step:

* ``training_flops``: about 6 FLOPs per active parameter per training token (Kaplan et al.,
  2020): 2 for the forward pass and 4 for the backward pass;
* ``gpu_hours``: FLOPs divided by what one chip delivers, its dense peak at the precision used
  times the utilisation reached (MFU, model FLOPs utilisation);
* ``implied_mfu``: the same relation read backwards, from a reported number of GPU-hours;
* ``wall_clock_days``: GPU-hours spread over a cluster;
* ``rental_cost``, ``energy_kwh`` (thermal design power times the data centre's power usage
  effectiveness, PUE) and ``electricity_cost``;
* ``grown`` and ``years_to_reach``: where a trend of so many times a year leads, and how long it
  takes to get there;
* ``months_apart``: how far apart two events are when a source dates each only as a range of
  months before the same day.

The reported runs are in ``book/data/training_runs.csv`` (``load_runs``, ``run_totals``). Units
are named in every argument: FLOPs as counts, TFLOPS as 10^12 FLOP/s, hours, kWh, US dollars.
Standard library only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from book.tables import DATA_DIR, column, read_records
from book.validate import count, fraction, positive

TRAINING_RUNS_CSV = DATA_DIR / "training_runs.csv"
COST_ESTIMATES_CSV = DATA_DIR / "cost_estimates.csv"

#: FLOPs per active parameter per training token: forward 2, backward 4
FLOPS_PER_PARAMETER_TOKEN = 6
#: seconds in an hour, for turning FLOP/s into FLOPs per GPU-hour
SECONDS_PER_HOUR = 3600


def training_flops(active_parameters: float, tokens: float) -> float:
    """Training compute C = 6 N D: ``active_parameters`` N (a count, not billions) seen on
    ``tokens`` D training tokens."""
    return FLOPS_PER_PARAMETER_TOKEN * positive("active_parameters", active_parameters) * positive("tokens", tokens)


def gpu_hours(flops: float, peak_tflops: float, mfu: float) -> float:
    """Chip-hours to do ``flops`` on chips with a dense peak of ``peak_tflops`` at utilisation ``mfu``."""
    return positive("flops", flops, allow_zero=True) / (positive("peak_tflops", peak_tflops) * 1e12
                                                        * fraction("mfu", mfu) * SECONDS_PER_HOUR)


def implied_mfu(flops: float, hours: float, peak_tflops: float) -> float:
    """The utilisation a run must have reached to do ``flops`` in ``hours`` chip-hours.

    Above 1 means the reported hours cannot have done that much computation at that peak.
    """
    seconds = positive("hours", hours) * SECONDS_PER_HOUR
    return positive("flops", flops) / (seconds * positive("peak_tflops", peak_tflops) * 1e12)


def wall_clock_days(hours: float, chips: int) -> float:
    """Days a run of ``hours`` chip-hours takes on ``chips`` chips working together."""
    return positive("hours", hours, allow_zero=True) / count("chips", chips) / 24


def rental_cost(hours: float, usd_per_hour: float) -> float:
    """US dollars to rent ``hours`` chip-hours at ``usd_per_hour``."""
    return positive("hours", hours, allow_zero=True) * positive("usd_per_hour", usd_per_hour, allow_zero=True)


def energy_kwh(hours: float, tdp_w: float, pue: float = 1.0) -> float:
    """Electricity for ``hours`` chip-hours at the chips' thermal design power ``tdp_w`` (W),
    times the data centre's power usage effectiveness ``pue`` (>= 1: cooling and the rest).

    A rough estimate in both directions: chips seldom draw their full TDP the whole time (so the
    chips' own share is overstated), while the servers' other parts (processors, memory, network)
    are left out (so the server's draw is understated)."""
    if isinstance(pue, bool) or not isinstance(pue, (int, float)) or not 1 <= pue <= 5:
        raise ValueError(f"pue must be a number from 1 to 5, got {pue!r}")
    return positive("hours", hours, allow_zero=True) * positive("tdp_w", tdp_w) / 1000 * pue


def electricity_cost(kwh: float, usd_per_kwh: float) -> float:
    """US dollars for ``kwh`` at ``usd_per_kwh``."""
    return positive("kwh", kwh, allow_zero=True) * positive("usd_per_kwh", usd_per_kwh, allow_zero=True)


def grown(value: float, factor_per_year: float, years: float) -> float:
    """``value`` after ``years`` of growth (or decline, for a factor below 1) by ``factor_per_year``."""
    return positive("value", value, allow_zero=True) * positive("factor_per_year", factor_per_year) ** years


def years_to_reach(value: float, target: float, factor_per_year: float) -> float:
    """Years of growth (or decline) by ``factor_per_year`` that take ``value`` to ``target``: the
    inverse of ``grown``. Raises a ValueError if the factor is 1 (nothing changes) or points away
    from the target (growth towards a smaller target, decline towards a larger one)."""
    start, end = positive("value", value), positive("target", target)
    factor = positive("factor_per_year", factor_per_year)
    if factor == 1 and start != end:
        raise ValueError("factor_per_year must not be 1: nothing then changes")
    years = math.log(end / start) / math.log(factor) if start != end else 0.0
    if years < 0:
        raise ValueError(f"factor_per_year {factor!r} moves {start!r} away from target {end!r}")
    return years


def _months_range(name: str, value: object) -> tuple[float, float]:
    """A pair (fewest, most) of months, both >= 0 and the first no larger than the second."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a pair (fewest, most) of months, got {value!r}")
    low, high = (positive(name, month, allow_zero=True) for month in value)
    if low > high:
        raise ValueError(f"{name} must list the fewest months first, got {value!r}")
    return low, high


def months_apart(earlier_months_before: tuple[float, float],
                 later_months_before: tuple[float, float]) -> tuple[float, float]:
    """The fewest and the most months between two events that a source dates only as ranges of
    months before one reference day (such as the day an essay was published).

    ``earlier_months_before`` is the earlier event's range (fewest, most months before that day),
    ``later_months_before`` the later event's. The fewest months pair the earlier event's latest
    possible date with the later event's earliest; the most, the other way round. Example: Claude
    3.5 Sonnet trained 9 to 12 months before Amodei's essay, DeepSeek-V3's run ending 1 to 2 months
    before it, gives (7, 11). Raises a ValueError if the ranges overlap, so that the order of the
    two events is not known."""
    earlier = _months_range("earlier_months_before", earlier_months_before)
    later = _months_range("later_months_before", later_months_before)
    fewest, most = earlier[0] - later[1], earlier[1] - later[0]
    if fewest < 0:
        raise ValueError(f"earlier_months_before {earlier_months_before!r} overlaps later_months_before "
                         f"{later_months_before!r}: the order of the two events is not known")
    return fewest, most


# --------------------------------------------------------------------------------------------
# reported runs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RunStage:
    """One stage of a reported training run (a row of ``training_runs.csv``)."""

    run: str = column("text", required=True)
    stage: str = column("text", required=True)
    active_params_b: float = column("float", required=True, low=0.01, high=100_000.0)
    tokens_t: float | None = column("float", low=0.0001, high=1000.0)
    gpu_hours: float = column("float", required=True, low=1.0, high=1e10)
    chip: str = column("text", required=True)
    chips: int | None = column("int", low=1, high=10_000_000)
    reported_flops: float | None = column("float", low=1e15, high=1e30)
    mfu_low: float | None = column("float", low=0.001, high=1.0)
    mfu_high: float | None = column("float", low=0.001, high=1.0)
    usd_per_gpu_hour: float | None = column("float", low=0.01, high=1000.0)
    reported_cost_musd: float | None = column("float", low=0.0, high=1e6)
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"))
    source: str = column("text", required=True)
    note: str = column("text")


@lru_cache(maxsize=1)
def load_runs() -> tuple[RunStage, ...]:
    """Every reported stage, in file order (validated)."""
    return read_records(TRAINING_RUNS_CSV, RunStage)


def run_stages(run: str) -> list[RunStage]:
    stages = [stage for stage in load_runs() if stage.run == run]
    if not stages:
        raise KeyError(f"no run called {run!r}; runs: {sorted({s.run for s in load_runs()})}")
    return stages


@dataclass(frozen=True)
class RunTotals:
    run: str
    gpu_hours: float
    rental_usd: float | None

    def stage_hours(self) -> dict[str, float]:
        return {stage.stage: stage.gpu_hours for stage in run_stages(self.run)}


def run_totals(run: str) -> RunTotals:
    """Total GPU-hours of a run and their rental value at the run's own hourly price (None if
    the run reports none)."""
    stages = run_stages(run)
    hours = sum(stage.gpu_hours for stage in stages)
    prices = {stage.usd_per_gpu_hour for stage in stages}
    rental = None if None in prices else sum(rental_cost(s.gpu_hours, s.usd_per_gpu_hour) for s in stages)
    return RunTotals(run, hours, rental)


# --------------------------------------------------------------------------------------------
# published cost estimates, for comparisons
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CostEstimate:
    """A published figure for what a model or a fleet cost, with what it counts (``what``), its
    ``basis`` (rental value, purchase, or not stated) and a range; ``high_usd`` None means "over
    ``low_usd``"."""

    key: str = column("text", required=True)
    model: str = column("text", required=True)
    what: str = column("text", required=True)
    low_usd: float = column("float", required=True, low=0.0, high=1e12)
    high_usd: float | None = column("float", low=0.0, high=1e12)
    training_flops: float | None = column("float", low=1e15, high=1e30)
    trained_year: float | None = column("float", low=2010.0, high=2040.0)
    released: str = column("text")
    basis: str = column("choice", required=True, choices=("rental", "purchase", "unstated"))
    confidence: str = column("choice", required=True, choices=("datasheet", "reported", "estimate"))
    source: str = column("text", required=True)
    note: str = column("text")

    def __post_init__(self) -> None:
        if self.high_usd is not None and self.high_usd < self.low_usd:
            raise ValueError(f"cost estimate {self.key!r}: high_usd {self.high_usd!r} is below low_usd {self.low_usd!r}")

    @property
    def middle_usd(self) -> float:
        """The geometric middle of the range (the low end when only a lower bound is known)."""
        return (self.low_usd * self.high_usd) ** 0.5 if self.high_usd else self.low_usd

    @property
    def usd_per_flop(self) -> float | None:
        """Dollars per training FLOP, where the estimate gives both."""
        return self.middle_usd / self.training_flops if self.training_flops else None


@lru_cache(maxsize=1)
def load_cost_estimates() -> tuple[CostEstimate, ...]:
    """Every published cost estimate, in file order (validated)."""
    return read_records(COST_ESTIMATES_CSV, CostEstimate)


def cost_estimate(key: str) -> CostEstimate:
    """The estimate called ``key`` (a KeyError lists the keys)."""
    for estimate in load_cost_estimates():
        if estimate.key == key:
            return estimate
    raise KeyError(f"no cost estimate called {key!r}; keys: {[e.key for e in load_cost_estimates()]}")
