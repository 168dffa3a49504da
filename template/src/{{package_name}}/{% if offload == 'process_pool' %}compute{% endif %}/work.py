"""The CPU-bound computations of the compute example.

Plain functions of plain values, defined at module level: the process pool pickles the
function by its name and its arguments by value, and the pool process imports this module.
"""


def count_primes(below: int) -> int:
    """How many primes are smaller than `below` (a sieve of Eratosthenes)."""
    if below < 3:
        return 0
    sieve = bytearray([1]) * below
    sieve[0] = sieve[1] = 0
    for n in range(2, int(below**0.5) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytes(len(range(n * n, below, n)))
    return sum(sieve)
