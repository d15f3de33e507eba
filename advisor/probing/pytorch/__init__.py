"""PyTorch's probe child: the workloads as torch modules, the backend, the team's PyTorch model, and
PyTorch's deployment route table. Imported only inside the PyTorch child."""
