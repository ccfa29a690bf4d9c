"""The M/M/c station in SimPy, for a side-by-side run with borderflow.

Same model as borderflow's `mmc`: Poisson arrivals at rate LAMBDA per hour,
C servers with exponential service at rate MU per hour each, FIFO. Time is in
hours. Prints one JSON line: customers, model events (2 per customer: arrival
and departure, counted the same way as borderflow's), wall seconds, mean
wait in queue [h].
"""

import json
import random
import sys
import time

import simpy


def run(lam, mu, c, days, warmup_days, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=c)
    horizon = days * 24.0
    warmup = warmup_days * 24.0
    waits = []
    served = [0]

    def customer(arrived):
        with servers.request() as req:
            yield req
            if arrived >= warmup:
                waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(mu))
            served[0] += 1

    def source():
        while True:
            yield env.timeout(rng.expovariate(lam))
            env.process(customer(env.now))

    env.process(source())
    t0 = time.perf_counter()
    env.run(until=horizon)
    wall = time.perf_counter() - t0
    arrivals = len(waits)  # customers who started service after the warm-up
    return {
        "tool": "simpy",
        "simpy_version": simpy.__version__,
        "customers_served": served[0],
        "events": 2 * served[0],
        "seconds": wall,
        "mean_wait_h": sum(waits) / max(arrivals, 1),
    }


if __name__ == "__main__":
    lam, mu, c, days, warmup = (float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]),
                                int(sys.argv[4]), int(sys.argv[5]))
    print(json.dumps(run(lam, mu, c, days, warmup, seed=1)))
