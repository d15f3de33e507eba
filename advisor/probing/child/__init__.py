"""The child side shared by every framework: what runs inside a probe child process.

The bootstrap and command line that start a child, its entry point (request on stdin, one result on
stdout), the measurement loop every framework is timed by, the backend interface, the workloads, the
route machinery and parity rules every deployment check is judged by, LiteRT helpers, the team's-model
contract, and NVML. Nothing here imports a framework: each framework's folder hands its backend, its
route table and its model loaders to :func:`.main.main`.
"""
