"""Aligning one camera's shooting times with other devices' (people shoot with both at the same
stops): the clock offset, in seconds, that puts the camera's photos where the other devices were
shooting.

The other devices' photos form *activity intervals*: runs of photos each within ``JOIN_S`` of the
previous one (a stop, from the first photo taken there to the last). A camera photo inside an
interval fits; one outside is as far off as the nearest interval, capped at ``COST_CAP_S``. This
truncated-L1 cost is the negative log-likelihood of "shot while the other devices were active, or
anywhere", and it holds whether the user shoots both at the same moments or the phone on arriving
and leaving and the camera in between.

Candidate offsets come from votes: every difference between a camera photo and a reference photo
(within ``max_offset_s``) votes once per camera burst in bins of ``tolerance_s``. Each candidate is
judged by the cheapest cost within 15 minutes of it; the best is the middle of its cheapest
plateau, and a *rival* is the cheapest candidate more than ``RIVAL_S`` away (nearer offsets are
the same explanation, less precise). The margin between them, in capped photos, is the evidence:
``STRONG_MARGIN`` kept wrong strong clocks at zero in the trials of benchmarks/bench_trips.py, and
the bursts drawn again (a bootstrap) must keep every rival behind (``rival_margin``). How
far the true offset may lie from the best (the spread, ``Fit.uncertainty_s``): a bootstrap over
bursts for their scatter, and for a bias they all share (the active stretches are not the stays)
every offset whose timing is nearly as cheap (more so where the other devices show the stays thinly),
unless photos of the same scene pin it (``valley_s``, ``thin_reference``, ``pairs_agree``).
All of it is vectorised (NumPy) and linear in the photos within the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from geor.engine.geo.reference import haversine_km  # NumPy: a few points per call, no kernel to load

MAX_OFFSET_S = 15 * 3600.0  # time zones span -12..+14 h; a clock may be off a little beyond
TOLERANCE_S = 180.0  # a camera photo this near an activity interval "co-occurs" with it
BURST_GAP_S = 300.0  # camera photos each within this of the previous are one burst
JOIN_S = 1800.0  # reference photos each within this of the previous are one activity interval
SPLIT_M = 300.0  # ... unless they are further apart than this: the user moved between them
REPRESENTATIVES = 5  # photos per burst that vote (first, last and evenly between)
CANDIDATES = 8
RIVAL_S = 1800.0  # a rival explanation is an offset further than this from the best
COST_CAP_S = 600.0  # a camera photo further than this from every interval costs the same, wherever it is
PAIR_CAP_S = 180.0  # a camera photo that looks like a reference photo was shot within this of it, if it is the same scene at all
PAIR_WEIGHT = 2.0  # ... and an offset that puts them further apart costs as much as this many photos outside every interval
CHUNK_CELLS = 1_000_000  # photos x offsets judged at once (a cost array of 8 MB and its temporaries)
VALLEY_PER_PHOTO_S = 90.0  # timing costs this much more per camera photo than the cheapest offset's: as likely (valley_s)
THICK_MOMENTS = 10.0  # ... where the other devices' stretches hold this many moments each on average; more where fewer (thin_reference)
SHOT_GAP_S = 15.0  # ... a moment: photos each within this of the previous (a burst of the shutter)
MIN_PAIRS = 3  # independent alike pairs that, agreeing with the timing, make its bootstrap spread the clock's (pairs_agree)
#: Frames of one device this close (seconds, each to the next) are one moment, a burst: alike pairs from one moment are one coincidence.
MOMENT_GAP_S = 60.0
STRONG_MARGIN = 4.0  # capped photos by which the best offset must beat every rival to be strong evidence
RIVAL_QUANTILE = 0.025  # ... and by more than SURE_MARGIN in all but this share of the bursts drawn again (rival_margin)
SURE_MARGIN = 0.0
NOISE_REACH_S = 3600.0  # how far from the best offset the noise band is looked for (10 s steps)
BOOTSTRAP_ROUNDS = 300
BOOTSTRAP_SEED = 20260109
STRONG_WIDTH_S = 120.0  # a clock is strong only when every offset within the noise lies this near the best
# The bootstrap measures the bursts' scatter (on a 10 s grid), not a bias they share (a phone shooting on
# arriving, a camera shooting late in its stops): the spread is twice its range, at least SPREAD_FLOOR_S,
# and, unless alike pairs agree with the timing, at least the timing's valley (valley_s). On 150 generated
# trips of each of tests/helpers/trip_family.py's ten shapes (1,500): no strong clock more than 2 min off,
# no written photo beyond its radius, and of the 619 strong or bounded clocks two outside their spread, both
# of the camera-late shape (886 s off, said +- 870 s; 623 s, said +- 550 s). On 1,000 more a shape (with rival_margin and
# the valley of each part of a changed clock): no strong clock or part more than 2 min off; 4 photos in 3 trips beyond their
# radius, each from a bounded clock outside its spread (a sparse phone's, two camera-late ones'); with independent_pairs and
# thin_reference none: README, "generated trip family".
SPREAD_SAFETY = 2.0
SPREAD_FLOOR_S = 60.0
SURE_BURSTS = 12  # fewer matched bursts than this are too few for the bootstrap to measure their spread: weak
BOUNDED_WIDTH_S = 1200.0  # ... and bounded (its photos placed where the stretch cannot move them) within this

Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Alignment:
    offset_s: float  # camera clock minus the reference timeline (UTC)
    bursts_matched: int
    residual_s: float  # median distance of the matched camera photos to the activity intervals


@dataclass(frozen=True)
class Fit:
    """The best offset, how far it stands out, and the other candidates."""

    best: Alignment
    margin: float  # how much worse the best rival explains the photos, in capped photos; inf: no rival
    runner_up_offset_s: float | None  # the best rival
    uncertainty_s: float  # the farthest offset within the noise of the best (``within_noise``), from the best
    candidates: list[Alignment]
    sure_margin: float = float("inf")  # the margin over every rival that the bursts drawn again keep (``rival_margin``)
    sure_rival_s: float | None = None  # the rival that margin is over

    @property
    def strength(self) -> str:
        """strong: no rival (none within ``STRONG_MARGIN`` capped photos of the best, none that the
        bursts drawn again let win, ``rival_margin``), and every offset within the noise within ``STRONG_WIDTH_S``; bounded:
        no rival, but the offset known only to +- ``uncertainty_s`` (at most ``BOUNDED_WIDTH_S``);
        weak otherwise (a rival fits almost as well, or too few bursts to tell)."""
        if (self.best.bursts_matched < SURE_BURSTS or self.margin < STRONG_MARGIN or self.sure_margin <= SURE_MARGIN
                or self.uncertainty_s > BOUNDED_WIDTH_S):
            return "weak"
        return "strong" if self.uncertainty_s <= STRONG_WIDTH_S else "bounded"

    @property
    def strong(self) -> bool:
        return self.strength == "strong"


EMPTY: Floats = np.zeros(0)


@dataclass(frozen=True)
class Activity:
    """The reference photos and the intervals they form; and, for one camera, its *alike pairs*:
    each of its photos that looks like a reference photo (the same scene, by perceptual hash),
    as the camera's clock reading and the reference photo's UTC moment (``pair_local`` sorted)."""

    times: Floats
    starts: Floats
    ends: Floats
    pair_local: Floats = field(default_factory=lambda: EMPTY)
    pair_ref: Floats = field(default_factory=lambda: EMPTY)

    @classmethod
    def of(cls, reference: Floats | Activity, join_s: float = JOIN_S, places: Floats | None = None,
           pairs: tuple[Floats, Floats] | None = None) -> Activity:
        """``places``: (lat, lon) of each reference photo, NaN where unknown; two photos further
        than ``SPLIT_M`` apart end an interval between them (the user moved on), however close in
        time. ``pairs``: (camera clock readings, reference UTC moments) of alike photos."""
        if isinstance(reference, Activity):
            return reference
        reference = np.asarray(reference, dtype=np.float64)
        if len(reference) == 0:
            return cls(reference, reference, reference).with_pairs(pairs)
        ends_here = np.diff(reference) > join_s
        if places is not None and len(reference) > 1:
            apart_m = 1000 * np.asarray(haversine_km(places[:-1, 0], places[:-1, 1], places[1:, 0], places[1:, 1]))
            with np.errstate(invalid="ignore"):
                ends_here |= apart_m > SPLIT_M  # NaN (no position) never splits
        breaks = np.flatnonzero(ends_here)
        starts = reference[np.concatenate([[0], breaks + 1])]
        ends = reference[np.concatenate([breaks, [len(reference) - 1]])]
        return cls(reference, starts, ends).with_pairs(pairs)

    def with_pairs(self, pairs: tuple[Floats, Floats] | None) -> Activity:
        """The same intervals with one camera's alike pairs (camera clock readings, reference UTC
        moments), sorted by the clock reading; None or none: without."""
        if pairs is None or not len(pairs[0]):
            return replace(self, pair_local=EMPTY, pair_ref=EMPTY)
        order = np.argsort(pairs[0], kind="stable")
        return replace(self, pair_local=np.asarray(pairs[0], dtype=np.float64)[order], pair_ref=np.asarray(pairs[1], dtype=np.float64)[order])

    def residual(self, times: Floats) -> Floats:
        """Signed distance of each time to the nearest interval (0 inside; negative: before it)."""
        k = self.stretch_of(times)
        return np.minimum(times - self.starts[k], 0.0) + np.maximum(times - self.ends[k], 0.0)

    def stretch_of(self, times: Floats) -> NDArray[np.intp]:
        """The index of the interval each time lies in, or else the nearer of the two beside it."""
        i = np.searchsorted(self.starts, times, side="right") - 1
        last = len(self.starts) - 1
        before, after = np.clip(i, 0, last), np.clip(i + 1, 0, last)
        to_before = np.where(i >= 0, times - self.ends[before], np.inf)  # <= 0: inside it
        to_after = np.where(i + 1 <= last, self.starts[after] - times, np.inf)
        return np.where(to_before <= to_after, before, after)

    def photo_costs(self, local: Floats, offsets: Floats) -> Floats:
        """[photo, offset]: how far outside the intervals each camera photo falls (capped), plus,
        for a photo with alike pairs, how far from the nearest of its alike reference photos
        (capped at ``PAIR_CAP_S``, weighing ``PAIR_WEIGHT`` capped photos)."""
        shifted = local[:, None] - offsets[None, :]
        cost = np.minimum(np.abs(self.residual(shifted.ravel())), COST_CAP_S).reshape(shifted.shape)
        if len(self.pair_local):
            firsts = np.flatnonzero(np.concatenate([[True], np.diff(self.pair_local) != 0]))
            keys = self.pair_local[firsts]
            slot = np.clip(np.searchsorted(keys, local), 0, len(keys) - 1)
            paired = keys[slot] == local
            if paired.any():
                apart = np.abs(self.pair_local[:, None] - offsets[None, :] - self.pair_ref[:, None])
                nearest = np.minimum.reduceat(np.minimum(apart, PAIR_CAP_S), firsts, axis=0)
                cost[paired] += nearest[slot[paired]] * (PAIR_WEIGHT * COST_CAP_S / PAIR_CAP_S)
        return cost

    def cost(self, local: Floats, offsets: Floats) -> Floats:
        """The summed cost of each offset, ``CHUNK_CELLS`` photos x offsets at a time (a camera of
        20,000 photos judged at 361 offsets needs 58 MB per temporary array otherwise)."""
        local, offsets = np.asarray(local, dtype=np.float64), np.asarray(offsets, dtype=np.float64)
        chunk = max(1, CHUNK_CELLS // max(len(local), 1))
        costs: Floats = np.concatenate([self.photo_costs(local, offsets[k:k + chunk]).sum(axis=0)
                                        for k in range(0, len(offsets), chunk)]) if len(offsets) else np.zeros(0)
        return costs


def split_bursts(times: Floats, gap_s: float = BURST_GAP_S) -> NDArray[np.int64]:
    """The burst index of each time (``times`` sorted)."""
    if len(times) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(np.diff(times) > gap_s)]).astype(np.int64)


def align(local: Floats, reference: Floats | Activity, *, max_offset_s: float = MAX_OFFSET_S, tolerance_s: float = TOLERANCE_S,
          burst_gap_s: float = BURST_GAP_S, centre_s: float = 0.0) -> Fit | None:
    """The offset (within ``centre_s`` +- ``max_offset_s``) that best puts the camera's photos
    where the reference photos were taken (module docstring), or None when no camera photo comes
    near a reference photo at any offset. ``local`` and ``reference`` are sorted seconds."""
    local = np.asarray(local, dtype=np.float64)
    activity = Activity.of(reference)
    if len(local) == 0 or len(activity.times) == 0:
        return None
    burst_of = split_bursts(local, burst_gap_s)
    starts = _coarse_votes(local, burst_of, activity.times, max_offset_s, tolerance_s, centre_s) + _pair_votes(activity, tolerance_s)
    if not starts:
        return None
    judged = sorted(_cheapest_near(local, activity, start) for start in starts)
    best_cost, best_offset = judged[0]
    low, high = _plateau(local, activity, best_offset)
    offset = _likeliest(low, high)
    best = score(local, burst_of, activity, offset, tolerance_s)
    rivals = [(cost, o) for cost, o in judged if abs(o - offset) > RIVAL_S]
    margin = (rivals[0][0] - best_cost) / COST_CAP_S if rivals else float("inf")
    candidates = [best]
    for _, o in judged[1:]:
        if all(abs(o - c.offset_s) > tolerance_s for c in candidates):
            candidates.append(score(local, burst_of, activity, o, tolerance_s))
    candidates.sort(key=lambda a: (-a.bursts_matched, a.residual_s))
    spread = spread_s(local, burst_of, activity, offset)
    sure, sure_rival = rival_margin(local, burst_of, activity, offset, [o for _, o in rivals]) if rivals else (float("inf"), None)
    return Fit(best, margin, rivals[0][1] if rivals else None, spread, candidates, sure, sure_rival)


def rival_margin(local: Floats, burst_of: NDArray[np.int64], activity: Activity, best_s: float, rivals: list[float],
                 rounds: int = BOOTSTRAP_ROUNDS) -> tuple[float, float]:
    """The margin by which the best offset beats every rival (in capped photos) that the evidence
    itself upholds: the bursts drawn again with replacement (as ``within_noise`` does), each rival's
    extra cost over the best in each draw, and of those the ``RIVAL_QUANTILE`` lowest. A margin that
    a few bursts make (a walking day whose phone shot through most of its hours: an offset 85 minutes
    off fitted 23 bursts, the true one 24 but with more photos outside) does not survive the draws."""
    starts, draws = _bursts_drawn_again(burst_of, rounds)
    offsets = np.array([best_s, *rivals], dtype=np.float64)
    totals = draws @ np.add.reduceat(activity.photo_costs(local, offsets), starts, axis=0)
    low = np.quantile(totals[:, 1:] - totals[:, :1], RIVAL_QUANTILE, axis=0)
    k = int(np.argmin(low))
    return round(float(low[k] / COST_CAP_S), 6), rivals[k]  # (rounded: a tie is 0 on every machine, and a tie is no margin)


def independent_pairs(local: Floats, ref: Floats, gap_s: float = MOMENT_GAP_S) -> int:
    """How many alike pairs are independent evidence: a camera's burst of frames alike to one
    phone photo by chance is one coincidence, not one per frame (nor is a phone's burst alike to one
    camera frame): the moments on each side, frames within ``gap_s`` of the next one moment, and the
    fewer of the two sides' counts."""
    def moments(times: Floats) -> int:
        ordered = np.sort(times)
        return int(len(ordered) and 1 + np.count_nonzero(np.diff(ordered) > gap_s))

    return min(moments(local), moments(ref))


