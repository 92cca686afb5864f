"""Small networks on real data points: data sets, numba MLPs, training, landscapes, metrics.

Pure numpy + numba like ``numerics``; the Python API is ``losscape.network_service``.
"""
