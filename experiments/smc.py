"""Sequential Monte Carlo ABC (pyabc's ``ABCSMC``) with whole batches of simulations.

pyabc (Klinger, Rickert and Hasenauer 2018; Schaelte et al. 2022) proposes, weights and
accepts particles; this module only changes *how* they are simulated:
:class:`BatchedSampler` draws a batch of proposals from pyabc's own proposal function,
simulates them in one call (for the world model: one compiled kernel call for the whole
batch), and then lets pyabc evaluate each proposal in order (distance, acceptance, weight).
The random state is rewound to just after the proposal of the last particle used, so a
generation is exactly what pyabc's one-at-a-time ``SingleCoreSampler`` would produce with
the same simulations: results do not depend on the batch size. Each simulation's seed is
spawned from (root seed, generation, proposal number), so a run is reproducible from the
seed alone (``numpy.random.SeedSequence``).
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

LOG = logging.getLogger("latam_ai.calibration")
#: A batch simulator: parameter dicts and seeds -> statistic name -> (runs,) values.
Simulator = Callable[[list[dict[str, float]], list[int]], dict[str, np.ndarray]]
#: Smallest and largest batch of simulations the sampler asks for at once (results do not
#: depend on them: tests/test_calibration.py).
MIN_BATCH, MAX_BATCH = 64, 4000


@dataclass(frozen=True)
class Prior:
    """A uniform prior on a model parameter, with the reason for its range."""

    name: str
    low: float
    high: float
    reason: str

    @property
    def sd(self) -> float:
        """Standard deviation of the uniform prior."""
        return (self.high - self.low) / math.sqrt(12.0)


def particle_seed(root: int, generation: int, proposal: int) -> int:
    """The seed of proposal ``proposal`` of generation ``generation`` (-1: the prior
    sample that sets the first tolerance)."""
    sequence = np.random.SeedSequence([root, generation + 1, proposal])
    return int(sequence.generate_state(1, np.uint64)[0])


def _sampler_class():
    from pyabc.inference_util.inference_util import (
        _simulate_one_from_prior,
        evaluate_proposal,
        generate_valid_proposal,
    )
    from pyabc.model import Model
    from pyabc.population import Particle
    from pyabc.sampler import Sampler

    class QueuedModel(Model):
        """A pyabc model whose results were simulated ahead, in batch, in order."""

        def __init__(self) -> None:
            super().__init__(name="batched")
            self.queue: deque = deque()

        def sample(self, pars):
            return self.queue.popleft()

    class BatchedSampler(Sampler):
        """Proposals in batches, simulated in one call, evaluated by pyabc in order."""

        def __init__(self, simulate: Simulator, seed: int) -> None:
            super().__init__()
            self.simulate, self.seed = simulate, seed
            self.acceptance_rate = 1.0
            self.generations: list[dict] = []

        def _batch(self, missing: int) -> int:
            wanted = math.ceil(1.2 * missing / self.acceptance_rate)
            return int(min(MAX_BATCH, max(MIN_BATCH, wanted)))

        def sample_until_n_accepted(
            self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
        ):
            kw = simulate_one.keywords
            from_prior = simulate_one.func is _simulate_one_from_prior
            model = kw["models"][0]
            sample = self._create_empty_sample()
            evaluations = accepted = 0
            generation = -1 if from_prior else t
            while accepted < n and evaluations < max_eval:
                proposals, states = [], []
                for _ in range(self._batch(n - accepted)):
                    if from_prior or t == 0:
                        m = int(kw["model_prior"].rvs())
                        theta = kw["parameter_priors"][m].rvs()
                    else:
                        m, theta = generate_valid_proposal(
                            t=t,
                            m=kw["m"],
                            p=kw["p"],
                            model_prior=kw["model_prior"],
                            parameter_priors=kw["parameter_priors"],
                            model_perturbation_kernel=kw["model_perturbation_kernel"],
                            transitions=kw["transitions"],
                        )
                    proposals.append((m, theta))
                    states.append(np.random.get_state())  # noqa: NPY002
                seeds = [
                    particle_seed(self.seed, generation, evaluations + i)
                    for i in range(len(proposals))
                ]
                values = self.simulate([_plain(theta) for _, theta in proposals], seeds)
                names = list(values)
                model.queue = deque(
                    {k: float(values[k][i]) for k in names} for i in range(len(proposals))
                )
                for i, (m, theta) in enumerate(proposals):
                    if from_prior:
                        result = model.summary_statistics(0, theta, kw["summary_statistics"])
                        particle = Particle(
                            m=m, parameter=theta, weight=1.0, sum_stat=result.sum_stat,
                            distance=np.inf, accepted=True, proposal_id=0, preliminary=False,
                        )  # fmt: skip
                    else:
                        particle = evaluate_proposal(
                            m, theta, t=t, models=kw["models"],
                            summary_statistics=kw["summary_statistics"],
                            distance_function=kw["distance_function"], eps=kw["eps"],
                            acceptor=kw["acceptor"], x_0=kw["x_0"],
                            weight_function=kw["weight_function"],
                            proposal_id=kw["proposal_id"],
                        )  # fmt: skip
                    sample.append(particle)
                    evaluations += 1
                    accepted += bool(particle.accepted)
                    if accepted >= n or evaluations >= max_eval:
                        np.random.set_state(states[i])  # noqa: NPY002 - as if one at a time
                        break
            self.nr_evaluations_ = evaluations
            if not from_prior:
                self.acceptance_rate = max(accepted / max(evaluations, 1), 1e-3)
                self.generations.append(
                    {"generation": t, "evaluations": evaluations, "accepted": accepted}
                )
                LOG.info("generation %d: %d accepted of %d simulations", t, accepted, evaluations)
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return QueuedModel, BatchedSampler


def _plain(theta) -> dict[str, float]:
    return {str(k): float(v) for k, v in theta.items()}


@dataclass
class SMCResult:
    """The last population (parameters, ``weight``) and one row per generation."""

    population: pd.DataFrame
    generations: pd.DataFrame
    priors: tuple[Prior, ...]

    def equal_weight_draws(self, draws: int, seed: int) -> pd.DataFrame:
        """``draws`` rows resampled to equal weights (systematic resampling, Kitagawa 1996),
        in a seeded random order; columns: the parameters."""
        weights = self.population["weight"].to_numpy(float)
        cumulative = np.cumsum(weights / weights.sum())
        rng = np.random.default_rng(seed)
        points = (rng.random() + np.arange(draws)) / draws
        index = np.minimum(np.searchsorted(cumulative, points), len(weights) - 1)
        names = [p.name for p in self.priors]
        chosen = self.population[names].to_numpy()[index]
        order = rng.permutation(draws)
        return pd.DataFrame(chosen[order], columns=names)


def smc_abc(
    simulate: Simulator,
    priors: Sequence[Prior],
    observed: dict[str, float],
    tolerances: dict[str, float],
    *,
    population: int,
    generations: int,
    seed: int,
    min_acceptance_rate: float = 0.01,
) -> SMCResult:
    """pyabc's ABCSMC on ``simulate`` (a batch simulator).

    Distance: the Euclidean norm of (statistic - observed) / tolerance (pyabc
    ``PNormDistance``, p = 2, fixed weights); tolerance schedule: the median of the last
    generation's distances (``QuantileEpsilon``, alpha = 0.5; the first from a prior
    sample); proposals: pyabc's multivariate normal kernel on the last population. Stops
    after ``generations`` generations or when the acceptance rate falls below
    ``min_acceptance_rate``. Simulations: about ``population`` x (1 + sum over generations
    of 1 / acceptance rate).
    """
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Sampler").setLevel(logging.WARNING)
    logging.getLogger("Epsilon").setLevel(logging.WARNING)
    logging.getLogger("History").setLevel(logging.WARNING)
    queued_model, batched_sampler = _sampler_class()
    np.random.seed(seed % 2**32)  # noqa: NPY002 - pyabc draws from the global generator
    prior = pyabc.Distribution(
        **{p.name: pyabc.RV("uniform", p.low, p.high - p.low) for p in priors}
    )
    sampler = batched_sampler(simulate, seed)
    sampler.show_progress = False
    abc = pyabc.ABCSMC(
        queued_model(),
        prior,
        pyabc.PNormDistance(p=2, fixed_weights={k: 1.0 / tolerances[k] for k in observed}),
        population_size=population,
        eps=pyabc.QuantileEpsilon(alpha=0.5),
        sampler=sampler,
    )
    abc.new("sqlite://", dict(observed))
    history = abc.run(max_nr_populations=generations, min_acceptance_rate=min_acceptance_rate)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    frame = frame.reset_index(drop=True)
    frame["weight"] = np.asarray(weights, float)
    info = pd.DataFrame(sampler.generations)
    populations = history.get_all_populations()
    epsilons = populations[populations["t"] >= 0].set_index("t")["epsilon"]
    info["epsilon"] = info["generation"].map(epsilons)
    info["acceptance_rate"] = info["accepted"] / info["evaluations"]
    return SMCResult(frame[[p.name for p in priors] + ["weight"]], info, tuple(priors))