def pairs_agree(activity: Activity, offset_s: float) -> bool:
    """Whether alike pairs (the same scene photographed by both devices) put the offset where the
    timing does: at least ``MIN_PAIRS`` of them independent (``independent_pairs``), their median
    within ``PAIR_CAP_S`` of it."""
    if independent_pairs(activity.pair_local, activity.pair_ref) < MIN_PAIRS:
        return False
    return bool(abs(float(np.median(activity.pair_local - activity.pair_ref)) - offset_s) <= PAIR_CAP_S)


def valley_s(local: Floats, activity: Activity, best_s: float, *, reach_s: float = NOISE_REACH_S, step_s: float = 30.0) -> float:
    """How far from ``best_s`` an offset may lie whose timing cost (alike pairs left out) is within
    ``VALLEY_PER_PHOTO_S`` per camera photo of the cheapest (more where the other devices show the
    stays thinly, ``thin_reference``): the truncated cost takes the other
    devices' active stretches for the stops, but the user stayed longer than either device shot,
    and where the camera shoots late in its stops and the phone early (or the reverse) every burst
    is pulled the same way, a bias a bootstrap over bursts cannot see (trips beside the family:
    9 minutes off with a bootstrap spread of 3). ``reach_s`` when the valley reaches that far; on a
    grid of ``step_s``, plus a step."""
    grid = best_s + np.arange(-reach_s, reach_s + step_s / 2, step_s)
    cost = activity.with_pairs(None).cost(local, grid)
    within = grid[cost <= cost.min() + VALLEY_PER_PHOTO_S * thin_reference(activity, local, best_s) * len(local)]
    return float(min(np.max(np.abs(within - best_s)) + step_s, reach_s))  # the valley's edge lies within a step beyond


