"""Benchmarks of the Commensura store: synthetic registry graphs, discovery queries, a runner."""