def thin_reference(activity: Activity, local: Floats, offset_s: float) -> float:
    """How much wider the valley is where the other devices show the stays the camera shot in
    thinly: a stay known by one or two photos (a phone shooting once on arriving) tells when the user
    was there, not how long they stayed, and the camera's photos after them are pulled toward them by
    the unseen rest of the stay, all the same way. Of the camera photos within ``COST_CAP_S`` of an
    active stretch at ``offset_s``: ``THICK_MOMENTS`` over the moments (``SHOT_GAP_S``) their
    stretches hold on average, at least 1, and only in the share of them that fall outside their
    stretch (a phone shooting on arriving and on leaving shows the whole stay, however few its
    photos, and the camera's photos lie between). On 200 generated trips a shape
    (tests/helpers/trip_family.py): the true offset cost up to 173 s a camera photo more than the
    cheapest with a sparse phone (two moments a stretch), up to 48 s with a dense one (six)."""
    if not len(activity.starts) or not len(local):
        return 1.0
    moment = np.concatenate([[True], np.diff(activity.times) > SHOT_GAP_S])
    moments = np.bincount(np.searchsorted(activity.starts, activity.times[moment], side="right") - 1, minlength=len(activity.starts))
    shifted = np.asarray(local, dtype=np.float64) - offset_s
    apart = np.abs(activity.residual(shifted))
    near = apart < COST_CAP_S
    if not near.any():
        return 1.0
    thin = max(1.0, THICK_MOMENTS / float(np.mean(moments[activity.stretch_of(shifted[near])])))
    return 1.0 + (thin - 1.0) * float(np.mean(apart[near] > 0))


def spread_s(local: Floats, burst_of: NDArray[np.int64], activity: Activity, offset_s: float) -> float:
    """How far the true offset may be from ``offset_s``: ``SPREAD_SAFETY`` times the farther end
    of the stretch ``within_noise`` finds, at least ``SPREAD_FLOOR_S``, and, unless alike pairs agree
    with the timing, at least its valley (``valley_s``: a bias all the bursts share). For one offset
    of a whole trip (align) and for each part of a clock changed mid-trip (find_clock_change)."""
    low, high = within_noise(local, burst_of, activity, offset_s)
    spread = float(max(SPREAD_FLOOR_S, SPREAD_SAFETY * max(offset_s - low, high - offset_s)))
    return spread if pairs_agree(activity, offset_s) else max(spread, valley_s(local, activity, offset_s))


def within_noise(local: Floats, burst_of: NDArray[np.int64], activity: Activity, best_s: float, *, reach_s: float = NOISE_REACH_S,
                 step_s: float = 10.0, rounds: int = BOOTSTRAP_ROUNDS) -> tuple[float, float]:
    """The stretch of offsets around ``best_s`` that the evidence cannot tell from it, by a bootstrap
    over bursts (a burst's photos are not independent, so a burst is the unit): the bursts are
    drawn again with replacement ``rounds`` times, the cheapest offset within ``reach_s`` found for
    each draw, and the stretch spans the central 95 % of those offsets and the cheapest plateau of
    the bursts as they are. A camera shooting between another device's sparse photos gives each draw
    another cheapest offset, so the stretch is as wide as the evidence is vague. Deterministic (a
    fixed seed): a resumed job finds the same clocks."""
    grid = best_s + np.arange(-reach_s, reach_s + step_s / 2, step_s)
    starts, draws = _bursts_drawn_again(burst_of, rounds)
    chunk = max(1, CHUNK_CELLS // max(len(local), 1))  # offsets at a time: photos x offsets arrays stay small
    per_burst = np.concatenate([np.add.reduceat(activity.photo_costs(local, grid[k:k + chunk]), starts, axis=0)
                                for k in range(0, len(grid), chunk)], axis=1)
    totals = draws @ per_burst
    tie_break = np.abs(grid - best_s) * 1e-9  # among equally cheap offsets, the one nearest the best
    picks = grid[np.argmin(totals + tie_break, axis=1)]
    full = per_burst.sum(axis=0)
    cheapest = grid[full <= full.min() + 1e-6]
    low, high = np.quantile(picks, [0.025, 0.975])
    return float(min(low, cheapest.min())), float(max(high, cheapest.max()))


def _bursts_drawn_again(burst_of: NDArray[np.int64], rounds: int) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
    """(index of each burst's first photo, ``rounds`` draws of the bursts with replacement as counts
    per burst): the bootstrap ``within_noise`` and ``rival_margin`` share; a fixed seed, so a resumed
    job finds the same clocks."""
    starts = np.flatnonzero(np.concatenate([[True], np.diff(burst_of) != 0]))
    bursts = len(starts)
    return starts, np.random.default_rng(BOOTSTRAP_SEED).multinomial(bursts, np.full(bursts, 1 / bursts), size=rounds)


def _pair_votes(activity: Activity, tolerance_s: float) -> list[float]:
    """The offsets most alike pairs agree on (bins of ``tolerance_s``, at least two pairs)."""
    if len(activity.pair_local) < 2:
        return []
    bins = np.floor((activity.pair_local - activity.pair_ref) / tolerance_s).astype(np.int64)
    values, counts = np.unique(bins, return_counts=True)
    best = np.argsort(-counts, kind="stable")[:3]
    return [float((values[k] + 0.5) * tolerance_s) for k in best if counts[k] >= 2]


def score(local: Floats, burst_of: NDArray[np.int64], activity: Activity, offset_s: float, tolerance_s: float = TOLERANCE_S) -> Alignment:
    residual = activity.residual(local - offset_s)
    matched = np.abs(residual) <= tolerance_s
    median = float(np.median(np.abs(residual[matched]))) if matched.any() else float("inf")
    return Alignment(offset_s, len(np.unique(burst_of[matched])), median)


def _cheapest_near(local: Floats, activity: Activity, around_s: float) -> tuple[float, float]:
    """(cost, offset) of the cheapest offset within 15 min of ``around_s`` (20 s grid)."""
    grid = around_s + np.arange(-900.0, 900.1, 20.0)
    costs = activity.cost(local, grid)
    k = int(np.argmin(costs))
    return float(costs[k]), float(grid[k])


def _plateau(local: Floats, activity: Activity, around_s: float) -> tuple[float, float]:
    """The run of offsets (1 s steps, within 15 min) around ``around_s`` as cheap as the cheapest:
    when the camera shot between the other device's photos, any offset that keeps it there fits."""
    grid = around_s + np.arange(-900.0, 900.1, 5.0)
    costs = activity.cost(local, grid)
    low_cost = costs.min() + 1e-6
    k = int(np.argmin(np.abs(grid - around_s) + np.where(costs <= low_cost, 0, np.inf)))
    left = right = k
    while left > 0 and costs[left - 1] <= low_cost:
        left -= 1
    while right < len(grid) - 1 and costs[right + 1] <= low_cost:
        right += 1
    return float(grid[left]), float(grid[right])


def polish(local: Floats, reference: Floats | Activity, around_s: float) -> float:
    """The middle of the cheapest offsets within 15 min of ``around_s``, for a subset of a camera's
    photos (one segment of a clock that was changed)."""
    activity = Activity.of(reference)
    local = np.asarray(local, dtype=np.float64)
    _, cheapest = _cheapest_near(local, activity, around_s)
    return _likeliest(*_plateau(local, activity, cheapest))


def _likeliest(low: float, high: float) -> float:
    """Within a plateau of offsets that fit equally well, a whole quarter hour if one lies in it
    (a clock set right, on some time zone, is the commonest clock), else the middle."""
    middle = (low + high) / 2
    quarters = np.arange(np.ceil(low / 900) * 900, high + 0.1, 900.0)
    return float(quarters[np.argmin(np.abs(quarters - middle))]) if len(quarters) else middle


def _coarse_votes(local: Floats, burst_of: NDArray[np.int64], reference: Floats, max_offset_s: float,
                  tolerance_s: float, centre_s: float) -> list[float]:
    """Bin centres of the best-voted offsets, at least three bins apart."""
    bursts = int(burst_of[-1]) + 1
    starts = np.searchsorted(burst_of, np.arange(bursts), side="left")
    ends = np.searchsorted(burst_of, np.arange(bursts), side="right")
    picks = []
    for k in range(REPRESENTATIVES):  # evenly spaced photos of each burst (repeats collapse below)
        picks.append(starts + ((ends - 1 - starts) * k) // max(REPRESENTATIVES - 1, 1))
    rep_index = np.unique(np.concatenate(picks))
    rep_times, rep_bursts = local[rep_index], burst_of[rep_index]
    low = np.searchsorted(reference, rep_times - centre_s - max_offset_s, side="left")
    high = np.searchsorted(reference, rep_times - centre_s + max_offset_s, side="right")
    counts = high - low
    if counts.sum() == 0:
        return []
    nbins = int(2 * max_offset_s // tolerance_s) + 3
    keys: list[NDArray[np.int64]] = []
    chunk = max(1, 2_000_000 // max(int(counts.max()), 1))
    for begin in range(0, len(rep_times), chunk):  # bounded memory on 50,000-photo folders
        sl = slice(begin, begin + chunk)
        n = counts[sl]
        if n.sum() == 0:
            continue
        owner = np.repeat(np.arange(len(n)), n)
        offsets_in = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        ref_times = reference[np.repeat(low[sl], n) + offsets_in]
        diffs = rep_times[sl][owner] - ref_times - centre_s
        bins = np.floor((diffs + max_offset_s) / tolerance_s).astype(np.int64) + 1
        burst = rep_bursts[sl][owner].astype(np.int64)
        for shift in (-1, 0, 1):  # a burst votes for its bin and both neighbours: no vote lost on a bin edge
            keys.append(burst * nbins + np.clip(bins + shift, 0, nbins - 1))
    unique = np.unique(np.concatenate(keys))  # one vote per burst and bin
    votes = np.bincount(unique % nbins, minlength=nbins)
    order = np.argsort(-votes, kind="stable")
    chosen: list[int] = []
    for b in order:
        if votes[b] == 0 or len(chosen) >= CANDIDATES:
            break
        if all(abs(int(b) - c) >= 3 for c in chosen):
            chosen.append(int(b))
    return [centre_s + (b - 1 + 0.5) * tolerance_s - max_offset_s for b in chosen]


CHANGE_GAIN = 8.0  # capped photos a clock change must explain better than one offset for the whole trip


@dataclass(frozen=True, kw_only=True)
class Change:
    """A clock set to another time once during the trip (a DST switch, a new time zone)."""

    before_s: float  # the offset until the change
    after_s: float  # the offset after it
    last_before: int  # index (in the sorted camera times) of the last photo the first offset explains
    first_after: int  # ... and of the first photo the second offset explains; photos between are in neither
    strong_before: bool
    strong_after: bool
    bursts_matched: int
    uncertainty_s: float  # the wider of the two segments' stretches within the noise


def find_clock_change(local: Floats, reference: Floats | Activity, fit: Fit, tolerance_s: float = TOLERANCE_S) -> Change | None:
    """The two offsets and the burst where the second begins that explain the camera's photos
    clearly better (``CHANGE_GAIN`` capped photos) than the best single offset, each side matching
    at least three bursts; None when one offset for the whole trip is as good."""
    local = np.asarray(local, dtype=np.float64)
    activity = Activity.of(reference)
    burst_of = split_bursts(local)
    bursts = int(burst_of[-1]) + 1
    offsets: list[float] = []
    for candidate in fit.candidates:  # one per explanation
        if all(abs(candidate.offset_s - o) > RIVAL_S for o in offsets):
            offsets.append(candidate.offset_s)
    offsets = offsets[:6]
    if len(offsets) < 2 or bursts < 6:
        return None
    costs = np.stack([np.bincount(burst_of, np.minimum(np.abs(activity.residual(local - o)), COST_CAP_S), bursts) for o in offsets])
    before = np.concatenate([np.zeros((len(offsets), 1)), np.cumsum(costs, axis=1)], axis=1)  # [c, k]: bursts < k
    after = before[:, -1:] - before
    single = float(before[:, -1].min())
    found: tuple[float, int, int, int] | None = None
    for a in range(len(offsets)):
        for b in range(len(offsets)):
            if a != b:
                totals = before[a, 1:bursts] + after[b, 1:bursts]
                k = int(np.argmin(totals)) + 1
                if found is None or totals[k - 1] < found[0]:
                    found = (float(totals[k - 1]), a, b, k)
    if found is None or (single - found[0]) / COST_CAP_S < CHANGE_GAIN:
        return None
    _, a, b, k = found
    first = burst_of < k
    before_s, after_s = polish(local[first], reference, offsets[a]), polish(local[~first], reference, offsets[b])
    fits_before = first & (np.abs(activity.residual(local - before_s)) <= tolerance_s)
    fits_after = ~first & (np.abs(activity.residual(local - after_s)) <= tolerance_s)
    matched_before, matched_after = len(np.unique(burst_of[fits_before])), len(np.unique(burst_of[fits_after]))
    if matched_before < 3 or matched_after < 3:
        return None

    def judged(mask: NDArray[np.bool_], offset: float) -> tuple[bool, float]:
        """(strong, spread) of one segment: its spread within ``STRONG_WIDTH_S``, at least
        ``SURE_BURSTS`` bursts, and no rival offset within ``STRONG_MARGIN`` capped photos."""
        part = local[mask]
        part_bursts = split_bursts(part)
        spread = spread_s(part, part_bursts, activity, offset)
        own = float(activity.cost(part, np.array([offset]))[0])
        rivals = [_cheapest_near(part, activity, o) for o in offsets if abs(o - offset) > RIVAL_S]
        strong = (spread <= STRONG_WIDTH_S and int(part_bursts[-1]) + 1 >= SURE_BURSTS
                  and (not rivals or ((min(cost for cost, _ in rivals) - own) / COST_CAP_S >= STRONG_MARGIN
                                      and rival_margin(part, part_bursts, activity, offset, [o for _, o in rivals])[0] > SURE_MARGIN)))
        return strong, spread

    (strong_before, spread_before), (strong_after, spread_after) = judged(first, before_s), judged(~first, after_s)
    return Change(before_s=before_s, after_s=after_s, last_before=int(np.flatnonzero(fits_before)[-1]),
                  first_after=int(np.flatnonzero(fits_after)[0]), strong_before=strong_before, strong_after=strong_after,
                  bursts_matched=matched_before + matched_after, uncertainty_s=max(spread_before, spread_after))
